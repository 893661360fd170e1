// `dartsprime replay` as a user runs it: the newest step's genotype equals genotype.txt, the
// per-epoch CSV has one row per epoch end whose genotypes equal the recorded ones, JSON parses,
// and a missing step is a one-line error with exit status 1.

import Foundation
import Testing

@Suite struct ReplayEndToEnd {
    @Test func replayPrintsWhatTheSearchRecorded() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("replay")
        defer { try? FileManager.default.removeItem(at: dir) }
        try DigestFixture.writeSyntheticCIFAR(into: dir.appendingPathComponent("cifar"))
        let run = dir.appendingPathComponent("run")
        let search = try execute(exe, ["search", "--profile", "tiny", "--dataset", "cifar10", "--data",
                                       dir.appendingPathComponent("cifar").path, "--method", "prime", "--run", run.path])
        #expect(search.status == 0, "\(search.err)")

        let newest = try execute(exe, ["replay", run.path])
        #expect(newest.status == 0, "\(newest.err)")
        #expect(newest.out == (try String(contentsOf: run.appendingPathComponent("genotype.txt"), encoding: .utf8)))

        let epochs = try execute(exe, ["replay", run.path, "--epochs"])
        let lines = epochs.out.split(separator: "\n").map(String.init)
        #expect(lines.first == "step,epoch,genotype,changed")
        #expect(lines.count == 3, "\(epochs.out)")
        for (e, line) in lines.dropFirst().enumerated() {
            let recorded = try String(contentsOf: run.appendingPathComponent("genotype_epoch\(e).txt"), encoding: .utf8)
            #expect(line.contains("\"" + recorded.trimmingCharacters(in: .newlines) + "\""), "\(line)")
            #expect(line.hasPrefix("\(10 * (e + 1)),\(e + 1),"))
        }
        #expect(epochs.err.contains("unchanged since step"))

        let all = try execute(exe, ["replay", run.path, "--all-steps", "--format", "json"])
        let rows = try JSONSerialization.jsonObject(with: Data(all.out.utf8)) as? [[String: Any]]
        #expect(rows?.count == 21)  // steps 0…20
        #expect(rows?.last?["genotype"] as? String == newest.out.trimmingCharacters(in: .newlines))

        let missing = try execute(exe, ["replay", run.path, "--step", "999"])
        #expect(missing.status == 1)
        #expect(missing.err.split(separator: "\n").count == 1 && missing.err.contains("no step 999"), "\(missing.err)")
        let both = try execute(exe, ["replay", run.path, "--step", "3", "--epochs"])
        #expect(both.status == 64, "\(both.err)")
    }
}
