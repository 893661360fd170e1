// `dartsprime audit`: re-runs the seed records of seeds/ (or a slice of a stored run) and says
// whether the bits still match; `--record` (make seeds) rewrites the records deliberately.

import ArgumentParser
import Analysis
import Foundation
import RunStore
import Search
import Training

struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Re-run the seed records (seeds/) or a slice of a run and compare the bits.",
        discussion: """
        Without --run: re-runs every record in the seeds folder from step 0 and reports per seed \
        and method `match` or the first differing step and tensor, with the environment \
        differences that could explain it. With --run: re-executes steps of a stored run from \
        one of its checkpoints and compares them with the run's recorded state digests (nothing \
        in the run is written). Exit 0 when everything matches, 1 on a mismatch; the last line \
        of stdout is the summary. --record rewrites the records (what `make seeds` runs).
        """)

    @Option(name: .customLong("seeds"), help: "Folder of seed records (default: ./seeds, else the seeds/ of the checkout that built this binary).")
    var seedsFolder: String?
    @Option(name: .customLong("only"), help: "Audit only these records, e.g. 101-prime (repeatable).")
    var only: [String] = []
    @Option(name: .customLong("run"), help: "Audit a stored run instead of the seed records.")
    var runDirectory: String?
    @Option(name: .customLong("from-step"), help: "With --run: the checkpoint to re-execute from (default: the oldest kept).")
    var fromStep: Int?
    @Option(name: .customLong("steps"), help: "Compare at most this many steps (default: all recorded).")
    var steps: Int?
    @Flag(name: .customLong("record"), help: "Rewrite the seed records from this binary (make seeds); never done by a test.")
    var record = false

    /// The records `make seeds` writes: seeds 101–104 × darts and prime, tiny profile on
    /// Fashion-MNIST, 24 steps of darts (4 epochs) and 30 of prime (3 epochs; its α split is
    /// smaller, so its epochs are longer).
    static let recordSeeds = [101, 102, 103, 104]
    static let recordMethods = ["darts", "prime"]
    static func recordArguments(seed: Int, method: String) -> [String] {
        ["--profile", "tiny", "--dataset", "fashion-mnist", "--seed", String(seed), "--method", method,
         "--epochs", method == "darts" ? "4" : "3"]
    }

    func validate() throws {
        if let s = steps, s < 1 { throw ValidationError("--steps must be at least 1 (got \(s))") }
        if let s = fromStep, s < 0 { throw ValidationError("--from-step must be 0 or more (got \(s))") }
        if fromStep != nil && runDirectory == nil { throw ValidationError("--from-step needs --run RUN") }
        if record && runDirectory != nil { throw ValidationError("--record writes seed records; it cannot be combined with --run") }
    }

    func run() throws {
        let audit = Audit(kinds: SearchLauncher.launcher.kinds)
        if let runDirectory {
            let result = try audit.audit(run: URL(fileURLWithPath: runDirectory), fromStep: fromStep, steps: steps)
            StandardStreams.writeLine(result.text)
            try finish([result])
        } else if record {
            try writeRecords(audit)
        } else {
            let folder = try seedsDirectory()
            var entries = try SeedRecord.all(in: folder)
            if !only.isEmpty {
                let unknown = only.filter { name in !entries.contains { $0.record.name == name } }
                if !unknown.isEmpty { throw ValidationError("--only \(unknown.joined(separator: ", ")): no such record in \(folder.path)") }
                entries = entries.filter { only.contains($0.record.name) }
            }
            guard !entries.isEmpty else { throw RuntimeFailure("\(folder.path) holds no seed records (make seeds writes them)") }
            var results: [AuditResult] = []
            for (i, entry) in entries.enumerated() {
                StandardStreams.writeError("audit \(i + 1)/\(entries.count): \(entry.record.name) (\(entry.url.lastPathComponent))\n")
                let result = try audit.audit(entry.record, steps: steps)
                StandardStreams.writeLine(result.text)
                results.append(result)
            }
            try finish(results)
        }
    }

    /// The summary line; exit 1 when anything differs.
    func finish(_ results: [AuditResult]) throws {
        let bad = results.filter { !$0.matches }
        if bad.isEmpty {
            StandardStreams.writeLine("audit: \(results.count) of \(results.count) match")
        } else {
            let first = bad.map { "\($0.subject) at step \($0.mismatch!.step)" }.joined(separator: ", ")
            StandardStreams.writeLine("audit: \(bad.count) of \(results.count) differ (\(first))")
            throw ExitCode(1)
        }
    }

    func seedsDirectory() throws -> URL {
        if let seedsFolder { return URL(fileURLWithPath: seedsFolder) }
        let local = URL(fileURLWithPath: "seeds")
        if FileManager.default.fileExists(atPath: local.path) { return local }
        if let checkout = RunEnvironment.buildCheckout?.appendingPathComponent("seeds"),
           FileManager.default.fileExists(atPath: checkout.path) { return checkout }
        throw RuntimeFailure("no seeds/ folder here or in the checkout of this binary; give --seeds DIR")
    }

    func writeRecords(_ audit: Audit) throws {
        let folder = URL(fileURLWithPath: seedsFolder ?? "seeds")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for seed in Self.recordSeeds {
            for method in Self.recordMethods {
                let name = "\(seed)-\(method)"
                let arguments = Self.recordArguments(seed: seed, method: method)
                let configuration = try SearchCommand.parse(arguments).makeConfiguration()
                let search = try CNNSearch(configuration: configuration)
                let record = try audit.record(search, name: name, seed: seed, method: method,
                                              arguments: ["search"] + arguments, steps: steps)
                let url = folder.appendingPathComponent("\(name).json")
                try record.write(to: url)
                StandardStreams.writeError("recorded \(name): \(record.steps.count) steps → \(url.path)\n")
            }
        }
        StandardStreams.writeLine("seeds: \(Self.recordSeeds.count * Self.recordMethods.count) records written to \(folder.path)")
    }
}
