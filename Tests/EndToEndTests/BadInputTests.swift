// The hostile tester's inputs of issue 14 against the built binary: bad flag values (every numeric
// flag of search, evaluate, demo and bench), configurations too big for the machine, bad data
// folders, damaged run folders, bad environment settings and a stdout that cannot be written.
// Each case must exit with its documented status, print exactly one `error:` line naming the flag
// or file, and leave every file and folder of the fixture byte-identical (none added or removed).

import Foundation
import Testing

/// One hostile command line: `{root}` stands for the fixture folder.
struct BadInput: Sendable, CustomStringConvertible {
    var arguments: [String]
    var status: Int32
    /// What the one line must contain (a flag, a file, a suggestion).
    var names: [String]
    var environment: [String: String] = [:]
    /// Where stdout goes (e.g. /dev/full); nil: a pipe.
    var stdout: String? = nil
    var description: String { (environment.map { "\($0)=\($1) " }.joined()) + arguments.joined(separator: " ") + (stdout.map { " > \($0)" } ?? "") }
}

/// Folders and files the cases point at, built once: synthetic CIFAR data (whole, with a truncated
/// batch the subset does not read, with a folder for a file), a run of two steps, a folder with a
/// precious file beside a `status.json`, a run whose run.json is cut short, a plain file.
enum BadInputFixture {
    static let root: URL = {
        let root = scratch("bad-input")
        do {
            let cifar = root.appendingPathComponent("cifar")
            try DigestFixture.writeSyntheticCIFAR(into: cifar)
            let fm = FileManager.default
            let truncated = root.appendingPathComponent("truncated-cifar")
            try fm.copyItem(at: cifar, to: truncated)
            let batch3 = truncated.appendingPathComponent("data_batch_3.bin")
            try Data(contentsOf: batch3).prefix(3073 * 7 + 100).write(to: batch3)
            let folderForFile = root.appendingPathComponent("folder-for-file")
            try fm.copyItem(at: cifar, to: folderForFile)
            try fm.removeItem(at: folderForFile.appendingPathComponent("data_batch_2.bin"))
            try fm.createDirectory(at: folderForFile.appendingPathComponent("data_batch_2.bin"), withIntermediateDirectories: false)
            let r = try execute(try dartsprimeBinary(), ["search", "--profile", "tiny", "--dataset", "cifar10", "--data", cifar.path,
                                                         "--run", root.appendingPathComponent("run").path, "--max-steps", "2"])
            precondition(r.status == 0, "fixture search failed: \(r.err)")
            let precious = root.appendingPathComponent("precious")
            try fm.createDirectory(at: precious, withIntermediateDirectories: false)
            try Data("{\"state\":\"running\"}\n".utf8).write(to: precious.appendingPathComponent("status.json"))
            try Data("results of a week\n".utf8).write(to: precious.appendingPathComponent("precious.txt"))
            let broken = root.appendingPathComponent("broken-run")
            try fm.createDirectory(at: broken, withIntermediateDirectories: false)
            try Data(contentsOf: root.appendingPathComponent("run/run.json")).prefix(60).write(to: broken.appendingPathComponent("run.json"))
            try Data("not a folder\n".utf8).write(to: root.appendingPathComponent("a-file.txt"))
            try fm.createDirectory(at: root.appendingPathComponent("genotype-folder"), withIntermediateDirectories: false)
        } catch {
            preconditionFailure("bad-input fixture: \(error)")
        }
        return root
    }()

    /// Every file's bytes and every folder (as nil) under `root`, by relative path.
    static func snapshot() -> [String: Data?] {
        var out: [String: Data?] = [:]
        let fm = FileManager.default
        guard let walker = fm.enumerator(atPath: root.path) else { return out }
        for case let path as String in walker {
            var isDir: ObjCBool = false
            _ = fm.fileExists(atPath: root.appendingPathComponent(path).path, isDirectory: &isDir)
            out[path] = isDir.boolValue ? .some(nil) : (try? Data(contentsOf: root.appendingPathComponent(path)))
        }
        return out
    }
}

