// Never a dead end: step 0 is committed when a run is created; resume falls back past a damaged
// or missing newest checkpoint (moving it aside, never deleting it); a fork only reads its
// source; verify names every missing or damaged checkpoint; status.json says how a run ended.

import Testing
import Foundation
import RunStore
@testable import Training

/// Every file under `dir` (hidden ones included) with its bytes: equal snapshots mean nothing was written.
func snapshot(_ dir: URL) throws -> [String: Data] {
    var out: [String: Data] = [:]
    let base = dir.standardizedFileURL.path
    for case let url as URL in FileManager.default.enumerator(at: dir, includingPropertiesForKeys: nil)! {
        var isDir: ObjCBool = false
        _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir)
        let name = String(url.standardizedFileURL.path.dropFirst(base.count))
        out[name] = isDir.boolValue ? Data("<dir>".utf8) : try Data(contentsOf: url)
    }
    return out
}

/// Cuts `file` to half its size, as a full disk or a torn copy would.
func truncateToHalf(_ file: URL) throws {
    let bytes = try Data(contentsOf: file)
    try bytes.prefix(bytes.count / 2).write(to: file)
}

final class Notices: @unchecked Sendable {
    var lines: [String] = []
}

@Suite("Recovery, forks and status", .serialized)
struct RecoveryTests {
    let notices = Notices()
    var launcher: RunLauncher { RunLauncher(kinds: [ToyRun.self], notice: { [notices] in notices.lines.append($0) }) }

    func straightReference() throws -> [String] {
        let dir = scratchDirectory("ref")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try launcher.start(ToyRun(ToyConfiguration()), directory: dir, maxSteps: nil)
        return try digests(dir)
    }

    func checkpoint(_ dir: URL, _ step: Int) -> URL {
        dir.appendingPathComponent("checkpoints").appendingPathComponent(String(format: "step-%08d.h5", step))
    }

