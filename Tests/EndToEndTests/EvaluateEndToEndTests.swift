// `dartsprime evaluate` as a user runs it, on synthetic CIFAR-format files: from a search run
// (the genotype by replay, its provenance in run.json) and from a genotype text; SIGKILL and
// SIGTERM mid-run, then `resume`, give the uninterrupted run's digests; the last stdout line has
// test error, parameters and wall time; bad sources are one-line errors.

import Foundation
import Testing

@Suite(.serialized) struct EvaluateEndToEnd {
    static func historyDigests(_ exe: URL, _ run: URL) throws -> [String] {
        let r = try execute(exe, ["export", run.path, "history", "--format", "csv"])
        let lines = r.out.split(separator: "\n").map(String.init)
        guard let header = lines.first?.split(separator: ",").map(String.init),
              let column = header.firstIndex(of: "state_digest") else { return [] }
        return lines.dropFirst().map { String($0.split(separator: ",", omittingEmptySubsequences: false)[column]) }
    }

    @Test func evaluateFromASearchRecordsProvenanceAndResumesBitExactly() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("evaluate")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("cifar")
        try DigestFixture.writeSyntheticCIFAR(into: data)
        let search = dir.appendingPathComponent("search")
        let s = try execute(exe, ["search", "--profile", "tiny", "--dataset", "cifar10", "--data", data.path,
                                  "--method", "darts", "--run", search.path])
        #expect(s.status == 0, "\(s.err)")

        let straight = dir.appendingPathComponent("eval")
        let args = ["evaluate", search.path, "--step", "6", "--profile", "tiny", "--test-subset", "40"]
        let r = try execute(exe, args + ["--run", straight.path])
        #expect(r.status == 0, "\(r.err)")
        let last = try #require(r.out.split(separator: "\n").last.map(String.init))
        #expect(last.hasPrefix("test_error=") && last.contains("params_m=") && last.contains("wall_s="), "\(r.out)")
        #expect(r.err.contains("ETA"))

        // Provenance: run.json names the search, its identity, the step, its digest and the genotype;
        // replaying that step gives the recorded genotype.
        let manifest = try JSONSerialization.jsonObject(with: Data(contentsOf: straight.appendingPathComponent("run.json"))) as? [String: Any]
        #expect(manifest?["run_kind"] as? String == "cnn-evaluation")
        let configuration = try JSONSerialization.jsonObject(
            with: Data(((manifest?["configuration_json"] as? String) ?? "").utf8)) as? [String: Any]
        let source = try #require(configuration?["source"] as? [String: Any])
        #expect(source["run"] as? String == search.standardizedFileURL.path)
        #expect(source["step"] as? Int == 6)
        #expect((source["runIdentity"] as? String)?.count == 64)
        #expect(source["stateDigest"] as? String == (try Self.historyDigests(exe, search))[6])  // rows from step 0
        let replayed = try execute(exe, ["replay", search.path, "--step", "6"])
        #expect(replayed.out.trimmingCharacters(in: .newlines) == configuration?["genotype"] as? String)
        let evaluation = try JSONSerialization.jsonObject(with: Data(contentsOf: straight.appendingPathComponent("evaluation.json"))) as? [String: Any]
        #expect(evaluation?["genotype"] as? String == configuration?["genotype"] as? String)
        #expect(try execute(exe, ["verify", straight.path]).status == 0)

        let reference = try Self.historyDigests(exe, straight)
        #expect(reference.count == 13)  // steps 0…12
        for (trial, sig) in [SIGKILL, SIGTERM].enumerated() {
            let run = dir.appendingPathComponent("interrupted-\(trial)")
            let p = Process()
            p.executableURL = exe
            p.arguments = args + ["--run", run.path]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            let deadline = Date().addingTimeInterval(60)
            while Date() < deadline && p.isRunning {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path)) ?? []
                if names.contains(where: { $0.hasPrefix("step-") && (Int($0.dropFirst(5).dropLast(3)) ?? 0) >= 3 + 3 * trial }) { break }
                usleep(2_000)
            }
            kill(p.processIdentifier, sig)
            p.waitUntilExit()
            if sig == SIGTERM { #expect(p.terminationStatus == 75 || p.terminationStatus == 0, "SIGTERM status \(p.terminationStatus)") }
            let before = try Self.wallSeconds(run.appendingPathComponent("status.json"))
            let resumed = try execute(exe, ["resume", run.path])
            #expect(resumed.status == 0, "\(resumed.err)")
            // Wall time sums the sessions: the resumed total exceeds what the first one recorded, and
            // evaluation.json and the stdout line give it.
            let total = try Self.wallSeconds(run.appendingPathComponent("status.json"))
            let recorded = try Self.wallSeconds(run.appendingPathComponent("evaluation.json"))
            #expect(before >= 0 && recorded > before && total >= recorded, "\(before) \(recorded) \(total)")
            #expect(resumed.out.contains(String(format: "wall_s=%.1f", total)), "\(resumed.out)")
            #expect(try Self.historyDigests(exe, run) == reference, "trial \(trial)")
        }
    }

    /// `wall_seconds` of a status.json (a string) or evaluation.json (a number).
    static func wallSeconds(_ file: URL) throws -> Double {
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any]
        if let text = object?["wall_seconds"] as? String, let value = Double(text) { return value }
        return try #require(object?["wall_seconds"] as? Double, "no wall_seconds in \(file.path)")
    }

    @Test func genotypeTextsAndBadSources() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("evaluate-text")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("cifar")
        try DigestFixture.writeSyntheticCIFAR(into: data)
        let dartsV2 = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))"
        let file = dir.appendingPathComponent("darts_v2.txt")
        try dartsV2.write(to: file, atomically: true, encoding: .utf8)
        let run = dir.appendingPathComponent("eval")
        let r = try execute(exe, ["evaluate", "--genotype-file", file.path, "--profile", "tiny", "--dataset", "cifar10",
                                  "--data", data.path, "--epochs", "1", "--run", run.path])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("test_error="))

        let bad = try execute(exe, ["evaluate", "--genotype", dartsV2.replacingOccurrences(of: "dil_conv_3x3", with: "dil_conv_9x9"),
                                    "--profile", "tiny", "--dataset", "cifar10", "--data", data.path,
                                    "--run", dir.appendingPathComponent("bad").path])
        #expect(bad.status != 0 && bad.err.contains("dil_conv_9x9") && bad.err.split(separator: "\n").count == 1, "\(bad.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("bad").path))
        let none = try execute(exe, ["evaluate", "--profile", "tiny"])
        #expect(none.status == 64 && none.err.split(separator: "\n").count == 1, "\(none.err)")
        let missing = try execute(exe, ["evaluate", dir.appendingPathComponent("nope").path, "--profile", "tiny"])
        #expect(missing.status == 1 && missing.err.split(separator: "\n").count == 1, "\(missing.err)")
    }
}