private let tinySearch = ["search", "--profile", "tiny", "--dataset", "cifar10", "--data", "{root}/cifar", "--run", "{root}/new"]
private let genotype = "Genotype(normal=[('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 0), ('sep_conv_3x3', 1), ('sep_conv_3x3', 1), ('skip_connect', 0), ('skip_connect', 0), ('dil_conv_3x3', 2)], normal_concat=range(2, 6), reduce=[('max_pool_3x3', 0), ('max_pool_3x3', 1), ('skip_connect', 2), ('max_pool_3x3', 1), ('max_pool_3x3', 0), ('skip_connect', 2), ('skip_connect', 2), ('max_pool_3x3', 1)], reduce_concat=range(2, 6))"
private let tinyEvaluate = ["evaluate", "--genotype", genotype, "--profile", "tiny", "--dataset", "cifar10", "--data", "{root}/cifar", "--run", "{root}/new"]

/// A search flag with a bad value: exit 64 naming the flag.
private func searchFlag(_ flag: String, _ value: String, extra: [String] = []) -> BadInput {
    BadInput(arguments: tinySearch + extra + [flag, value], status: 64, names: [flag])
}

private func evaluateFlag(_ flag: String, _ value: String) -> BadInput {
    BadInput(arguments: tinyEvaluate + [flag, value], status: 64, names: [flag])
}

