// Issue 14 item 5 from outside: a run is tied neither to the working folder it was started in
// nor to one data folder, and never resumes on data that changed under it. Tiny searches on the
// digest fixture's synthetic CIFAR files; each resumed run must reproduce the uninterrupted
// run's state digests, and every refusal is one line that leaves the run byte-identical.
import Foundation
import Testing

/// Runs `exe` with `args` in the working folder `cwd`.
func execute(_ exe: URL, _ args: [String], in cwd: URL) throws -> Outcome {
    let p = Process()
    p.executableURL = exe
    p.arguments = args
    p.currentDirectoryURL = cwd
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Outcome(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
}

/// The JSON object in `file`.
func jsonObject(_ file: URL) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [String: Any])
}

/// The stderr lines that speak of the run's data (a notice or an error).
func dataLines(_ err: String) -> [Substring] {
    err.split(separator: "\n").filter { $0.contains("data_fingerprint") || $0.contains("data changed") || $0.contains("data file") }
}

@Suite(.serialized) struct DataFingerprintEndToEnd {
    @Test func relativeDataResumesFromAnotherWorkingFolder() throws {
        let t = try TinyCLI("data-cwd")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let straight = t.dir.appendingPathComponent("straight")
        #expect(try t.run(t.searchArguments(straight)).status == 0)
        let reference = try t.digests(straight)

        // Folder A holds the data; the search is started there with a relative --data.
        let a = t.dir.appendingPathComponent("A"), b = t.dir.appendingPathComponent("B")
        try DigestFixture.writeSyntheticCIFAR(into: a.appendingPathComponent("data/x"))
        try FileManager.default.createDirectory(at: b, withIntermediateDirectories: true)
        let run = t.dir.appendingPathComponent("run")
        let args = ["search", "--profile", "tiny", "--dataset", "cifar10", "--data", "./data/../data/x", "--method", "prime",
                    "--seed", "101", "--run", run.path]
        let started = try execute(t.exe, args + ["--max-steps", "7"], in: a)
        #expect(started.status == 0, "\(started.err)")
        let manifest = try jsonObject(run.appendingPathComponent("run.json"))
        let configuration = try #require((manifest["configuration_json"] as? String)?.data(using: .utf8))
        let c = try #require(try JSONSerialization.jsonObject(with: configuration) as? [String: Any])
        let absolute = a.appendingPathComponent("data/x").standardizedFileURL.path
        #expect(c["dataDirectory"] as? String == absolute)

        // The fingerprint: every training batch, its size and SHA-256; the location: folder A's data.
        let fingerprint = try jsonObject(run.appendingPathComponent("data_fingerprint.json"))
        let files = try #require(fingerprint["files"] as? [[String: Any]])
        #expect(files.map { $0["name"] as? String } == (1...5).map { "data_batch_\($0).bin" })
        #expect(files.allSatisfy { $0["size"] as? Int == 20 * 3073 && ($0["sha256"] as? String)?.count == 64 })
        #expect(fingerprint["directory"] as? String == absolute)
        #expect(try jsonObject(run.appendingPathComponent("data_location.json"))["directory"] as? String == absolute)

        // Resumed from folder B (where data/x does not exist): unchanged data, no notice.
        let resumed = try execute(t.exe, ["resume", run.path], in: b)
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(dataLines(resumed.err).isEmpty, "\(resumed.err)")
        #expect(try t.digests(run) == reference)
    }

    @Test func movedDataResumesWithDataFlagAndKeepsTheNewFolder() throws {
        let t = try TinyCLI("data-moved")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let straight = t.dir.appendingPathComponent("straight")
        #expect(try t.run(t.searchArguments(straight)).status == 0)
        let reference = try t.digests(straight)
        let run = t.dir.appendingPathComponent("run")
        #expect(try t.run(t.searchArguments(run) + ["--max-steps", "7"]).status == 0)

        // The data moves: resume without --data names the missing file, one line, nothing written.
        let moved = t.dir.appendingPathComponent("elsewhere/cifar")
        try FileManager.default.createDirectory(at: moved.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: t.data, to: moved)
        let before = try byteSnapshot(run)
        let lost = try t.run(["resume", run.path])
        #expect(lost.status == 1 && oneLine(lost.err) && lost.err.hasPrefix("error: \(t.data.path):")
                && lost.err.contains("--data"), "\(lost.err)")
        #expect(try byteSnapshot(run) == before)
        // A --data folder that does not exist is refused the same way.
        let nowhere = try t.run(["resume", run.path, "--data", t.dir.appendingPathComponent("nowhere").path])
        #expect(nowhere.status == 1 && oneLine(nowhere.err) && nowhere.err.contains("--data"), "\(nowhere.err)")
        #expect(try byteSnapshot(run) == before)

