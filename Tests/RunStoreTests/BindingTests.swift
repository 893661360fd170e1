// Issue 14 item 8 at the store: checkpoints bound to their run.json (configuration and identity),
// history rows with a digest verify checks, and history rebuilt from the kept checkpoints or
// refused when rows are lost. Each safety property has its negative control.
import Foundation
import Testing
@testable import RunStore

extension StoreSuite {
    /// A run with steps `steps` committed (sample states), closed again.
    func committedRun(_ dir: URL, _ name: String = "run", configuration: String = "{\"lr\":0.1,\"seed\":1}",
                      retention: RetentionPolicy = .init(keepLast: 3, keepEpochEnds: false, everyNth: 0),
                      steps: ClosedRange<Int>) throws -> URL {
        let run = dir.appendingPathComponent(name)
        let s = try RunStore.create(at: run, configurationJSON: configuration, environment: [:], retention: retention)
        for step in steps { try s.commit(sampleCheckpoint(step: step), history: sampleRow(step: step), epochEnd: false) }
        return run
    }

    func editRunJSON(_ run: URL, _ edit: (inout [String: Any]) -> Void) throws {
        let file = run.appendingPathComponent("run.json")
        var object = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as! [String: Any]
        edit(&object)
        try JSONSerialization.data(withJSONObject: object, options: [.prettyPrinted, .sortedKeys]).write(to: file)
    }