@Suite(.serialized) struct BadInputs {
    static let cases: [BadInput] = [
        // Every numeric search flag, out of its SPEC range (item 3); negative values are values (item 10).
        searchFlag("--batch-size", "-1"), searchFlag("--lr", "nan"), searchFlag("--lr", "inf"), searchFlag("--lr", "0"),
        searchFlag("--lr", "1e39"), searchFlag("--lr-min", "-1"), searchFlag("--momentum", "1"),
        searchFlag("--weight-decay", "-3e-4"), searchFlag("--grad-clip", "0"), searchFlag("--arch-lr", "nan"),
        searchFlag("--arch-beta1", "1.5"), searchFlag("--arch-beta2", "-0.1"), searchFlag("--arch-eps", "0"),
        searchFlag("--arch-weight-decay", "-1e-3"), searchFlag("--step-ratio", "0"), searchFlag("--tau0", "0"),
        searchFlag("--gamma-inc", "0.5"), searchFlag("--fimt-beta", "0"), searchFlag("--train-fraction", "1"),
        searchFlag("--rho", "-0.1"), searchFlag("--admm-freq", "0", extra: ["--method", "darts+admm"]),
        searchFlag("--admm-discount", "2"), searchFlag("--epochs", "0"), searchFlag("--eval-batch-size", "0"),
        searchFlag("--init-channels", "0"), searchFlag("--layers", "2"), searchFlag("--keep-last", "-1"),
        searchFlag("--keep-every", "-1"), searchFlag("--max-steps", "-1"), searchFlag("--subset", "-5"),
        searchFlag("--seed", "-1"),
        // Too big for the machine: refused at once with the estimate (item 4).
        BadInput(arguments: tinySearch + ["--init-channels", "100000"], status: 64, names: ["--init-channels 100000", "estimated"]),
        BadInput(arguments: tinySearch + ["--layers", "1000000"], status: 64, names: ["--layers 1000000", "estimated"]),
        BadInput(arguments: tinyEvaluate + ["--init-channels", "100000"], status: 64, names: ["--init-channels 100000", "estimated"]),
        BadInput(arguments: ["bench", "step", "--init-channels", "100000"], status: 64, names: ["estimated"]),
        // evaluate's and bench's numbers go through the same checks.
        evaluateFlag("--lr", "nan"), evaluateFlag("--drop-path", "1"), evaluateFlag("--cutout", "-1"),
        evaluateFlag("--auxiliary-weight", "-0.4"), evaluateFlag("--momentum", "-0.5"), evaluateFlag("--test-subset", "-1"),
        BadInput(arguments: ["evaluate", "{root}/run", "--step", "-1"], status: 64, names: ["--step"]),
        BadInput(arguments: ["evaluate", "--genotype-file", "{root}/genotype-folder", "--profile", "tiny"], status: 1,
                 names: ["{root}/genotype-folder", "is a folder"]),
        BadInput(arguments: ["bench", "step", "--batch-size", "-1"], status: 64, names: ["--batch-size"]),
        BadInput(arguments: ["bench", "eval", "--iterations", "-1"], status: 64, names: ["--iterations"]),
        BadInput(arguments: ["bench", "kernels", "--reps", "-1"], status: 64, names: ["--reps"]),
        BadInput(arguments: ["bench", "data", "--batch-size", "nan"], status: 64, names: ["--batch-size"]),
        // The demo never takes over a folder it did not create (item 1).
        BadInput(arguments: ["demo", "--run", "{root}/precious"], status: 1, names: ["{root}/precious", "new or empty"]),
        BadInput(arguments: ["demo", "--run", "{root}/run"], status: 1, names: ["dartsprime resume {root}/run"]),
        BadInput(arguments: ["demo", "--seed", "-1"], status: 64, names: ["--seed"]),
        // Run folders (item 10).
        BadInput(arguments: tinySearch.dropLast() + ["{root}/run"], status: 1, names: ["dartsprime resume {root}/run"]),
        BadInput(arguments: ["resume", "{root}/broken-run"], status: 1, names: ["{root}/broken-run/run.json", "truncated"]),
        BadInput(arguments: ["resume", "{root}/run", "--from-step", "-1", "--into", "{root}/fork"], status: 64, names: ["--from-step"]),
        BadInput(arguments: ["resume", "{root}/run", "--max-steps", "-1"], status: 64, names: ["--max-steps"]),
        BadInput(arguments: ["replay", "{root}/run", "--step", "-1"], status: 64, names: ["--step"]),
        BadInput(arguments: ["verify", "{root}/a-file.txt"], status: 1, names: ["{root}/a-file.txt"]),
        // Data folders, checked whole before the first step (item 10).
        BadInput(arguments: tinySearch + ["--data", "{root}/a-file.txt"], status: 1, names: ["{root}/a-file.txt", "must be the folder"]),
        BadInput(arguments: tinySearch + ["--data", "{root}/truncated-cifar", "--subset", "20"], status: 1,
                 names: ["{root}/truncated-cifar/data_batch_3.bin", "truncated"]),
        BadInput(arguments: tinySearch + ["--data", "{root}/folder-for-file"], status: 1,
                 names: ["{root}/folder-for-file/data_batch_2.bin", "is a folder"]),
        BadInput(arguments: tinySearch + ["--data", "{root}/missing"], status: 1, names: ["{root}/missing"]),
        // The environment is refused, not coerced (item 10).
        BadInput(arguments: ["verify", "{root}/run"], status: 64, names: ["DARTSPRIME_THREADS", "'0'"], environment: ["DARTSPRIME_THREADS": "0"]),
        BadInput(arguments: ["verify", "{root}/run"], status: 64, names: ["DARTSPRIME_THREADS", "'-2'"], environment: ["DARTSPRIME_THREADS": "-2"]),
        BadInput(arguments: tinySearch, status: 64, names: ["DARTSPRIME_THREADS", "'many'"], environment: ["DARTSPRIME_THREADS": "many"]),
        BadInput(arguments: ["verify", "{root}/run"], status: 64, names: ["DARTSPRIME_SPIN_US"], environment: ["DARTSPRIME_SPIN_US": "-1"]),
        // A report that cannot be written is a failure, not a crash or exit 0 (item 4).
        BadInput(arguments: ["export", "{root}/run", "history"], status: 1, names: ["standard output", "No space left"], stdout: "/dev/full"),
        BadInput(arguments: ["verify", "{root}/run"], status: 1, names: ["standard output"], stdout: "/dev/full"),
        BadInput(arguments: ["replay", "{root}/run"], status: 1, names: ["standard output"], stdout: "/dev/full"),
        BadInput(arguments: ["replay", "{root}/run", "--all-steps", "--format", "json"], status: 1, names: ["standard output"], stdout: "/dev/full"),
        BadInput(arguments: ["--help"], status: 1, names: ["standard output", "No space left"], stdout: "/dev/full"),
        BadInput(arguments: ["search", "--help"], status: 1, names: ["standard output"], stdout: "/dev/full"),
        BadInput(arguments: ["help", "export"], status: 1, names: ["standard output"], stdout: "/dev/full"),
        // ArgumentParser's own errors: one line, exit 64.
        BadInput(arguments: ["search", "--bogus"], status: 64, names: ["--bogus"]),
        BadInput(arguments: ["search", "--batch-size"], status: 64, names: ["--batch-size"]),
        BadInput(arguments: ["resume"], status: 64, names: ["run-directory"]),
    ]