        // resume --data: the new folder is used and recorded, and later resumes keep using it.
        let first = try t.run(["resume", run.path, "--data", moved.path, "--max-steps", "3"])
        #expect(first.status == 0, "\(first.err)")
        let location = try jsonObject(run.appendingPathComponent("data_location.json"))
        #expect(location["directory"] as? String == moved.path)
        let moves = try #require(location["moves"] as? [[String: Any]])
        #expect(moves.count == 1 && moves.first?["from"] as? String == t.data.path && moves.first?["to"] as? String == moved.path
                && moves.first?["step"] as? Int == 7, "\(location)")

        // A fork of the moved run, into a third folder of the same data: the fork records its own move.
        let copy = t.dir.appendingPathComponent("copy")
        try FileManager.default.copyItem(at: moved, to: copy)
        let fork = t.dir.appendingPathComponent("fork")
        let forked = try t.run(["resume", run.path, "--from-step", "5", "--into", fork.path, "--data", copy.path])
        #expect(forked.status == 0, "\(forked.err)")
        #expect(try t.digests(fork) == reference)
        #expect(try jsonObject(fork.appendingPathComponent("data_location.json"))["directory"] as? String == copy.path)
        #expect(try jsonObject(run.appendingPathComponent("data_location.json"))["directory"] as? String == moved.path)

        let rest = try t.run(["resume", run.path])
        #expect(rest.status == 0, "\(rest.err)")
        #expect(dataLines(rest.err).isEmpty, "\(rest.err)")
        #expect(try t.digests(run) == reference)
        #expect(try t.run(["verify", run.path]).status == 0)
    }

    @Test func changedDataIsRefusedUnlessAcceptedAndTheAcceptanceIsRecorded() throws {
        let t = try TinyCLI("data-changed")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let run = t.dir.appendingPathComponent("run")
        #expect(try t.run(t.searchArguments(run) + ["--max-steps", "7"]).status == 0)
        let batch = t.data.appendingPathComponent("data_batch_3.bin")
        let original = try Data(contentsOf: batch)
        let fork = t.dir.appendingPathComponent("fork")

        // One pixel byte of record 0 changes: resume and fork are refused, naming the file and its digest.
        var pixel = original
        pixel[1 + 100] ^= 0x01
        try pixel.write(to: batch)
        let before = try byteSnapshot(run)
        let refused = try t.run(["resume", run.path])
        #expect(refused.status == 1 && oneLine(refused.err) && refused.err.hasPrefix("error: \(batch.path):")
                && refused.err.contains("SHA-256") && refused.err.contains("--accept-changed-data"), "\(refused.err)")
        #expect(try byteSnapshot(run) == before)
        let refusedFork = try t.run(["resume", run.path, "--from-step", "5", "--into", fork.path])
        #expect(refusedFork.status == 1 && oneLine(refusedFork.err) && refusedFork.err.contains(batch.path), "\(refusedFork.err)")
        #expect(!FileManager.default.fileExists(atPath: fork.path))
        // A missing file is named as such.
        try FileManager.default.removeItem(at: batch)
        let missing = try t.run(["resume", run.path])
        #expect(missing.status == 1 && oneLine(missing.err) && missing.err.hasPrefix("error: \(batch.path):")
                && missing.err.contains("missing"), "\(missing.err)")
        #expect(try byteSnapshot(run) == before)
        // A changed size is named as such.
        try (pixel + Data([0])).write(to: batch)
        let longer = try t.run(["resume", run.path])
        #expect(longer.status == 1 && oneLine(longer.err) && longer.err.contains("size is \(original.count + 1) bytes, recorded \(original.count)"),
                "\(longer.err)")
        #expect(try byteSnapshot(run) == before)

        // --accept-changed-data: the run continues on the changed file and records it.
        try pixel.write(to: batch)
        let accepted = try t.run(["resume", run.path, "--accept-changed-data", "--max-steps", "2"])
        #expect(accepted.status == 0, "\(accepted.err)")
        #expect(accepted.err.split(separator: "\n").filter { $0.contains("--accept-changed-data") && $0.contains("data_batch_3.bin") }.count == 1,
                "\(accepted.err)")
        let fingerprint = try jsonObject(run.appendingPathComponent("data_fingerprint.json"))
        let changes = try #require(fingerprint["accepted_changes"] as? [[String: Any]])
        let changed = try #require(changes.first?["files"] as? [[String: Any]])
        #expect(changes.count == 1 && changes.first?["step"] as? Int == 7 && changed.count == 1
                && changed.first?["name"] as? String == "data_batch_3.bin", "\(fingerprint)")
        let recorded = (changed.first?["recorded"] as? [String: Any])?["sha256"] as? String
        let found = (changed.first?["found"] as? [String: Any])?["sha256"] as? String
        #expect(recorded != nil && found != nil && recorded != found)
        // The accepted file is the run's data from now on: a plain resume goes on without a word …
        let after = try t.run(["resume", run.path, "--max-steps", "1"])
        #expect(after.status == 0 && dataLines(after.err).isEmpty, "\(after.err)")
        // … and the original file is now the changed one.
        try original.write(to: batch)
        let back = try t.run(["resume", run.path])
        #expect(back.status == 1 && oneLine(back.err) && back.err.contains(batch.path), "\(back.err)")
    }

    @Test func aRunWithoutFingerprintResumesWithANotice() throws {
        let t = try TinyCLI("data-old")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let straight = t.dir.appendingPathComponent("straight")
        #expect(try t.run(t.searchArguments(straight)).status == 0)
        let reference = try t.digests(straight)
        let run = t.dir.appendingPathComponent("run")
        #expect(try t.run(t.searchArguments(run) + ["--max-steps", "5"]).status == 0)
        // A run as an older build left it: no data records.
        for name in ["data_fingerprint.json", "data_location.json"] {
            try FileManager.default.removeItem(at: run.appendingPathComponent(name))
        }
        let resumed = try t.run(["resume", run.path, "--max-steps", "2"])
        #expect(resumed.status == 0, "\(resumed.err)")
        let notes = dataLines(resumed.err)
        #expect(notes.count == 1 && notes[0].hasPrefix("resume: ") && notes[0].contains("cannot be checked"), "\(resumed.err)")
        #expect(!FileManager.default.fileExists(atPath: run.appendingPathComponent("data_fingerprint.json").path))
        // Its data moves: --data records the move from the configuration's folder, and is kept.
        let moved = t.dir.appendingPathComponent("moved")
        try FileManager.default.moveItem(at: t.data, to: moved)
        let again = try t.run(["resume", run.path, "--data", moved.path, "--max-steps", "2"])
        #expect(again.status == 0 && dataLines(again.err).count == 1, "\(again.err)")
        let location = try jsonObject(run.appendingPathComponent("data_location.json"))
        let moves = try #require(location["moves"] as? [[String: Any]])
        #expect(location["directory"] as? String == moved.path && moves.count == 1 && moves.first?["from"] as? String == t.data.path,
                "\(location)")
        let rest = try t.run(["resume", run.path])
        #expect(rest.status == 0, "\(rest.err)")
        #expect(try t.digests(run) == reference)
    }

    @Test func anEvaluationFingerprintsItsTestFileToo() throws {
        let t = try TinyCLI("data-eval")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let run = t.dir.appendingPathComponent("eval")
        let dartsV2 = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))"
        let started = try t.run(["evaluate", "--genotype", dartsV2, "--profile", "tiny", "--dataset", "cifar10",
                                 "--data", t.data.path, "--test-subset", "40", "--run", run.path, "--max-steps", "2"])
        #expect(started.status == 0, "\(started.err)")
        let files = try #require(try jsonObject(run.appendingPathComponent("data_fingerprint.json"))["files"] as? [[String: Any]])
        #expect(files.map { $0["name"] as? String } == (1...5).map { "data_batch_\($0).bin" } + ["test_batch.bin"])
        let test = t.data.appendingPathComponent("test_batch.bin")
        var bytes = try Data(contentsOf: test)
        bytes[5] ^= 0x80
        try bytes.write(to: test)
        let before = try byteSnapshot(run)
        let refused = try t.run(["resume", run.path])
        #expect(refused.status == 1 && oneLine(refused.err) && refused.err.hasPrefix("error: \(test.path):"), "\(refused.err)")
        #expect(try byteSnapshot(run) == before)
    }
}
