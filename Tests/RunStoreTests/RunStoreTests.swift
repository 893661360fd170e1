// The run directory: round trips, history across reopen, retention, fork, status, locking,
// crash repair, and the digest definitions checked with an independent sha256sum.
import Foundation
import Testing
@testable import RunStore

extension StoreSuite {
    @Test func roundTripEveryKindThroughCommitAndReopen() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run")
        let env = RunEnvironment.current(extra: ["openblas": "test"])
        var digest = ""
        do {
            let store = try RunStore.create(at: run, configurationJSON: "{\"seed\":2}", environment: env)
            digest = try store.commit(sampleCheckpoint(step: 7), history: sampleRow(step: 7), epochEnd: true)
            #expect(try store.load(step: 7) == sampleCheckpoint(step: 7))
        }
        let store = try RunStore.open(at: run, readOnly: true)
        #expect(store.configurationJSON == "{\"seed\":2}" && store.environment == env && env["openblas"] == "test")
        #expect(store.storedSteps == [7] && store.latestStep == 7)
        #expect(try store.load(step: 7) == sampleCheckpoint(step: 7))
        var expected = sampleRow(step: 7)
        expected.stateDigest = digest
        expected.epochEnd = true
        #expect(try store.history() == [expected])
        #expect(digest.count == 64 && digest == StateDigest.whole(sampleCheckpoint(step: 7), tensorDigests: [:]))
        #expect(openHandles(under: dir).isEmpty)
    }

    @Test func digestsFollowFormatDefinition() throws {
        let c = Checkpoint(step: 3, arrays: ["b/x": .float32(shape: [2], [1, -0.5]), "a": .int64(shape: [], [9])],
                           scalars: ["lr": 0.5], integers: ["epoch": -2], strings: ["g": "hi"])
        let xBytes = Data([0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x00, 0xbf])
        let aBytes = Data([9, 0, 0, 0, 0, 0, 0, 0])
        let xDigest = try sha256sum(xBytes), aDigest = try sha256sum(aBytes)
        #expect(StateDigest.tensor(c.arrays["b/x"]!) == xDigest)
        #expect(StateDigest.tensor(c.arrays["a"]!) == aDigest)
        let text = "dartsprime-state-v1\nstep 3\nA a int64  \(aDigest)\nA b/x float32 2 \(xDigest)\n"
            + "S lr 3fe0000000000000\nI epoch -2\nT g \(try sha256sum(Data("hi".utf8)))\n"
        #expect(StateDigest.whole(c, tensorDigests: [:]) == (try sha256sum(Data(text.utf8))))
        var d = c
        d.scalars["lr"] = 0.5000001
        #expect(StateDigest.whole(d, tensorDigests: [:]) != StateDigest.whole(c, tensorDigests: [:]))
    }

    @Test func historyAppendsAcrossReopenAndSegments() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run")
        var digests: [Int: String] = [:]
        do {
            let s = try RunStore.create(at: run, configurationJSON: "{}", environment: [:])
            for step in 1...4 { digests[step] = try s.commit(sampleCheckpoint(step: step), history: sampleRow(step: step), epochEnd: false) }
        }
        let s = try RunStore.open(at: run)
        #expect(s.latestStep == 4)
        #expect(throws: StoreError.stepNotAfterLatest(run: s.url.path, step: 4, latest: 4)) {
            try s.commit(sampleCheckpoint(step: 4), history: sampleRow(step: 4), epochEnd: false)
        }
        for step in 5...6 { digests[step] = try s.commit(sampleCheckpoint(step: step), history: sampleRow(step: step), epochEnd: false) }
        // A row with another schema starts a new segment instead of failing.
        let odd = HistoryRow(step: 7, values: ["only": 1])
        digests[7] = try s.commit(Checkpoint(step: 7), history: odd, epochEnd: true)
        let rows = try RunStore.open(at: run, readOnly: true).history()
        #expect(rows.map(\.step) == Array(1...7))
        #expect(rows.map(\.stateDigest) == (1...7).map { digests[$0]! })
        #expect(rows[6].values == ["only": 1] && rows[6].epochEnd && rows[2].values.count == 3)
        #expect(s.segmentIndices() == [0, 1])
    }

    @Test func historyRollsOverAtSegmentCapacity() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try RunStore.create(at: dir.appendingPathComponent("run"), configurationJSON: "{}", environment: [:],
                                    retention: .init(keepLast: 1, keepEpochEnds: false, everyNth: 0))
        let n = HistorySegment.capacity + 3
        for step in 1...n { try s.commit(Checkpoint(step: step), history: HistoryRow(step: step, values: ["x": Double(step)]), epochEnd: false) }
        #expect(s.segmentIndices() == [0, 1])
        let rows = try RunStore.open(at: s.url, readOnly: true).history()
        #expect(rows.map(\.step) == Array(1...n) && rows.map { $0.values["x"]! } == (1...n).map(Double.init))
    }

    @Test func retentionPrunesStatesButNeverHistory() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try RunStore.create(at: dir.appendingPathComponent("run"), configurationJSON: "{}", environment: [:],
                                    retention: .init(keepLast: 2, keepEpochEnds: true, everyNth: 4))
        for step in 1...23 { try s.commit(sampleCheckpoint(step: step), history: sampleRow(step: step), epochEnd: step % 5 == 0) }
        let expected = [4, 5, 8, 10, 12, 15, 16, 20, 22, 23]
        #expect(s.storedSteps == expected)
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.checkpointsURL.path).count == expected.count)
        #expect(try s.history().map(\.step) == Array(1...23))
        #expect(throws: StoreError.missingStep(run: s.url.path, step: 21)) { try s.load(step: 21) }
        #expect(try s.load(step: 10) == sampleCheckpoint(step: 10))
        let reopened = try RunStore.open(at: s.url, readOnly: true)
        #expect(reopened.storedSteps == expected && reopened.retention == s.retention)
        #expect(RetentionPolicy(keepLast: 0, keepEpochEnds: false, everyNth: 0).kept(stored: [1, 2], epochEnds: []) == [2])
    }

    @Test func forkCarriesHistoryUpToStepAndLeavesOriginal() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try RunStore.create(at: dir.appendingPathComponent("a"), configurationJSON: "{\"k\":1}", environment: ["e": "1"])
        for step in 1...5 { try s.commit(sampleCheckpoint(step: step), history: sampleRow(step: step), epochEnd: false) }
        let before = directorySnapshot(s.url)
        let f = try s.fork(step: 4, into: dir.appendingPathComponent("b"))
        #expect(f.configurationJSON == "{\"k\":1}" && f.environment == ["e": "1"] && f.storedSteps == [4])
        #expect(try f.history() == s.history().filter { $0.step <= 4 })
        #expect(try f.load(step: 4) == sampleCheckpoint(step: 4))
        try f.commit(sampleCheckpoint(step: 5), history: sampleRow(step: 5), epochEnd: false)
        #expect(try f.history().last == s.history().last)  // same state ⇒ same digest
        #expect(directorySnapshot(s.url) == before)
        #expect(throws: StoreError.self) { try s.fork(step: 1, into: dir.appendingPathComponent("c")) }
    }

    @Test func statusArtifactsLockingAndReadOnly() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run")
        let s = try RunStore.create(at: run, configurationJSON: "{}", environment: [:])
        #expect(try s.readStatus() == [:])
        try s.writeStatus(["state": "running"])
        try s.writeStatus(["state": "finished", "genotype": "G(...)"])
        #expect(try s.readStatus() == ["state": "finished", "genotype": "G(...)"])
        try s.writeArtifact(named: "genotype.txt", contents: "G\n")
        #expect(FileManager.default.contents(atPath: run.appendingPathComponent("genotype.txt").path) == Data("G\n".utf8))
        for bad in ["run.json", "../x", ".hidden", "", "checkpoints"] {
            #expect(throws: StoreError.invalidName(name: bad)) { try s.writeArtifact(named: bad, contents: "") }
        }
        #expect(throws: StoreError.locked(path: run.path)) { try RunStore.open(at: run) }
        let ro = try RunStore.open(at: run, readOnly: true)
        #expect(throws: StoreError.self) { try ro.commit(Checkpoint(step: 1), history: HistoryRow(step: 1), epochEnd: false) }
        s.close()
        _ = try RunStore.open(at: run)
        // A folder holding a run says how to continue it; any other non-empty folder is refused too.
        #expect(throws: StoreError.existingRun(path: run.path)) {
            try RunStore.create(at: run, configurationJSON: "{}", environment: [:])
        }
        let other = run.deletingLastPathComponent().appendingPathComponent("other")
        try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
        try Data("keep".utf8).write(to: other.appendingPathComponent("status.json"))
        #expect(throws: StoreError.runExists(path: other.path)) {
            try RunStore.create(at: other, configurationJSON: "{}", environment: [:])
        }
        #expect(try Data(contentsOf: other.appendingPathComponent("status.json")) == Data("keep".utf8))
    }

    @Test func invalidKeysAreRejectedBeforeWriting() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try RunStore.create(at: dir.appendingPathComponent("run"), configurationJSON: "{}", environment: [:])
        let x = StoredArray.float32(shape: [1], [0])
        for arrays in [["a//b": x], ["/a": x], ["a": x, "a/b": x], ["": x], ["a/..": x]] {
            #expect(throws: StoreError.self) { try s.commit(Checkpoint(step: 1, arrays: arrays), history: HistoryRow(step: 1), epochEnd: false) }
        }
        #expect(s.storedSteps.isEmpty && s.latestStep == nil)
        #expect(try FileManager.default.contentsOfDirectory(atPath: s.checkpointsURL.path).isEmpty)
    }

    @Test func openRepairsACrashBetweenCheckpointAndHistory() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let run = dir.appendingPathComponent("run")
        do {
            let s = try RunStore.create(at: run, configurationJSON: "{}", environment: [:])
            for step in 1...2 { try s.commit(sampleCheckpoint(step: step), history: sampleRow(step: step), epochEnd: false) }
            // Simulate dying right after the commit point: checkpoint 3 renamed, history not yet written.
            var row = sampleRow(step: 3)
            let c = sampleCheckpoint(step: 3)
            row.stateDigest = StateDigest.whole(c, tensorDigests: [:])
            try s.writeCheckpoint(c, row: row, tensorDigests: c.arrays.mapValues(StateDigest.tensor))
            try Data("junk".utf8).write(to: s.checkpointsURL.appendingPathComponent(".tmp-step-00000004.h5.99"))
        }
        let ro = try RunStore.open(at: run, readOnly: true)
        #expect(try ro.history().map(\.step) == [1, 2, 3])
        #expect(FileManager.default.fileExists(atPath: ro.checkpointsURL.appendingPathComponent(".tmp-step-00000004.h5.99").path))
        let rw = try RunStore.open(at: run)
        #expect(rw.latestStep == 3 && rw.recoveredRow == nil)
        #expect(!FileManager.default.fileExists(atPath: rw.checkpointsURL.appendingPathComponent(".tmp-step-00000004.h5.99").path))
        #expect(try RunStore.open(at: run, readOnly: true).history().map(\.step) == [1, 2, 3])
        #expect(try rw.verify().isClean)
    }

    @Test func exportRendersEveryRowWithDigest() throws {
        var a = sampleRow(step: 1); a.stateDigest = "d1"
        var b = HistoryRow(step: 2, values: ["loss": 0.1], stateDigest: "d2", epochEnd: true)
        b.arrays["alphas_normal_softmax"] = .float32(shape: [1], [0.5])
        let csv = HistoryExport.csv([a, b]).split(separator: "\n")
        #expect(csv.count == 3)
        #expect(csv[0] == "step,epoch_end,F,alpha_step,loss,alphas_normal_softmax[0],alphas_normal_softmax[1],alphas_normal_softmax[2],alphas_normal_softmax[3],state_digest")
        #expect(csv[1] == "1,0,nan,1.0,2.5,0.25,0.75,1.0,1.0,d1")
        #expect(csv[2] == "2,1,,,0.1,0.5,,,,d2")
        let json = HistoryExport.json([a, b])
        let parsed = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [[String: Any]]
        #expect(parsed?.count == 2 && parsed?[1]["state_digest"] as? String == "d2")
        #expect((parsed?[0]["values"] as? [String: Any])?["F"] as? String == "nan")
    }
}