    @Test(arguments: cases)
    func refusedWithOneLineAndNothingTouched(_ c: BadInput) throws {
        let root = BadInputFixture.root.path
        let before = BadInputFixture.snapshot()
        let args = c.arguments.map { $0.replacingOccurrences(of: "{root}", with: root) }
        let r: Outcome
        if let path = c.stdout {
            r = try executeWithStdout(try dartsprimeBinary(), args, stdout: path, environment: c.environment)
        } else {
            r = try execute(try dartsprimeBinary(), args, environment: c.environment)
        }
        #expect(r.status == c.status, "\(c): exit \(r.status), stderr: \(r.err)")
        let lines = r.err.split(separator: "\n", omittingEmptySubsequences: false).dropLast()
        #expect(lines.count == 1 && r.err.hasSuffix("\n") && r.err.hasPrefix("error: "), "\(c): stderr: \(r.err)")
        for name in c.names.map({ $0.replacingOccurrences(of: "{root}", with: root) }) {
            #expect(r.err.contains(name), "\(c): stderr does not name \(name): \(r.err)")
        }
        let after = BadInputFixture.snapshot()
        #expect(Set(after.keys) == Set(before.keys), "\(c): added \(Set(after.keys).subtracting(before.keys)), removed \(Set(before.keys).subtracting(after.keys))")
        for (path, bytes) in before where after[path] != bytes {
            Issue.record("\(c): \(path) changed")
        }
    }

    @Test func theTableCoversAtLeastFortyCases() {
        #expect(Self.cases.count >= 40)
    }

    /// Negative control of the snapshot comparison: a changed byte and a new file are both seen.
    @Test func snapshotSeesChanges() throws {
        let before = BadInputFixture.snapshot()
        let probe = BadInputFixture.root.appendingPathComponent("precious/precious.txt")
        let original = try Data(contentsOf: probe)
        try Data("changed\n".utf8).write(to: probe)
        let extra = BadInputFixture.root.appendingPathComponent("extra")
        try Data().write(to: extra)
        let after = BadInputFixture.snapshot()
        try original.write(to: probe)
        try FileManager.default.removeItem(at: extra)
        #expect(after["precious/precious.txt"] != before["precious/precious.txt"])
        #expect(after["extra"] != nil && before["extra"] == nil)
        #expect(BadInputFixture.snapshot() == before)
    }

    @Test func tooBigConfigurationsFailFast() throws {
        let exe = try dartsprimeBinary()
        for flags in [["--init-channels", "100000"], ["--layers", "1000000"]] {
            let started = Date()
            let r = try execute(exe, ["search", "--profile", "tiny", "--dataset", "fashion-mnist", "--run",
                                      BadInputFixture.root.appendingPathComponent("never").path] + flags)
            #expect(r.status == 64 && r.err.contains("estimated"), "\(flags): \(r.err)")
            #expect(Date().timeIntervalSince(started) < 5, "\(flags) took \(Date().timeIntervalSince(started)) s")
        }
    }
}

/// `execute` with stdout sent to the file at `path` (e.g. /dev/full).
func executeWithStdout(_ exe: URL, _ args: [String], stdout path: String, environment: [String: String] = [:]) throws -> Outcome {
    let p = Process()
    p.executableURL = exe
    p.arguments = args
    if !environment.isEmpty { p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new } }
    guard let out = FileHandle(forWritingAtPath: path) else { throw CocoaError(.fileNoSuchFile) }
    let err = Pipe()
    p.standardOutput = out
    p.standardError = err
    try p.run()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Outcome(status: p.terminationStatus, out: "", err: String(decoding: e, as: UTF8.self))
}
