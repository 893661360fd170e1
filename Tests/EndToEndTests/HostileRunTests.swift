// Issue 14's items as a user meets them, one test each: a demo into a folder holding a
// `status.json` beside precious data refuses and deletes nothing (item 1); a search whose loss
// turns non-finite stops with exit 65, says where, keeps the last finite step as the newest
// checkpoint and is not resumed into the same wall (item 3).

import Foundation
import Testing

@Suite(.serialized) struct HostileRunTests {
    @Test func demoNeverDeletesAFolderItDidNotCreate() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("demo-precious")
        defer { try? FileManager.default.removeItem(at: dir) }
        let folder = dir.appendingPathComponent("results")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let precious = folder.appendingPathComponent("thesis.tex")
        let bytes = Data((0..<4096).map { UInt8(truncatingIfNeeded: $0 &* 31) })
        try bytes.write(to: precious)
        try Data("{\"state\":\"finished\"}\n".utf8).write(to: folder.appendingPathComponent("status.json"))

        let r = try execute(exe, ["demo", "--run", folder.path])
        #expect(r.status == 1, "exit \(r.status): \(r.err)")
        #expect(r.err.hasPrefix("error: \(folder.path)") && r.err.split(separator: "\n").count == 1, "\(r.err)")
        // The precious file is still there, byte for byte, and nothing was added.
        #expect(try Data(contentsOf: precious) == bytes)
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: folder.path)) == ["thesis.tex", "status.json"])
    }

    @Test func divergenceStopsAtTheLastFiniteStep() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("diverge")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("cifar")
        try DigestFixture.writeSyntheticCIFAR(into: data)
        func search(_ run: String, _ extra: [String]) throws -> Outcome {
            try execute(exe, ["search", "--profile", "tiny", "--dataset", "cifar10", "--data", data.path,
                              "--run", dir.appendingPathComponent(run).path] + extra)
        }
        // `--lr nan` is a bad flag, not a run.
        let nan = try search("nan", ["--lr", "nan"])
        #expect(nan.status == 64 && nan.err.contains("--lr"), "\(nan.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("nan").path))

        // Control: the same search at the default learning rate runs its steps.
        let control = try search("control", ["--max-steps", "3"])
        #expect(control.status == 0, "\(control.err)")

        // An absurd but finite learning rate: step 1 is finite, its weights make step 2's loss NaN.
        let run = dir.appendingPathComponent("absurd")
        let r = try search("absurd", ["--lr", "1e30"])
        #expect(r.status == 65, "exit \(r.status): \(r.err)")
        let errorLines = r.err.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errorLines == ["error: step 2: training loss is nan (diverged); the newest checkpoint is step 1"], "\(r.err)")
        #expect(r.out.isEmpty, "a diverged search printed a genotype: \(r.out)")
        let status = try JSONSerialization.jsonObject(with: Data(contentsOf: run.appendingPathComponent("status.json"))) as? [String: String]
        #expect(status?["state"] == "diverged" && status?["step"] == "2" && status?["newest_checkpoint"] == "1", "\(String(describing: status))")
        let checkpoints = try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path)
        #expect(checkpoints.sorted() == ["step-00000000.h5", "step-00000001.h5"], "\(checkpoints)")
        #expect(!(try String(contentsOf: run.appendingPathComponent("run.json"), encoding: .utf8)).contains("nan"))
        #expect(try execute(exe, ["verify", run.path]).status == 0)

        // Resume says why it will not repeat the divergence, and changes nothing.
        let history = try execute(exe, ["export", run.path, "history"]).out
        let resumed = try execute(exe, ["resume", run.path])
        #expect(resumed.status == 65, "exit \(resumed.status): \(resumed.err)")
        #expect(resumed.err.hasPrefix("error: \(run.path) diverged at step 2") && resumed.err.split(separator: "\n").count == 1,
                "\(resumed.err)")
        #expect(try execute(exe, ["export", run.path, "history"]).out == history)
        #expect(try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path) == checkpoints)
    }

    /// A failing artifact write (genotype.txt cannot replace the folder someone put there) is one
    /// line and exit 1, not a crash or a success; the committed steps stay intact.
    @Test func failingArtifactWriteIsOneLine() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("artifact")
        defer { try? FileManager.default.removeItem(at: dir) }
        let data = dir.appendingPathComponent("cifar")
        try DigestFixture.writeSyntheticCIFAR(into: data)
        let run = dir.appendingPathComponent("run")
        let s = try execute(exe, ["search", "--profile", "tiny", "--dataset", "cifar10", "--data", data.path, "--method", "darts",
                                  "--run", run.path, "--max-steps", "11"])
        #expect(s.status == 0, "\(s.err)")
        let blocker = run.appendingPathComponent("genotype.txt")
        try FileManager.default.createDirectory(at: blocker.appendingPathComponent("kept"), withIntermediateDirectories: true)
        let r = try execute(exe, ["resume", run.path])
        #expect(r.status == 1, "exit \(r.status): \(r.err)")
        let errorLines = r.err.split(separator: "\n").filter { $0.hasPrefix("error:") }
        #expect(errorLines.count == 1 && errorLines.first?.contains("genotype.txt") == true, "\(r.err)")
        #expect(FileManager.default.fileExists(atPath: blocker.appendingPathComponent("kept").path))
        #expect(try execute(exe, ["verify", run.path]).status == 0)
    }
}
