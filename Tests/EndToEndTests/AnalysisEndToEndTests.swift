// `diff`, `inspect` and `list` as a user runs them on tiny searches: a fork resumed to the end
// diffs identical (exit 0); a tensor planted into a copy at step 12 is found at step 12 and its
// key, a changed --lr at step 1 with the flag named (exit 1); a damaged checkpoint file is
// reported as damaged with its key and its bytes stay as they were; `list` tells finished from
// interrupted runs.

import Foundation
import Testing
import RunStore

@Suite(.serialized) struct AnalysisEndToEnd {
    /// A tiny prime search on the synthetic CIFAR files in `dir/cifar`, keeping every checkpoint.
    static func search(_ exe: URL, _ dir: URL, _ name: String, _ extra: [String] = []) throws -> URL {
        let data = dir.appendingPathComponent("cifar")
        if !FileManager.default.fileExists(atPath: data.path) { try DigestFixture.writeSyntheticCIFAR(into: data) }
        let run = dir.appendingPathComponent(name)
        let r = try execute(exe, ["search", "--profile", "tiny", "--dataset", "cifar10", "--data", data.path, "--method", "prime",
                                  "--keep-last", "100", "--run", run.path] + extra)
        #expect(r.status == 0, "\(r.err)")
        return run
    }

    /// A copy of `source` made through the store, with `plant` applied to the state of `step`.
    static func copy(_ source: URL, to target: URL, planting step: Int, _ plant: (inout Checkpoint) -> Void) throws {
        let a = try RunStore.open(at: source, readOnly: true)
        let b = try RunStore.create(at: target, configurationJSON: a.configurationJSON, environment: a.environment,
                                    retention: a.retention, runKind: a.runKind)
        defer { b.close() }
        for row in try a.history() {
            var c = try a.load(step: row.step)
            if row.step == step { plant(&c) }
            try b.commit(c, history: row, epochEnd: row.epochEnd)
        }
    }

    static func lastLine(_ s: String) -> String { s.split(separator: "\n").last.map(String.init) ?? "" }

    @Test func diffSaysIdenticalForAResumedForkAndFindsPlantedDivergences() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("diff")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = try Self.search(exe, dir, "a")
        let fork = dir.appendingPathComponent("fork")
        let resumed = try execute(exe, ["resume", a.path, "--from-step", "10", "--into", fork.path])
        #expect(resumed.status == 0, "\(resumed.err)")

        let same = try execute(exe, ["diff", a.path, fork.path])
        #expect(same.status == 0, "\(same.out)\(same.err)")
        #expect(Self.lastLine(same.out) == "identical: 21 steps with the same state digests")

        // One element of the α planted at step 12 of a copy.
        let planted = dir.appendingPathComponent("planted")
        var before: Float = 0
        try Self.copy(a, to: planted, planting: 12) { c in
            guard case .float32(var v)? = c.arrays["model/alphas_normal"]?.data else { Issue.record("no model/alphas_normal"); return }
            before = v[3]
            v[3] += 0.5
            c.arrays["model/alphas_normal"] = .float32(shape: c.arrays["model/alphas_normal"]!.shape, v)
        }
        let d = try execute(exe, ["diff", a.path, planted.path])
        #expect(d.status == 1, "\(d.out)\(d.err)")
        #expect(d.err.isEmpty)
        #expect(d.out.contains("first diverging step: 12 "), "\(d.out)")
        #expect(d.out.contains("at step 12: 1 of "), "\(d.out)")
        let abs = Double(Float(before + 0.5)) - Double(before)
        #expect(d.out.contains("  arrays/model/alphas_normal: 1 of "), "\(d.out)")
        #expect(d.out.contains("max abs \(String(format: "%.6g", abs))"), "\(d.out)")
        #expect(d.out.contains("configuration: identical") && d.out.contains("environment: identical"))
        #expect(Self.lastLine(d.out) == "different: first diverging step 12, first differing key arrays/model/alphas_normal")

        let json = try execute(exe, ["diff", a.path, planted.path, "--format", "json"])
        #expect(json.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(object["first_diverging_step"] as? Int == 12 && object["identical"] as? Bool == false)
        let differences = try #require(object["differences"] as? [[String: Any]])
        #expect(differences.map { $0["key"] as? String } == ["model/alphas_normal"])

        // Another learning rate: the states part at step 0 (the SGD state holds the lr) and the
        // flag's field is named.
        let lr = try Self.search(exe, dir, "lr", ["--lr", "0.05"])
        let changed = try execute(exe, ["diff", a.path, lr.path])
        #expect(changed.status == 1)
        #expect(changed.out.contains("first diverging step: 0 "), "\(changed.out)")
        #expect(changed.out.contains("  learningRate: 0.025 → 0.05"), "\(changed.out)")
        #expect(Self.lastLine(changed.out).hasPrefix("different: first diverging step 0, first differing key scalars/optimizer/sgd/lr"))