    @Test func stepZeroIsCommittedSoMaxStepsZeroResumes() throws {
        let reference = try straightReference()
        #expect(reference.count == 13)
        let dir = scratchDirectory("zero")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try launcher.start(ToyRun(ToyConfiguration()), directory: dir, maxSteps: 0) == .stopped(step: 0))
        let store = try RunStore.open(at: dir, readOnly: true)
        #expect(store.storedSteps == [0])
        #expect(try store.history().map(\.step) == [0])
        #expect(try store.history().first?.epochEnd == false)
        #expect(try digests(dir) == [reference[0]])
        _ = try launcher.resume(directory: dir, maxSteps: nil)
        #expect(try digests(dir) == reference)
        // Step 0 forks like any stored step (retention keeps it: 0 is a multiple of every N).
        let fork = scratchDirectory("zero-fork")
        defer { try? FileManager.default.removeItem(at: fork) }
        _ = try launcher.resume(directory: dir, fromStep: 0, into: fork, maxSteps: nil)
        #expect(try digests(fork) == reference)
    }

    @Test func aRunWithoutAnyCommittedStepStartsFromStepZero() throws {
        let reference = try straightReference()
        let dir = scratchDirectory("empty")
        defer { try? FileManager.default.removeItem(at: dir) }
        // What an older binary killed before its first commit left: run.json and empty folders.
        let kind = ToyRun(ToyConfiguration())
        try RunStore.create(at: dir, configurationJSON: try kind.configurationJSON(), environment: [:],
                            retention: kind.retention, runKind: ToyRun.kindName).close()
        #expect(try RunStore.open(at: dir, readOnly: true).latestStep == nil)
        _ = try launcher.resume(directory: dir, maxSteps: nil)
        #expect(try digests(dir) == reference)
    }

    @Test(arguments: ["truncated", "deleted", "bit flip"])
    func resumeFallsBackPastABadNewestCheckpoint(_ damage: String) throws {
        let reference = try straightReference()
        let dir = scratchDirectory("fallback")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try launcher.start(ToyRun(ToyConfiguration()), directory: dir, maxSteps: 7)
        let newest = checkpoint(dir, 7)
        #expect(try RunStore.open(at: dir, readOnly: true).verify().isClean)
        switch damage {
        case "truncated": try truncateToHalf(newest)
        case "deleted": try FileManager.default.removeItem(at: newest)
        default:
            // One bit of the stored weights: the header still reads, the digest does not match.
            guard case let .float32(w) = try #require(try RunStore.open(at: dir, readOnly: true).load(step: 7).arrays["model/w"]).data
            else { Issue.record("model/w is not float32"); return }
            var bytes = try Data(contentsOf: newest)
            let at = try #require(bytes.range(of: w.withUnsafeBytes { Data($0) })).lowerBound
            bytes[at] ^= 0x01
            try bytes.write(to: newest)
        }
        let damaged = try? Data(contentsOf: newest)
        // Negative control: the newest step itself cannot be loaded, and verify names its file.
        let before = try RunStore.open(at: dir, readOnly: true)
        #expect(throws: (any Error).self) { try before.load(step: 7) }
        let report = try before.verify()
        #expect(report.problems.count == 1 && "\(report.problems[0])".contains(newest.path), "\(report.problems)")

        notices.lines = []
        _ = try launcher.resume(directory: dir, maxSteps: nil)
        #expect(notices.lines.count == 1 && notices.lines[0].contains("step 7") && notices.lines[0].contains("continuing from step 6"),
                "\(notices.lines)")
        #expect(try digests(dir) == reference)
        #expect(try RunStore.open(at: dir, readOnly: true).verify().isClean)
        if let damaged {
            let aside = URL(fileURLWithPath: newest.path + ".damaged")
            #expect(try Data(contentsOf: aside) == damaged, "the damaged file is kept aside unchanged")
            #expect(notices.lines[0].contains(aside.path))
        }
    }

    @Test func aRunWithNoIntactCheckpointStartsAgainFromStepZero() throws {
        let reference = try straightReference()
        let dir = scratchDirectory("none-intact")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try launcher.start(ToyRun(ToyConfiguration()), directory: dir, maxSteps: 1)
        try truncateToHalf(checkpoint(dir, 1))
        try truncateToHalf(checkpoint(dir, 0))
        notices.lines = []
        _ = try launcher.resume(directory: dir, maxSteps: nil)
        #expect(notices.lines.count == 1 && notices.lines[0].contains("starting again from step 0"), "\(notices.lines)")
        #expect(try digests(dir) == reference)
        for s in [0, 1] { #expect(FileManager.default.fileExists(atPath: checkpoint(dir, s).path + ".damaged")) }
    }

    @Test func verifyReportsEveryMissingOrDamagedRetainedStep() throws {
        let dir = scratchDirectory("verify")
        defer { try? FileManager.default.removeItem(at: dir) }
        _ = try launcher.start(ToyRun(ToyConfiguration()), directory: dir, maxSteps: nil)
        #expect(try RunStore.open(at: dir, readOnly: true).verify().isClean)
        try FileManager.default.removeItem(at: checkpoint(dir, 4))
        try truncateToHalf(checkpoint(dir, 8))
        let problems = try RunStore.open(at: dir, readOnly: true).verify().problems.map { "\($0)" }
        #expect(problems.count == 2, "\(problems)")
        #expect(problems.contains { $0.contains(checkpoint(dir, 4).path) && $0.contains("missing") })
        #expect(problems.contains { $0.contains(checkpoint(dir, 8).path) })
    }

    @Test func forkReadsOnlyAndWorksPastADamagedNewestWhileTheSourceIsLocked() throws {
        let reference = try straightReference()
        let source = scratchDirectory("src"), fork = scratchDirectory("fork"), fork2 = scratchDirectory("fork2")
        defer { for d in [source, fork, fork2] { try? FileManager.default.removeItem(at: d) } }
        _ = try launcher.start(ToyRun(ToyConfiguration()), directory: source, maxSteps: 7)
        try truncateToHalf(checkpoint(source, 7))
        // Another process writes the source: its lock is held for the whole fork.
        let writer = try RunStore.open(at: source)
        defer { writer.close() }
        let before = try snapshot(source)
        _ = try launcher.resume(directory: source, fromStep: 6, into: fork, maxSteps: nil)
        #expect(try digests(fork) == reference)
        // Without --from-step: the newest intact step, said once.
        notices.lines = []
        _ = try launcher.resume(directory: source, into: fork2, maxSteps: nil)
        #expect(try digests(fork2) == reference)
        #expect(notices.lines.count == 1 && notices.lines[0].contains("continuing from step 6"), "\(notices.lines)")
        #expect(try snapshot(source) == before, "a fork wrote into its source")
        // Negative control: a writer of the locked source is refused, and the snapshot sees a write.
        #expect(throws: StoreError.locked(path: source.standardizedFileURL.path)) { try launcher.resume(directory: source, maxSteps: nil) }
        try Data("x".utf8).write(to: source.appendingPathComponent("note.txt"))
        #expect(try snapshot(source) != before)
    }

    @Test func forkIntoAFolderInsideItsSourceIsRefused() throws {
        let source = scratchDirectory("inside")
        defer { try? FileManager.default.removeItem(at: source) }
        _ = try launcher.start(ToyRun(ToyConfiguration()), directory: source, maxSteps: 4)
        let before = try snapshot(source)
        for target in [source, source.appendingPathComponent("fork"), source.appendingPathComponent("checkpoints/x/y"),
                       source.appendingPathComponent("../\(source.lastPathComponent)/history/f")] {
            #expect(throws: TrainingError.self) { try launcher.resume(directory: source, fromStep: 4, into: target, maxSteps: nil) }
        }
        #expect(try snapshot(source) == before)
        // Negative control: a sibling folder whose name only starts like the source's is fine.
        let sibling = URL(fileURLWithPath: source.path + "-fork")
        defer { try? FileManager.default.removeItem(at: sibling) }
        _ = try launcher.resume(directory: source, fromStep: 4, into: sibling, maxSteps: 1)
        #expect(try RunStore.open(at: sibling, readOnly: true).latestStep == 5)
    }

    func status(_ dir: URL) throws -> [String: String] { try RunStore.open(at: dir, readOnly: true).readStatus() }

    @Test func statusSaysHowTheRunEnded() throws {
        let dirs = (0..<4).map { scratchDirectory("status\($0)") }
        defer { for d in dirs { try? FileManager.default.removeItem(at: d) } }
        _ = try launcher.start(ToyRun(ToyConfiguration()), directory: dirs[0], maxSteps: nil)
        let finished = try status(dirs[0])
        #expect(finished["state"] == "finished" && finished["step"] == "12" && finished["total"] != nil)
        let time = try #require(finished["time"])
        #expect(time.hasSuffix("Z") && ISO8601DateFormatter().date(from: time) != nil, "\(time)")

        _ = try launcher.start(ToyRun(ToyConfiguration()), directory: dirs[1], maxSteps: 3)
        #expect(try status(dirs[1])["state"] == "stopped" && status(dirs[1])["step"] == "3")

        var failing = ToyConfiguration()
        failing.failAtStep = 5
        #expect(throws: ToyFailure.self) { try launcher.start(ToyRun(failing), directory: dirs[2], maxSteps: nil) }
        let failed = try status(dirs[2])
        #expect(failed["state"] == "failed" && failed["step"] == "4" && failed["error"] == "toy failure at step 5", "\(failed)")

        var diverging = ToyConfiguration()
        diverging.divergeAtStep = 3
        #expect(throws: ToyDivergence.self) { try launcher.start(ToyRun(diverging), directory: dirs[3], maxSteps: nil) }
        let diverged = try status(dirs[3])
        #expect(diverged["state"] == "diverged" && diverged["step"] == "2", "\(diverged)")
        // A resume says running while it runs, then how it ended.
        _ = try launcher.resume(directory: dirs[1], maxSteps: 2)
        #expect(try status(dirs[1])["state"] == "stopped" && status(dirs[1])["step"] == "5")
    }
}
