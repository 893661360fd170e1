// `dartsprime experiment --dataset ptb`: the paper's Table 2 grid (recurrent searches, then the
// recurrent evaluation of each found cell) at the tiny profiles on a synthetic corpus written
// here: every cell is a text run, each evaluation trains its search's replayed genotype and
// names the search, and the summary's perplexity mean and std equal a hand computation over the
// evaluation.json files (the search-only grid: over the searches' last validation perplexity).
// Bad inputs are one line and write nothing.

import Foundation
import Testing

@Suite(.serialized) struct TextExperimentEndToEnd {
    /// ptb.valid.txt and ptb.test.txt (the valid-as-train layout), 260 lines of 10 words over 23.
    static func writeCorpus(into directory: URL) throws {
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        for (name, shift) in [("ptb.valid.txt", 0), ("ptb.test.txt", 5)] {
            let text = (0..<260).map { line in
                (0..<10).map { w in "w\((line * 7 + w * 3 + shift + line / 3) % 23)" }.joined(separator: " ")
            }.joined(separator: "\n") + "\n"
            try text.write(to: directory.appendingPathComponent(name), atomically: true, encoding: .utf8)
        }
    }

    static func grid(_ dir: URL, data: URL, _ extra: [String] = []) -> [String] {
        ["experiment", "--dir", dir.path, "--methods", "darts,prime", "--seeds", "101,102", "--dataset", "ptb",
         "--data", data.path, "--ptb-layout", "valid-as-train", "--profile", "tiny"] + extra
    }

