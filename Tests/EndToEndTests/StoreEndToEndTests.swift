// The store seen from outside: the built `dartsprime` binary is SIGKILLed mid-commit many
// times, `verify` and `export` are run as a user would, and h5dump (an independent HDF5
// reader) confirms FORMAT.md's layout and digests.
import Foundation
import Testing
import RunStore
import Benchmarks

/// The built executable next to the test bundle.
func dartsprimeBinary() throws -> URL {
    let candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent(),
                      Bundle.main.bundleURL.deletingLastPathComponent(), Bundle.main.bundleURL]
    for dir in candidates {
        let url = dir.appendingPathComponent("dartsprime")
        if FileManager.default.isExecutableFile(atPath: url.path) { return url }
    }
    throw StoreError.io(file: "dartsprime", reason: "the built executable was not found next to the tests")
}

struct Outcome { var status: Int32; var out: String; var err: String }

/// Runs `exe` with `args`; `environment` entries are added to (and override) this process's.
func execute(_ exe: URL, _ args: [String], environment: [String: String] = [:]) throws -> Outcome {
    let p = Process()
    p.executableURL = exe
    p.arguments = args
    if !environment.isEmpty {
        p.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
    }
    let out = Pipe(), err = Pipe()
    p.standardOutput = out; p.standardError = err
    try p.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return Outcome(status: p.terminationStatus, out: String(decoding: o, as: UTF8.self), err: String(decoding: e, as: UTF8.self))
}

func scratch(_ label: String) -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(label)-\(getpid())-\(UInt32.random(in: 0...UInt32.max))")
    try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

@Suite(.serialized) struct StoreEndToEnd {
    /// SIGKILLs `store-torture` at random instants (up to 40 times or 30 s) and after each kill
    /// checks what survived; returns the problems found (it stops at the first broken store).
    static func killTrials(nonAtomic: Bool) throws -> (trials: Int, lostInFlight: Int, problems: [String]) {
        let exe = try dartsprimeBinary()
        let dir = scratch(nonAtomic ? "crash-nonatomic" : "crash")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run")
        let start = Date()
        var trials = 0, lostInFlight = 0, previousLatest = 0
        var problems: [String] = []
        while trials < 40 && Date().timeIntervalSince(start) < 30 && problems.isEmpty {
            trials += 1
            let p = Process()
            p.executableURL = exe
            p.arguments = ["store-torture", run.path] + (nonAtomic ? ["--non-atomic"] : [])
            let pipe = Pipe()
            p.standardOutput = pipe
            p.standardError = FileHandle.nullDevice
            try p.run()
            let delay = UInt32.random(in: 20_000...250_000)
            usleep(delay)
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let printed = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            // Steps acknowledged so far: this child's last report, or what survived earlier trials.
            let printedStep = printed.split(separator: "\n").last.flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
            let reported = max(printedStep, previousLatest)
            let tag = "trial \(trials) (kill after \(delay) µs)"
            guard FileManager.default.fileExists(atPath: run.appendingPathComponent("run.json").path) else {
                if reported != 0 { problems.append("\(tag): steps reported but no run") }
                continue
            }
            do {
                let store = try RunStore.open(at: run)
                defer { store.close() }
                let latest = store.latestStep ?? 0
                if !(latest >= reported && latest <= reported + 1) { problems.append("\(tag): latest \(latest), reported \(reported)") }
                if latest > reported { lostInFlight += 1 }
                previousLatest = latest
                if latest > 0, try store.load(step: latest) != StoreTortureWorkload.checkpoint(step: latest) {
                    problems.append("\(tag): step \(latest) does not hold the state committed for it")
                }
                if try store.history().map(\.step) != Array(stride(from: 1, through: latest, by: 1)) {
                    problems.append("\(tag): history is not steps 1...\(latest)")
                }
                let report = try store.verify()
                if !report.isClean { problems.append("\(tag): verify: \(report.problems)") }
                let leftovers = try FileManager.default.contentsOfDirectory(atPath: run.appendingPathComponent("checkpoints").path)
                    .filter { $0.hasPrefix(".tmp-") }
                if !leftovers.isEmpty { problems.append("\(tag): temporaries left after open: \(leftovers)") }
            } catch {
                problems.append("\(tag): \(error)")
            }
        }
        if problems.isEmpty {
            let final = try RunStore.open(at: run, readOnly: true)
            if (final.latestStep ?? 0) == 0 { problems.append("no step was ever committed in \(trials) trials") }
        }
        return (trials, lostInFlight, problems)
    }

    @Test func sigkillAtRandomInstantsNeverLosesACommittedStep() throws {
        let (trials, lostInFlight, problems) = try Self.killTrials(nonAtomic: false)
        #expect(problems.isEmpty, "\(problems)")
        #expect(trials >= 10)
        print("crash test: \(trials) kills, \(lostInFlight) landed after a commit point but before its report")
    }