    @Test func editedConfigurationIsRefusedNamingTheField() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try committedRun(dir, steps: 0...3)
        #expect(try RunStore.open(at: run).loadBound(step: 3) == sampleCheckpoint(step: 3))  // negative control
        try editRunJSON(run) { $0["configuration_json"] = "{\"lr\":0.2,\"seed\":1}" }
        let store = try RunStore.open(at: run)
        do {
            _ = try store.loadBound(step: 3)
            Issue.record("an edited run.json was accepted")
        } catch let e as StoreError {
            guard case .runMismatch = e else { Issue.record("\(e)"); return }
            let text = "\(e)"
            #expect(text.contains(run.appendingPathComponent("run.json").path) && text.contains("lr: 0.1 → 0.2")
                    && !text.contains("seed") && !text.contains("\n"), "\(text)")
        }
        #expect(try store.load(step: 3) == sampleCheckpoint(step: 3))  // analysis still reads it
        // Not damage: resume's fallback must not move the checkpoints aside.
        #expect(throws: StoreError.self) { try store.newestIntactCheckpoint() }
        #expect(store.storedSteps == [1, 2, 3])
        let report = try RunStore.open(at: run, readOnly: true).verify()
        #expect(report.problems.count == 3 && report.problems.allSatisfy { if case .runMismatch = $0 { true } else { false } })
        #expect(throws: StoreError.self) { _ = try store.fork(step: 3, into: dir.appendingPathComponent("fork")) }
    }

    @Test func identityBindsWhatTheConfigurationDoesNot() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try committedRun(dir, steps: 0...2)
        // Same configuration, another retention: another run.json, so another identity.
        let other = try committedRun(dir, "other", retention: .init(keepLast: 5, keepEpochEnds: false, everyNth: 0), steps: 0...2)
        let a = try RunStore.open(at: run, readOnly: true), b = try RunStore.open(at: other, readOnly: true)
        #expect(a.configurationJSON == b.configurationJSON && a.runIdentity != b.runIdentity)
        #expect(CheckpointFileReport(inspecting: a.checkpointURL(2)).runIdentity == a.runIdentity)
        #expect(try a.loadBound(step: 2) == sampleCheckpoint(step: 2) && a.verify().isClean && a.verify().notes.isEmpty)
        // Step 2 of `other` copied over step 2 of `run`: refused on load, reported by verify.
        try FileManager.default.removeItem(at: a.checkpointURL(2))
        try FileManager.default.copyItem(at: b.checkpointURL(2), to: a.checkpointURL(2))
        let copied = try RunStore.open(at: run, readOnly: true)
        #expect(throws: StoreError.self) { try copied.loadBound(step: 2) }
        #expect(try copied.loadBound(step: 1) == sampleCheckpoint(step: 1))
        let problems = try copied.verify().problems
        #expect(problems.count == 1 && "\(problems[0])".contains("step-00000002.h5") && "\(problems[0])".contains("SHA-256"), "\(problems)")
    }

    @Test func checkpointsWithoutIdentityAreAcceptedAndNoted() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try committedRun(dir, steps: 0...1)
        let s = try RunStore.open(at: run)
        // Step 1 rewritten as an older build wrote it: no run_identity, no row digest.
        var row = sampleRow(step: 1)
        let c = sampleCheckpoint(step: 1)
        row.stateDigest = StateDigest.whole(c, tensorDigests: [:])
        let image = try CheckpointFile.image(c, row: row, tensorDigests: [:], epochEnd: false,
                                             configurationJSON: s.configurationJSON, environment: [:], name: "old")
        try Data(image).write(to: s.checkpointURL(1))
        #expect(CheckpointFileReport(inspecting: s.checkpointURL(1)).runIdentity == nil)
        #expect(try s.loadBound(step: 1) == c)
        let report = try RunStore.open(at: run, readOnly: true).verify()
        #expect(report.isClean && report.notes.count == 1 && report.notes[0].contains("steps 1)"), "\(report)")
    }

    @Test func editedHistoryValueFailsVerifyNamingStepAndSegment() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try committedRun(dir, steps: 0...4)
        let store = try RunStore.open(at: run, readOnly: true)
        let segment = store.segmentURL(0)
        var rows = try HistorySegment.read(segment)
        #expect(rows.allSatisfy { $0.rowDigest.count == 64 && $0.rowDigest == StateDigest.row($0) })
        #expect(try store.verify().isClean)  // negative control
        rows[2].values["loss"] = 0.5
        try Data(try HistorySegment.image(rows, name: segment.path)).write(to: segment)
        let problems = try RunStore.open(at: run, readOnly: true).verify().problems
        #expect(problems == [.digestMismatch(file: segment.path, key: "history row of step 2")], "\(problems)")
        // A checkpoint's own row is checked when it is read.
        let report = CheckpointFileReport(inspecting: store.checkpointURL(4))
        #expect(report.isSound && report.historyRow?.rowDigest == rows[4].rowDigest)
    }

    @Test func deletedHistoryIsRebuiltWhenEveryRowIsKept() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try committedRun(dir, retention: .init(keepLast: 5, keepEpochEnds: false, everyNth: 0), steps: 0...3)
        let before = try RunStore.open(at: run, readOnly: true).history()
        try FileManager.default.removeItem(at: run.appendingPathComponent("history"))
        #expect(try RunStore.open(at: run, readOnly: true).history() == before)
        let s = try RunStore.open(at: run)
        #expect(try s.history() == before && s.lostHistorySteps.isEmpty)
        try s.commit(sampleCheckpoint(step: 4), history: sampleRow(step: 4), epochEnd: false)
        #expect(try RunStore.open(at: run, readOnly: true).verify().isClean)
    }

    @Test func deletedHistoryWithPrunedRowsIsRefused() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try committedRun(dir, steps: 0...9)  // keeps 7, 8, 9
        try FileManager.default.removeItem(at: run.appendingPathComponent("history"))
        let before = directorySnapshot(run)
        do {
            _ = try RunStore.open(at: run)
            Issue.record("a run without its history was opened for writing")
        } catch let e as StoreError {
            let text = "\(e)"
            #expect(text.contains("history rows 0..6 are lost") && text.contains("kept: 7, 8, 9")
                    && text.contains("--from-step 9 --into NEW"), "\(text)")
        }
        #expect(directorySnapshot(run).filter { !$0.key.hasSuffix(".lock") } == before.filter { !$0.key.hasSuffix(".lock") })
        let report = try RunStore.open(at: run, readOnly: true).verify()
        #expect(report.problems.contains { if case .historyLost = $0 { true } else { false } }, "\(report)")
        // The suggested fork carries what is left: its history starts at the fork step.
        let fork = try RunStore.open(at: run, readOnly: true).fork(step: 9, into: dir.appendingPathComponent("fork"))
        #expect(try fork.history().map(\.step) == [7, 8, 9])  // 7 and 8 recovered from their checkpoints
        fork.close()
        let reopened = try RunStore.open(at: dir.appendingPathComponent("fork"))
        try reopened.commit(sampleCheckpoint(step: 10), history: sampleRow(step: 10), epochEnd: false)
        #expect(try RunStore.open(at: dir.appendingPathComponent("fork"), readOnly: true).verify().isClean)
        reopened.close()
        // The fork's own history deleted later: its checkpoints know it started at step 7, not 0.
        try FileManager.default.removeItem(at: dir.appendingPathComponent("fork/history"))
        #expect { try RunStore.open(at: dir.appendingPathComponent("fork")) } throws: { "\($0)".contains("history rows 7..8 are lost") }
    }

    @Test func aMissingMiddleSegmentIsRefusedNotFilled() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = try committedRun(dir, steps: 0...2)
        let s = try RunStore.open(at: run, readOnly: true)
        // One segment per row, by hand.
        let rows = try s.history()
        for (i, r) in rows.enumerated() { try Data(try HistorySegment.image([r], name: "x")).write(to: s.segmentURL(i)) }
        #expect(try RunStore.open(at: run, readOnly: true).verify().isClean)  // negative control
        try FileManager.default.removeItem(at: s.segmentURL(1))
        #expect(throws: StoreError.self) { try RunStore.open(at: run) }
        let report = try RunStore.open(at: run, readOnly: true).verify()
        #expect(report.problems.contains(.historyMismatch(file: s.segmentURL(1).path, reason: "this segment, between others, is missing")))
    }

    @Test func aRunStartingAtStepOneRecoversItsFirstRowAfterACrash() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run")
        do {
            let s = try RunStore.create(at: run, configurationJSON: "{}", environment: [:])
            var row = sampleRow(step: 1)
            let c = sampleCheckpoint(step: 1)
            row.stateDigest = StateDigest.whole(c, tensorDigests: [:])
            try s.writeCheckpoint(c, row: row, tensorDigests: [:])  // killed before the history write
        }
        let s = try RunStore.open(at: run)
        #expect(try s.history().map(\.step) == [1] && s.lostHistorySteps.isEmpty)
    }
}
