// Dead ends and silent states, seen from outside (issue 14, items 2, 6, 7, 9): the built binary
// is stopped before step 1, has its newest checkpoint truncated or deleted, is forked read-only
// or while locked, and is ended each way a run can end; every resumed run must reproduce the
// uninterrupted run's state digests, step 0 included.
import Foundation
import Testing

/// Tiny searches on the synthetic CIFAR files of the digest fixture (20 steps, every 5th kept).
struct TinyCLI {
    let exe: URL
    let dir: URL
    var data: URL { dir.appendingPathComponent("cifar") }

    init(_ label: String) throws {
        exe = try dartsprimeBinary()
        dir = scratch(label)
        try DigestFixture.writeSyntheticCIFAR(into: data)
    }

    func searchArguments(_ run: URL) -> [String] {
        ["search", "--profile", "tiny", "--dataset", "cifar10", "--data", data.path, "--method", "prime", "--seed", "101",
         "--run", run.path]
    }

    func run(_ args: [String]) throws -> Outcome { try execute(exe, args) }

    /// `step,state_digest` of every history row, from `export history`.
    func digests(_ run: URL) throws -> [String] {
        let r = try execute(exe, ["export", run.path, "history", "--format", "csv"])
        let lines = r.out.split(separator: "\n").map(String.init)
        guard r.status == 0, let header = lines.first?.split(separator: ",").map(String.init),
              let column = header.firstIndex(of: "state_digest") else { return ["export failed: \(r.err)"] }
        return lines.dropFirst().map { line in
            let cells = line.split(separator: ",", omittingEmptySubsequences: false)
            return "\(cells[0]),\(cells[column])"
        }
    }

    func status(_ run: URL) throws -> [String: String] {
        let data = try Data(contentsOf: run.appendingPathComponent("status.json"))
        return try JSONDecoder().decode([String: String].self, from: data)
    }

    func checkpoint(_ run: URL, _ step: Int) -> URL {
        run.appendingPathComponent("checkpoints").appendingPathComponent(String(format: "step-%08d.h5", step))
    }

    /// Starts a search and sends `signals` (a short pause apart) once its newest checkpoint is
    /// at least `afterStep`; returns the exit status and stderr.
    func interrupt(_ run: URL, afterStep: Int, signals: [Int32], extra: [String] = []) throws -> Outcome {
        let p = Process()
        p.executableURL = exe
        p.arguments = searchArguments(run) + extra
        p.standardOutput = FileHandle.nullDevice
        let err = Pipe()
        p.standardError = err
        try p.run()
        let deadline = Date().addingTimeInterval(120)
        while Date() < deadline && p.isRunning {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path)) ?? []
            let newest = names.compactMap { $0.hasPrefix("step-") && $0.hasSuffix(".h5") ? Int($0.dropFirst(5).dropLast(3)) : nil }.max()
            if let newest, newest >= afterStep { break }
            usleep(1_000)
        }
        for (i, s) in signals.enumerated() {
            if i > 0 { usleep(2_000) }
            kill(p.processIdentifier, s)
        }
        let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        return Outcome(status: p.terminationStatus, out: "", err: text)
    }
}

/// Every file under `dir` with its bytes.
func byteSnapshot(_ dir: URL) throws -> [String: Data] {
    var out: [String: Data] = [:]
    let base = dir.standardizedFileURL.path
    for case let url as URL in FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)! {
        var isDir: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir)
        out[String(url.standardizedFileURL.path.dropFirst(base.count))] = isDir.boolValue ? Data() : try Data(contentsOf: url)
    }
    return out
}

func oneLine(_ text: String) -> Bool { text.hasSuffix("\n") && text.split(separator: "\n").count == 1 }