        let missing = try execute(exe, ["diff", a.path, dir.appendingPathComponent("nothing").path])
        #expect(missing.status == 1 && missing.err.hasPrefix("error: ") && missing.err.split(separator: "\n").count == 1)
    }

    @Test func inspectReportsDamageWithoutChangingTheFileAndListShowsRuns() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("inspect")
        defer { try? FileManager.default.removeItem(at: dir) }
        let runs = dir.appendingPathComponent("runs")
        let run = try Self.search(exe, runs, "finished")
        let stoppedRun = try Self.search(exe, runs, "stopped", ["--max-steps", "3"])
        // As a SIGKILL leaves it: status `running`, the lock free.
        try Data("{\"state\":\"running\",\"step\":\"3\"}".utf8).write(to: stoppedRun.appendingPathComponent("status.json"))

        let inspect = try execute(exe, ["inspect", run.path])
        #expect(inspect.status == 0, "\(inspect.err)")
        let genotype = try String(contentsOf: run.appendingPathComponent("genotype.txt"), encoding: .utf8)
        #expect(inspect.out.contains("kind: cnn-search"))
        #expect(inspect.out.contains("status: finished"))
        #expect(inspect.out.contains("steps in history: 0…20 (21 rows) of 20 in all"), "\(inspect.out)")
        #expect(inspect.out.contains(": " + genotype), "\(inspect.out)")
        #expect(Self.lastLine(inspect.out).hasPrefix("verifies: yes"))
        let asJSON = try execute(exe, ["inspect", run.path, "--format", "json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(asJSON.out.utf8)) as? [String: Any])
        #expect(object["verifies"] as? Bool == true && object["total_steps"] as? Int == 20 && object["state"] as? String == "finished")

        // One byte flipped inside the largest tensor of a copy of step 20's checkpoint.
        let original = run.appendingPathComponent("checkpoints/step-00000020.h5")
        let state = try RunStore.open(at: run, readOnly: true).load(step: 20)
        let (key, largest) = try #require(state.arrays.max { $0.value.count < $1.value.count })
        let needle = largest.data.withUnsafeRawBytes { Data($0) }
        var bytes = try Data(contentsOf: original)
        let at = try #require(bytes.range(of: needle)).lowerBound + needle.count / 2
        bytes[at] ^= 0x10
        let damaged = dir.appendingPathComponent("damaged.h5")
        try bytes.write(to: damaged)
        let r = try execute(exe, ["inspect", damaged.path])
        #expect(r.status == 1)
        #expect(r.out.contains("  \(key) float32 ") && r.out.contains("DAMAGED: stored digest"), "\(r.out)")
        #expect(Self.lastLine(r.out).hasPrefix("damaged: \(damaged.path): SHA-256 digest mismatch for 'arrays/\(key)'"), "\(r.out)")
        #expect(r.err.hasPrefix("error: damaged: ") && r.err.split(separator: "\n").count == 1, "\(r.err)")
        #expect(try Data(contentsOf: damaged) == bytes)

        let sound = try execute(exe, ["inspect", original.path])
        #expect(sound.status == 0 && sound.out.contains("step: 20 (epoch end)") && Self.lastLine(sound.out).hasPrefix("verifies: yes"), "\(sound.out)")

        let truncated = dir.appendingPathComponent("truncated.h5")
        let cut = try Data(contentsOf: original).prefix(1000)
        try cut.write(to: truncated)
        let t = try execute(exe, ["inspect", truncated.path, "--format", "json"])
        #expect(t.status == 1)
        let report = try #require(try JSONSerialization.jsonObject(with: Data(t.out.utf8)) as? [String: Any])
        #expect(report["verifies"] as? Bool == false)
        #expect((report["problems"] as? [String])?.first?.contains("truncated or corrupt") == true, "\(t.out)")
        #expect(try Data(contentsOf: truncated) == cut)

        let list = try execute(exe, ["list", runs.path])
        #expect(list.status == 0, "\(list.err)")
        let lines = list.out.split(separator: "\n").map(String.init)
        #expect(lines.count == 4 && lines.last == "2 runs under \(runs.path)", "\(list.out)")
        let finished = try #require(lines.first { $0.hasPrefix("finished ") })
        #expect(finished.contains(" cnn-search ") && finished.contains(" prime ") && finished.contains(" 101 ")
                && finished.contains(" cifar10 ") && finished.contains(" 20/20 ") && finished.contains(" finished "), "\(finished)")
        let stopped = try #require(lines.first { $0.hasPrefix("stopped ") })
        #expect(stopped.contains(" 3/20 ") && stopped.contains(" interrupted "), "\(stopped)")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(try execute(exe, ["list", runs.path, "--format", "json"]).out.utf8)) as? [[String: Any]])
        #expect(rows.map { $0["status"] as? String } == ["finished", "interrupted"])
    }
}
