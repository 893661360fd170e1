// Resume trusts nothing it reads (issue 14, item 8), seen from outside: an edited run.json, a
// checkpoint copied in from another seed's run, an edited history value and a deleted history/
// are each refused (one line, nothing changed) or rebuilt, with untouched runs as negative
// controls and the finished runs' digests equal to an uninterrupted run's.
import Foundation
import Testing
@testable import RunStore

@Suite(.serialized) struct BindingEndToEnd {
    func searchArguments(_ t: TinyCLI, _ run: URL, seed: String = "101") -> [String] {
        var args = t.searchArguments(run)
        args[args.firstIndex(of: "--seed")! + 1] = seed
        return args
    }

    @Test func editedRunJSONIsRefusedNamingTheField() throws {
        let t = try TinyCLI("bind-json")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let straight = t.dir.appendingPathComponent("straight")
        #expect(try t.run(t.searchArguments(straight)).status == 0)
        let reference = try t.digests(straight)
        let untouched = t.dir.appendingPathComponent("untouched"), edited = t.dir.appendingPathComponent("edited")
        for run in [untouched, edited] { #expect(try t.run(t.searchArguments(run) + ["--max-steps", "7"]).status == 0) }

        let manifest = edited.appendingPathComponent("run.json")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        #expect(text.contains("\\\"learningRate\\\":0.025"))
        try text.replacingOccurrences(of: "\\\"learningRate\\\":0.025", with: "\\\"learningRate\\\":0.05").write(to: manifest, atomically: true, encoding: .utf8)
        let before = try byteSnapshot(edited)
        let resumed = try t.run(["resume", edited.path])
        #expect(resumed.status == 1 && oneLine(resumed.err) && resumed.err.hasPrefix("error: \(manifest.path) does not match"), "\(resumed.err)")
        #expect(resumed.err.contains("learningRate: 0.025 → 0.05"), "\(resumed.err)")
        let forked = try t.run(["resume", edited.path, "--from-step", "5", "--into", t.dir.appendingPathComponent("fork").path])
        #expect(forked.status == 1 && oneLine(forked.err) && forked.err.contains("learningRate"), "\(forked.err)")
        let verify = try t.run(["verify", edited.path])
        #expect(verify.status == 1 && verify.err.contains("learningRate"), "\(verify.err)")
        #expect(try byteSnapshot(edited) == before)

        // Negative control: the untouched twin resumes to the uninterrupted run's digests.
        let ok = try t.run(["resume", untouched.path])
        #expect(ok.status == 0, "\(ok.err)")
        #expect(try t.digests(untouched) == reference)
        #expect(try t.run(["verify", untouched.path]).status == 0)
    }

    @Test func checkpointFromAnotherSeedIsRefused() throws {
        let t = try TinyCLI("bind-seed")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let run = t.dir.appendingPathComponent("run"), other = t.dir.appendingPathComponent("other")
        #expect(try t.run(searchArguments(t, run) + ["--max-steps", "7"]).status == 0)
        #expect(try t.run(searchArguments(t, other, seed: "102") + ["--max-steps", "7"]).status == 0)
        let verifyBefore = try t.run(["verify", run.path])
        #expect(verifyBefore.status == 0, "\(verifyBefore.err)")  // negative control
        let target = t.checkpoint(run, 7)
        try FileManager.default.removeItem(at: target)
        try FileManager.default.copyItem(at: t.checkpoint(other, 7), to: target)
        let before = try byteSnapshot(run)
        let resumed = try t.run(["resume", run.path])
        #expect(resumed.status == 1 && oneLine(resumed.err) && resumed.err.contains(target.path)
                && resumed.err.contains("seed: 102 → 101"), "\(resumed.err)")
        let verify = try t.run(["verify", run.path])
        #expect(verify.status == 1 && verify.err.contains(target.path), "\(verify.err)")
        #expect(try byteSnapshot(run) == before)
    }

    @Test func editedHistoryValueFailsVerifyNamingStepAndSegment() throws {
        let t = try TinyCLI("bind-row")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let run = t.dir.appendingPathComponent("run")
        #expect(try t.run(searchArguments(t, run) + ["--max-steps", "7"]).status == 0)
        let ok = try t.run(["verify", run.path])
        #expect(ok.status == 0 && ok.out.hasPrefix("ok:") && !ok.out.contains("note:"), "\(ok.out)\(ok.err)")
        let segment = run.appendingPathComponent("history/segment-000000.h5")
        var rows = try HistorySegment.read(segment)
        #expect(rows[3].step == 3 && rows[3].values["train_loss"] != nil)
        rows[3].values["train_loss"]! += 0.001
        try Data(try HistorySegment.image(rows, name: segment.path)).write(to: segment)
        let verify = try t.run(["verify", run.path])
        #expect(verify.status == 1 && oneLine(verify.err) && verify.err.contains(segment.path)
                && verify.err.contains("history row of step 3"), "\(verify.err)")
    }

    @Test func deletedHistoryIsRebuiltOrRefused() throws {
        let t = try TinyCLI("bind-history")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let straight = t.dir.appendingPathComponent("straight")
        #expect(try t.run(t.searchArguments(straight)).status == 0)
        let reference = try t.digests(straight)

        // Steps 0..2 are all kept: the history is rebuilt and the run finishes as if untouched.
        let young = t.dir.appendingPathComponent("young")
        #expect(try t.run(t.searchArguments(young) + ["--max-steps", "2"]).status == 0)
        try FileManager.default.removeItem(at: young.appendingPathComponent("history"))
        let rebuilt = try t.run(["resume", young.path])
        #expect(rebuilt.status == 0 && rebuilt.err.contains("history rows 0..2 were missing and were rebuilt"), "\(rebuilt.err)")
        #expect(try t.digests(young) == reference)
        #expect(try t.run(["verify", young.path]).status == 0)

        // Step 7 with pruned steps: refused, nothing changed; verify fails; the suggested fork works.
        let old = t.dir.appendingPathComponent("old")
        #expect(try t.run(t.searchArguments(old) + ["--max-steps", "7"]).status == 0)
        try FileManager.default.removeItem(at: old.appendingPathComponent("history"))
        let before = try byteSnapshot(old)
        let refused = try t.run(["resume", old.path])
        #expect(refused.status == 1 && oneLine(refused.err) && refused.err.contains("are lost and cannot be rebuilt")
                && refused.err.contains("--from-step 7 --into NEW"), "\(refused.err)")
        #expect(try byteSnapshot(old) == before)
        let verify = try t.run(["verify", old.path])
        #expect(verify.status == 1 && verify.err.contains("are lost"), "\(verify.err)")
        let fork = t.dir.appendingPathComponent("fork")
        let forked = try t.run(["resume", old.path, "--from-step", "7", "--into", fork.path])
        #expect(forked.status == 0 && forked.err.contains("fork: "), "\(forked.err)")
        let forkDigests = try t.digests(fork)
        #expect(forkDigests.count >= 14 && forkDigests == Array(reference.suffix(forkDigests.count)), "\(forkDigests)")
        #expect(try t.run(["verify", fork.path]).status == 0)
        #expect(try byteSnapshot(old) == before)
    }
}