@Suite(.serialized) struct RecoveryEndToEnd {
    @Test func runsStoppedOrKilledBeforeStepOneResumeFromStepZero() throws {
        let t = try TinyCLI("step0")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let straight = t.dir.appendingPathComponent("straight")
        #expect(try t.run(t.searchArguments(straight)).status == 0)
        let reference = try t.digests(straight)
        #expect(reference.count == 21 && reference[0].hasPrefix("0,"), "\(reference)")

        // --max-steps 0: only step 0, which replays, forks and resumes.
        let zero = t.dir.appendingPathComponent("zero")
        let stopped = try t.run(t.searchArguments(zero) + ["--max-steps", "0"])
        #expect(stopped.status == 0, "\(stopped.err)")
        #expect(try t.digests(zero) == [reference[0]])
        #expect(try t.status(zero)["state"] == "stopped" && t.status(zero)["step"] == "0")
        let replayed = try t.run(["replay", zero.path, "--step", "0"])
        #expect(replayed.status == 0 && replayed.out.hasPrefix("Genotype(normal=["), "\(replayed.err)")
        let fork = t.dir.appendingPathComponent("fork0")
        #expect(try t.run(["resume", zero.path, "--from-step", "0", "--into", fork.path]).status == 0)
        #expect(try t.digests(fork) == reference)
        let resumed = try t.run(["resume", zero.path])
        #expect(resumed.status == 0, "\(resumed.err)")
        #expect(try t.digests(zero) == reference)

        // SIGKILL as soon as run.json exists (before or during the step 0 commit).
        let killed = t.dir.appendingPathComponent("killed")
        let p = Process()
        p.executableURL = t.exe
        p.arguments = t.searchArguments(killed)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        try p.run()
        while p.isRunning && !FileManager.default.fileExists(atPath: killed.appendingPathComponent("run.json").path) { usleep(200) }
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        #expect(p.terminationReason == .uncaughtSignal, "the search ended before the kill")
        let again = try t.run(["resume", killed.path])
        #expect(again.status == 0, "\(again.err)")
        #expect(try t.digests(killed) == reference)
        #expect(try t.run(["verify", killed.path]).status == 0)
    }

    @Test(arguments: ["truncated", "deleted"])
    func resumeFallsBackPastABadNewestCheckpoint(_ damage: String) throws {
        let t = try TinyCLI("fallback")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let straight = t.dir.appendingPathComponent("straight")
        #expect(try t.run(t.searchArguments(straight)).status == 0)
        let reference = try t.digests(straight)
        let run = t.dir.appendingPathComponent("run")
        #expect(try t.run(t.searchArguments(run) + ["--max-steps", "7"]).status == 0)
        let newest = t.checkpoint(run, 7)
        if damage == "truncated" {
            let bytes = try Data(contentsOf: newest)
            try bytes.prefix(bytes.count / 3).write(to: newest)
        } else {
            try FileManager.default.removeItem(at: newest)
        }
        let kept = try? Data(contentsOf: newest)
        // verify names the bad step (one line); the fork of an intact step works before any repair.
        let verify = try t.run(["verify", run.path])
        #expect(verify.status == 1 && oneLine(verify.err) && verify.err.contains(newest.path), "\(verify.err)")
        let fork = t.dir.appendingPathComponent("fork")
        let before = try byteSnapshot(run)
        let forked = try t.run(["resume", run.path, "--from-step", "5", "--into", fork.path])
        #expect(forked.status == 0, "\(forked.err)")
        #expect(try t.digests(fork) == reference)
        #expect(try byteSnapshot(run) == before)

        let resumed = try t.run(["resume", run.path])
        #expect(resumed.status == 0, "\(resumed.err)")
        let notes = resumed.err.split(separator: "\n").filter { $0.hasPrefix("resume:") }
        #expect(notes.count == 1 && notes[0].contains("step 7") && notes[0].contains("continuing from step 6"), "\(resumed.err)")
        #expect(try t.digests(run) == reference)
        #expect(try t.run(["verify", run.path]).status == 0)
        if let kept {
            #expect(try Data(contentsOf: URL(fileURLWithPath: newest.path + ".damaged")) == kept)
        }
    }