    static func json(_ url: URL) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    @Test func evaluatedGridTrainsEachSearchedCellAndSummarisesTestPerplexity() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("text-experiment")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("ptb")
        try Self.writeCorpus(into: data)
        let exp = dir.appendingPathComponent("grid")
        let r = try execute(exe, Self.grid(exp, data: data, ["--evaluate", "--eval-profile", "tiny"]))
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("| dataset | method | test perplexity | params (M) |"), "\(r.out)")
        #expect(r.out.contains("| ptb | darts |") && r.out.contains("| ptb | prime |") && r.out.contains("Every run of the grid is finished."))
        #expect(!r.out.contains("error (%)"), "a text-only grid has no error table: \(r.out)")
        #expect(r.err.contains("[8/8] evaluation ptb/prime/seed-102"), "\(r.err)")

        let grid = try #require(try Self.json(exp.appendingPathComponent("experiment.json"))["grid"] as? [String: Any])
        #expect(grid["datasets"] as? [String] == ["ptb"] && grid["ptbLayout"] as? String == "valid-as-train", "\(grid)")

        let rows = try ExperimentEndToEnd.summaryRows(exp)
        for method in ["darts", "prime"] {
            var perplexities: [Double] = []
            for seed in [101, 102] {
                let cell = exp.appendingPathComponent("ptb/\(method)/seed-\(seed)")
                let search = cell.appendingPathComponent("search"), evaluation = cell.appendingPathComponent("evaluation")
                #expect(try Self.json(search.appendingPathComponent("run.json"))["run_kind"] as? String == "rnn-search")
                #expect(try Self.json(evaluation.appendingPathComponent("run.json"))["run_kind"] as? String == "rnn-evaluation")
                let result = try Self.json(evaluation.appendingPathComponent("evaluation.json"))
                let source = try #require(result["source"] as? [String: Any])
                #expect(source["run"] as? String == search.standardizedFileURL.path, "\(source)")
                // The evaluated cell is the one the search's newest step replays to.
                let replay = try execute(exe, ["replay", search.path])
                #expect(replay.status == 0 && replay.out.trimmingCharacters(in: .newlines) == result["genotype"] as? String,
                        "replay \(replay.out) vs evaluated \(result["genotype"] ?? "-")")
                let ppl = try #require(result["test_ppl"] as? Double)
                #expect(ppl > 1 && ppl < 23 * 23, "a 23-word corpus: \(ppl)")
                perplexities.append(ppl)
            }
            let row = try #require(rows[method])
            let (mean, std) = ExperimentEndToEnd.meanAndStd(perplexities)
            #expect(abs((Double(row["perplexity_mean"] ?? "") ?? .nan) - mean) < 1e-9, "\(method): \(row)")
            #expect(abs((Double(row["perplexity_std"] ?? "") ?? .nan) - std) < 1e-9, "\(method): \(row)")
            #expect(row["error_percent_mean"] == "" && row["error_source"] == "evaluation" && row["seeds_counted"] == "2", "\(row)")
            #expect((Double(row["params_m_mean"] ?? "") ?? 0) > 0, "\(row)")
        }
    }

    @Test func searchOnlyGridSummarisesTheLastValidationPerplexity() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("text-experiment-search")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("ptb")
        try Self.writeCorpus(into: data)
        let exp = dir.appendingPathComponent("grid")
        let r = try execute(exe, Self.grid(exp, data: data))
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("| validation perplexity (search, not evaluated) |"), "\(r.out)")
        let rows = try ExperimentEndToEnd.summaryRows(exp)
        for method in ["darts", "prime"] {
            var perplexities: [Double] = []
            for seed in [101, 102] {
                let h = try execute(exe, ["export", exp.appendingPathComponent("ptb/\(method)/seed-\(seed)/search").path,
                                          "history", "--format", "csv"])
                let lines = h.out.split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init) }
                let column = try #require(lines.first?.firstIndex(of: "valid_ppl"), "\(h.err)")
                let last = try #require(lines.dropFirst().last(where: { Double($0[column])?.isFinite == true }))
                perplexities.append(try #require(Double(last[column])))
            }
            let row = try #require(rows[method])
            let (mean, std) = ExperimentEndToEnd.meanAndStd(perplexities)
            #expect(abs((Double(row["perplexity_mean"] ?? "") ?? .nan) - mean) < 1e-9, "\(method): \(row) vs \(perplexities)")
            #expect(abs((Double(row["perplexity_std"] ?? "") ?? .nan) - std) < 1e-9, "\(method): \(row)")
            #expect(row["error_source"] == "search" && row["params_m_mean"] == "", "\(row)")
        }
    }

    @Test func badTextGridsAreOneLineAndWriteNothing() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("text-experiment-bad")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("ptb")
        try Self.writeCorpus(into: data)
        let exp = dir.appendingPathComponent("grid")
        let cases: [(args: [String], status: Int32, names: String)] = [
            // The standard layout reads ptb.train.txt, which this folder lacks: the layout that trains without it is named.
            (["experiment", "--dir", exp.path, "--methods", "darts", "--dataset", "ptb", "--data", data.path, "--profile", "tiny"],
             64, "ptb.train.txt"),
            (["experiment", "--dir", exp.path, "--methods", "darts", "--dataset", "ptb", "--data", dir.appendingPathComponent("nowhere").path,
              "--ptb-layout", "valid-as-train", "--profile", "tiny"], 1, "nowhere"),
            (["experiment", "--dir", exp.path, "--methods", "darts", "--dataset", "cifar10", "--ptb-layout", "valid-as-train",
              "--profile", "tiny"], 64, "--ptb-layout"),
            (Self.grid(exp, data: data).map { $0 == "darts,prime" ? "darts,nosuch" : $0 }, 64, "nosuch"),
        ]
        for c in cases {
            let r = try execute(exe, c.args)
            #expect(r.status == c.status, "\(c.args): \(r.err)")
            #expect(r.err.split(separator: "\n").count == 1 && r.err.hasPrefix("error: ") && r.err.contains(c.names), "\(c.args): \(r.err)")
            #expect(!FileManager.default.fileExists(atPath: exp.path), "\(c.args) wrote \(exp.path)")
        }
    }
}