    /// Negative control: the same kills against a writer that overwrites files in place must
    /// be caught leaving a broken store, or the crash test above proves nothing.
    @Test func sigkillOfANonAtomicWriterIsCaught() throws {
        let (trials, _, problems) = try Self.killTrials(nonAtomic: true)
        #expect(!problems.isEmpty, "\(trials) kills of a non-atomic writer left no detectable damage")
        print("crash test negative control: broken after \(trials) kills: \(problems.first ?? "-")")
    }

    @Test func verifyAndExportFromTheCommandLine() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("cli")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run")
        #expect(try execute(exe, ["store-torture", run.path, "--max-steps", "6"]).status == 0)
        let ok = try execute(exe, ["verify", run.path])
        #expect(ok.status == 0 && ok.out.hasPrefix("ok:"))
        let store = try RunStore.open(at: run, readOnly: true)
        let rows = try store.history()
        let csv = try execute(exe, ["export", run.path, "history", "--format", "csv"])
        let lines = csv.out.split(separator: "\n")
        #expect(csv.status == 0 && lines.count == 7 && lines[0].hasPrefix("step,epoch_end,") && lines[0].hasSuffix(",state_digest"))
        #expect(lines.dropFirst().map { String($0.split(separator: ",").last!) } == rows.map(\.stateDigest))
        let json = try execute(exe, ["export", run.path, "history", "--format", "json"])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [[String: Any]]
        #expect(parsed?.compactMap { $0["state_digest"] as? String } == rows.map(\.stateDigest))
        // Corrupt one stored tensor: verify names the file and fails; the file is left as it was.
        let file = run.appendingPathComponent("checkpoints/step-00000006.h5")
        var bytes = try Data(contentsOf: file)
        let needle = withUnsafeBytes(of: Float(6.001).bitPattern.littleEndian) { Data($0) }
        let at = try #require(bytes.range(of: needle)).lowerBound
        bytes[at] ^= 0x40
        try bytes.write(to: file)
        let bad = try execute(exe, ["verify", run.path])
        #expect(bad.status != 0 && bad.err.contains(file.path) && bad.err.contains("digest mismatch"))
        #expect(bad.err.split(separator: "\n").count == 1)
        #expect(try Data(contentsOf: file) == bytes)
        let missing = try execute(exe, ["export", dir.appendingPathComponent("none").path, "history"])
        #expect(missing.status != 0 && missing.err.split(separator: "\n").count == 1 && missing.err.contains("none"))
    }

    @Test func h5dumpReadsWhatFormatMdDescribes() throws {
        let exe = try dartsprimeBinary()
        let dir = scratch("h5dump")
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run")
        #expect(try execute(exe, ["store-torture", run.path, "--max-steps", "3"]).status == 0)
        let h5dump = URL(fileURLWithPath: "/usr/bin/h5dump")
        let ck = run.appendingPathComponent("checkpoints/step-00000003.h5").path
        let header = try execute(h5dump, ["-A", ck])
        for needle in ["\"dartsprime-checkpoint\"", "ATTRIBUTE \"format_version\"", "ATTRIBUTE \"state_digest\"", "GROUP \"arrays\"",
                       "GROUP \"weights\"", "DATASET \"w\"", "H5T_IEEE_F32LE", "GROUP \"history_row\"", "GROUP \"meta\"",
                       "DATASET \"configuration_json\"", "GROUP \"scalars\"", "GROUP \"integers\"", "GROUP \"strings\""] {
            #expect(header.out.contains(needle), "h5dump -A lacks \(needle)")
        }
        // Raw bytes of a tensor, as h5dump writes them, match the data and its sha256 attribute.
        let bin = dir.appendingPathComponent("w.bin").path
        #expect(try execute(h5dump, ["-d", "/arrays/weights/w", "-b", "LE", "-o", bin, ck]).status == 0)
        let expected = StoreTortureWorkload.checkpoint(step: 3).arrays["weights/w"]!
        guard case .float32(let w) = expected.data else { Issue.record("workload changed"); return }
        let raw = try Data(contentsOf: URL(fileURLWithPath: bin))
        #expect(raw == w.withUnsafeBytes { Data($0) })
        let attr = try execute(h5dump, ["-a", "/arrays/weights/w/sha256", ck]).out
        #expect(attr.contains("\"\(StateDigest.tensor(expected))\""))
        // The history segment's columns and its digest column agree with the checkpoint.
        let seg = run.appendingPathComponent("history/segment-000000.h5").path
        let steps = try execute(h5dump, ["-d", "/step", seg]).out
        #expect(steps.contains("H5T_STD_I64LE") && steps.contains("(0): 1, 2, 3"))
        let digests = try execute(h5dump, ["-d", "/state_digest", seg]).out
        let rootDigest = try RunStore.open(at: run, readOnly: true).history()[2].stateDigest
        #expect(digests.contains("(2): \"\(rootDigest)\""))
        #expect(header.out.contains("\"\(rootDigest)\""))
    }
}