    @Test func forkOnlyReadsItsSource() throws {
        let t = try TinyCLI("fork")
        defer {
            _ = try? execute(URL(fileURLWithPath: "/bin/chmod"), ["-R", "u+w", t.dir.path])
            try? FileManager.default.removeItem(at: t.dir)
        }
        let straight = t.dir.appendingPathComponent("straight")
        #expect(try t.run(t.searchArguments(straight)).status == 0)
        let reference = try t.digests(straight)
        let source = t.dir.appendingPathComponent("source")
        #expect(try t.run(t.searchArguments(source) + ["--max-steps", "7"]).status == 0)
        let before = try byteSnapshot(source)

        // Read-only archive (root ignores the mode bits: the snapshot is what proves no write).
        #expect(try execute(URL(fileURLWithPath: "/bin/chmod"), ["-R", "a-w", source.path]).status == 0)
        let a = t.dir.appendingPathComponent("a")
        let forkA = try t.run(["resume", source.path, "--from-step", "5", "--into", a.path])
        #expect(forkA.status == 0, "\(forkA.err)")
        #expect(try t.digests(a) == reference)
        #expect(try byteSnapshot(source) == before)
        #expect(try execute(URL(fileURLWithPath: "/bin/chmod"), ["-R", "u+w", source.path]).status == 0)

        // The source's writer lock held by another process: the fork still works, a writer is refused.
        let fd = open(source.appendingPathComponent(".lock").path, O_RDWR)
        #expect(fd >= 0 && flock(fd, LOCK_EX | LOCK_NB) == 0)
        let b = t.dir.appendingPathComponent("b")
        let forkB = try t.run(["resume", source.path, "--into", b.path])
        #expect(forkB.status == 0, "\(forkB.err)")
        #expect(try t.digests(b) == reference)
        let writer = try t.run(["resume", source.path])
        #expect(writer.status == 1 && oneLine(writer.err) && writer.err.contains("another process"), "\(writer.err)")
        close(fd)
        #expect(try byteSnapshot(source) == before)

        // A fork into the source itself is refused with one line and creates nothing.
        let inside = source.appendingPathComponent("checkpoints/fork")
        let refused = try t.run(["resume", source.path, "--from-step", "5", "--into", inside.path])
        #expect(refused.status == 64 && oneLine(refused.err) && refused.err.contains("--into"), "\(refused.err)")
        #expect(try byteSnapshot(source) == before)
        // Negative control: the snapshot does see a writer's changes.
        #expect(try t.run(["resume", source.path, "--max-steps", "1"]).status == 0)
        #expect(try byteSnapshot(source) != before)
    }

    @Test func statusAndSignals() throws {
        let t = try TinyCLI("signals")
        defer { try? FileManager.default.removeItem(at: t.dir) }
        let straight = t.dir.appendingPathComponent("straight")
        #expect(try t.run(t.searchArguments(straight)).status == 0)
        let reference = try t.digests(straight)
        let finished = try t.status(straight)
        #expect(finished["state"] == "finished" && finished["step"] == "20" && finished["time"]?.hasSuffix("Z") == true, "\(finished)")

        let cases: [(name: String, signals: [Int32])] = [("term", [SIGTERM]), ("hup", [SIGHUP]), ("int", [SIGINT]),
                                                         ("double-term", [SIGTERM, SIGTERM])]
        for c in cases {
            let run = t.dir.appendingPathComponent(c.name)
            let r = try t.interrupt(run, afterStep: 3, signals: c.signals)
            #expect(r.status == 75, "\(c.name): exit \(r.status), stderr: \(r.err)")
            let last = r.err.split(separator: "\n").last.map(String.init) ?? ""
            #expect(last.contains("dartsprime resume \(run.path)"), "\(c.name): \(r.err)")
            let status = try t.status(run)
            if c.signals.count == 1 {
                #expect(status["state"] == "preempted", "\(c.name): \(status)")
                let newest = try t.digests(run).last?.split(separator: ",").first.map(String.init)
                #expect(status["step"] == newest, "\(c.name)")
            }
            #expect(try t.run(["resume", run.path]).status == 0)
            #expect(try t.digests(run) == reference, "\(c.name)")
            #expect(try t.status(run)["state"] == "finished")
        }

        // SIGPIPE: stderr is a pipe whose reader is gone; the run still commits and ends cleanly.
        let piped = t.dir.appendingPathComponent("pipe")
        let p = Process()
        p.executableURL = t.exe
        p.arguments = t.searchArguments(piped) + ["--max-steps", "4"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = FileHandle.nullDevice
        try err.fileHandleForReading.close()
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationReason == .exit && p.terminationStatus == 0, "killed by signal \(p.terminationStatus)")
        #expect(try t.status(piped)["state"] == "stopped" && t.status(piped)["step"] == "4")
        #expect(try t.digests(piped) == Array(reference.prefix(5)))
    }
}
