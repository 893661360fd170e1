// The search seen from outside: the built binary runs a tiny search, is SIGKILLed or SIGTERMed
// mid-run and resumed, and the state digests of every step (from `export history`) equal those
// of an uninterrupted run. Also: clean refusal of bad flags and of finished runs.
import Foundation
import Testing

private let fashionMNIST = "/usr/share/datasets/fashion-mnist"

/// Reads the `state_digest` column of `dartsprime export RUN history --format csv`.
private func digests(_ exe: URL, _ run: URL) throws -> [String] {
    let r = try execute(exe, ["export", run.path, "history", "--format", "csv"])
    #expect(r.status == 0, "export failed: \(r.err)")
    let lines = r.out.split(separator: "\n").map(String.init)
    guard let header = lines.first?.split(separator: ",").map(String.init),
          let column = header.firstIndex(of: "state_digest") else { return [] }
    return lines.dropFirst().map { String($0.split(separator: ",", omittingEmptySubsequences: false)[column]) }
}

private func searchArguments(_ run: URL, method: String = "prime") -> [String] {
    var args = ["search", "--profile", "tiny", "--dataset", "fashion-mnist", "--seed", "101", "--run", run.path]
    let parts = method.split(separator: "/")
    args += ["--method", String(parts[0])]
    if parts.count > 1 && parts[1] == "second-order" { args.append("--second-order") }
    return args
}

/// Starts a search, waits until its newest checkpoint is at least `steps` (plus a random extra
/// delay), then sends `signal`.
private func interrupt(_ exe: URL, _ run: URL, afterSteps steps: Int, signal: Int32,
                       method: String = "prime") throws -> Int32 {
    let p = Process()
    p.executableURL = exe
    p.arguments = searchArguments(run, method: method)
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    let checkpoints = run.appendingPathComponent("checkpoints")
    let deadline = Date().addingTimeInterval(120)
    while Date() < deadline && p.isRunning {
        // Retention prunes older checkpoints: watch the newest step number, not the file count.
        let names = (try? FileManager.default.contentsOfDirectory(atPath: checkpoints.path)) ?? []
        let newest = names.filter { $0.hasPrefix("step-") && $0.hasSuffix(".h5") }
            .compactMap { Int($0.dropFirst(5).dropLast(3)) }.max() ?? 0
        if newest >= steps { break }
        usleep(2_000)
    }
    usleep(UInt32.random(in: 0...20_000))
    kill(p.processIdentifier, signal)
    p.waitUntilExit()
    return p.terminationStatus
}

@Suite(.serialized, .enabled(if: FileManager.default.fileExists(atPath: fashionMNIST)))
struct SearchEndToEnd {
    @Test func killedAndTerminatedSearchesResumeBitExactly() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("search")
        defer { try? FileManager.default.removeItem(at: dir) }
        let straight = dir.appendingPathComponent("straight")
        let r = try execute(exe, searchArguments(straight))
        #expect(r.status == 0, "search failed: \(r.err)")
        #expect(r.out.hasPrefix("Genotype(normal=["), "stdout: \(r.out)")
        #expect(r.err.contains("epoch"), "no progress on stderr")
        let reference = try digests(exe, straight)
        #expect(reference.count > 10)

        for (trial, sig) in [SIGKILL, SIGKILL, SIGTERM].enumerated() {
            let run = dir.appendingPathComponent("interrupted-\(trial)")
            let status = try interrupt(exe, run, afterSteps: 2 + 3 * trial, signal: sig)
            if sig == SIGTERM {
                #expect(status == 75, "SIGTERM should commit the step and exit 75, got \(status)")
            }
            let resumed = try execute(exe, ["resume", run.path])
            #expect(resumed.status == 0, "resume failed: \(resumed.err)")
            #expect(try digests(exe, run) == reference, "trial \(trial) (signal \(sig))")
            #expect(try execute(exe, ["verify", run.path]).status == 0)
        }

        // Resuming a finished run says so and changes nothing.
        let again = try execute(exe, ["resume", straight.path])
        #expect(again.status == 0)
        #expect(again.err.contains("already finished"), "stderr: \(again.err)")
        #expect(try digests(exe, straight) == reference)

        // --max-steps stops cleanly; a fork of a stored step (tiny keeps every 5th) into a new run leaves the original alone.
        let partial = dir.appendingPathComponent("partial")
        var args = searchArguments(partial)
        args += ["--max-steps", "5"]
        let stopped = try execute(exe, args)
        #expect(stopped.status == 0, "--max-steps: \(stopped.err)")
        #expect(try digests(exe, partial) == Array(reference.prefix(6)))  // steps 0…5
        let fork = dir.appendingPathComponent("fork")
        let forked = try execute(exe, ["resume", straight.path, "--from-step", "5", "--into", fork.path])
        #expect(forked.status == 0, "fork: \(forked.err)")
        #expect(try digests(exe, fork) == reference)
        #expect(try digests(exe, straight) == reference)
    }

    @Test("every method survives a SIGKILL at a random moment",
          arguments: ["darts", "cs10", "fimt", "pr", "prime+crb", "darts+crb", "fimt+crb", "darts+admm", "fimt+admm",
                      "fimt+admm+crb", "darts/second-order"])
    func everyMethodSurvivesSIGKILL(_ method: String) throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("kill-\(method.replacingOccurrences(of: "/", with: "-"))")
        defer { try? FileManager.default.removeItem(at: dir) }
        let straight = dir.appendingPathComponent("straight")
        let r = try execute(exe, searchArguments(straight, method: method))
        #expect(r.status == 0, "\(method): \(r.err)")
        let reference = try digests(exe, straight)
        let run = dir.appendingPathComponent("killed")
        _ = try interrupt(exe, run, afterSteps: Int.random(in: 1...reference.count - 2), signal: SIGKILL, method: method)
        let resumed = try execute(exe, ["resume", run.path])
        #expect(resumed.status == 0, "\(method) resume: \(resumed.err)")
        #expect(try digests(exe, run) == reference, "\(method)")
    }

    @Test func badFlagsAndMissingDataGiveOneLineErrors() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("badflags")
        defer { try? FileManager.default.removeItem(at: dir) }
        let bogus = try execute(exe, searchArguments(dir.appendingPathComponent("a"), method: "bogus"))
        #expect(bogus.status != 0)
        #expect(bogus.err.contains("bogus"))
        let missing = try execute(exe, searchArguments(dir.appendingPathComponent("b")) + ["--data", "/nonexistent/fmnist"])
        #expect(missing.status != 0)
        #expect(missing.err.contains("/nonexistent/fmnist"))
        #expect(missing.err.split(separator: "\n").count == 1, "stderr: \(missing.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("b").path))
        // CIFAR is not shipped: without --data the error says where it looked and which flag to use.
        let cifar = try execute(exe, ["search", "--profile", "tiny", "--dataset", "cifar10", "--run", dir.appendingPathComponent("c").path])
        #expect(cifar.status != 0)
        #expect(cifar.err.contains("--data") && cifar.err.contains("cifar-10-batches-bin"), "stderr: \(cifar.err)")
        let noRun = try execute(exe, ["resume", dir.appendingPathComponent("none").path])
        #expect(noRun.status != 0)
        #expect(noRun.err.split(separator: "\n").count == 1, "stderr: \(noRun.err)")
    }
}
