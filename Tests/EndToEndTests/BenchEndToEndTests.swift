// `bench step` as `make bench` and docs/BENCHMARKS.md use it: per-phase medians, then as the last
// stdout line `median_s=<seconds> peak_rss_mb=<MB>` (issue 6's contract for scripts), at a tiny size.
import Foundation
import Testing

@Suite struct BenchEndToEnd {
    /// The last line's two figures, or nil if it does not have the contracted form.
    func lastLineFigures(_ out: String) -> (seconds: Double, megabytes: Double)? {
        guard let last = out.split(separator: "\n").last else { return nil }
        let fields = last.split(separator: " ")
        guard fields.count == 2, fields[0].hasPrefix("median_s="), fields[1].hasPrefix("peak_rss_mb="),
              let s = Double(fields[0].dropFirst("median_s=".count)),
              let m = Double(fields[1].dropFirst("peak_rss_mb=".count)) else { return nil }
        return (s, m)
    }

    @Test(arguments: [false, true])
    func benchStepPrintsPhasesThenTheMedianLine(weightOnly: Bool) throws {
        let exe = try dartsprimeBinary()
        let args = ["bench", "step", "--init-channels", "2", "--layers", "3", "--batch-size", "2", "--iterations", "2"]
            + (weightOnly ? ["--weight-only"] : [])
        let r = try execute(exe, args)
        #expect(r.status == 0, "stderr: \(r.err)")
        let all = r.out + r.err
        #expect(all.contains("weight_forward") && all.contains("weight_backward"))
        #expect(all.contains("alpha_forward") == !weightOnly)
        let figures = try #require(lastLineFigures(r.out), "stdout: \(r.out)")
        #expect(figures.seconds > 0 && figures.seconds < 60)
        #expect(figures.megabytes > 1)
    }

    @Test func benchStepRejectsABadSize() throws {
        let r = try execute(try dartsprimeBinary(), ["bench", "step", "--init-channels", "0"])
        #expect(r.status == 64)
        #expect(r.err.split(separator: "\n").count == 1 && r.err.contains("--init-channels"), "stderr: \(r.err)")
    }

    @Test func benchEvalPrintsPhasesThenTheMedianLine() throws {
        let exe = try dartsprimeBinary()
        let r = try execute(exe, ["bench", "eval", "--init-channels", "4", "--layers", "3", "--batch-size", "2",
                                  "--iterations", "1"])
        #expect(r.status == 0, "stderr: \(r.err)")
        let figures = try #require(lastLineFigures(r.out), "stdout: \(r.out)")
        #expect(figures.seconds > 0 && figures.seconds < 60)
        #expect(r.out.contains("parameters "))
    }

    /// `bench rnn`'s last line: `median_s=… tokens_per_s=… peak_rss_mb=…` (issue 15's contract).
    @Test func benchRNNPrintsPhasesThenTheMedianLine() throws {
        let exe = try dartsprimeBinary()
        let r = try execute(exe, ["bench", "rnn", "--tokens", "600", "--hidden", "8", "--batch-size", "4", "--bptt", "5",
                                  "--iterations", "2"])
        #expect(r.status == 0, "stderr: \(r.err)")
        #expect(r.out.contains("alpha_step") && r.out.contains("weight_step") && r.out.contains("V=600 nhid=8 batch=4 bptt=5"))
        let fields = (r.out.split(separator: "\n").last ?? "").split(separator: " ")
        #expect(fields.count == 3, "stdout: \(r.out)")
        func figure(_ i: Int, _ name: String) -> Double? {
            guard i < fields.count, fields[i].hasPrefix(name + "=") else { return nil }
            return Double(fields[i].dropFirst(name.count + 1))
        }
        let seconds = try #require(figure(0, "median_s")), tokens = try #require(figure(1, "tokens_per_s"))
        let megabytes = try #require(figure(2, "peak_rss_mb"))
        #expect(seconds > 0 && seconds < 60 && megabytes > 1)
        // tokens_per_s is the weight step's batch·bptt (20) over the median, which is printed
        // rounded to the millisecond: it lies between 20/(s + 0.0005) and 20/(s − 0.0005).
        let (low, high) = (20 / (seconds + 0.0005) - 1, seconds > 0.0005 ? 20 / (seconds - 0.0005) + 1 : .infinity)
        #expect(tokens >= low && tokens <= high, "\(tokens) tokens/s at \(seconds) s")
    }

    @Test func benchRNNRejectsABadSize() throws {
        for (flag, value) in [("--tokens", "1"), ("--hidden", "0"), ("--bptt", "1"), ("--batch-size", "1")] {
            let r = try execute(try dartsprimeBinary(), ["bench", "rnn", flag, value])
            #expect(r.status == 64, "\(flag) \(value)")
            #expect(r.err.split(separator: "\n").count == 1 && r.err.contains(flag), "stderr: \(r.err)")
        }
    }
}
