// A checkpoint file inspected without trusting it: a sound file reads back exactly; a flipped
// data byte is a digest mismatch of exactly that key (the others still check out) and of the
// whole state; a truncated file is unreadable; inspecting never changes a byte.
import Foundation
import Testing
@testable import RunStore

extension StoreSuite {
    @Test func soundFileReportsEveryKeyAndNoProblem() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try damagedRunFixture(dir)
        let r = CheckpointFileReport(inspecting: s.checkpointURL(2))
        #expect(r.isSound, "\(r.problems)")
        #expect(r.header?.step == 2)
        #expect(r.checkpoint == sampleCheckpoint(step: 2))
        #expect(r.arrays.map(\.key) == StateDigest.sortedKeys(sampleCheckpoint(step: 2).arrays.keys))
        #expect(r.arrays.allSatisfy { $0.digestMatches })
        #expect(r.computedStateDigest == r.header?.stateDigest)
        #expect(r.historyRow?.values.keys.sorted() == sampleRow(step: 2).values.keys.sorted())
        #expect(r.configurationJSON == "{}")
    }

    @Test func flippedByteNamesItsKeyAndTruncationIsUnreadable() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try damagedRunFixture(dir)
        let file = s.checkpointURL(2)
        var bytes = try Data(contentsOf: file)
        let needle = withUnsafeBytes(of: Float(0.017).bitPattern.littleEndian) { Data($0) }
        bytes[try #require(bytes.range(of: needle)).lowerBound] ^= 0x01
        try bytes.write(to: file)

        let before = directorySnapshot(dir)
        let r = CheckpointFileReport(inspecting: file)
        #expect(directorySnapshot(dir) == before)
        #expect(r.problems == [.digestMismatch(file: file.path, key: "arrays/alphas/alphas_normal"),
                               .digestMismatch(file: file.path, key: "whole state")])
        #expect(r.arrays.filter { !$0.digestMatches }.map(\.key) == ["alphas/alphas_normal"])
        #expect(r.arrays.count == sampleCheckpoint(step: 2).arrays.count)
        #expect(r.computedStateDigest != nil && r.computedStateDigest != r.header?.stateDigest)

        let full = try Data(contentsOf: s.checkpointURL(3))
        try full.prefix(full.count / 2).write(to: s.checkpointURL(3))
        let cut = directorySnapshot(dir)
        let t = CheckpointFileReport(inspecting: s.checkpointURL(3))
        #expect(directorySnapshot(dir) == cut)
        #expect(!t.isSound && t.checkpoint == nil)
        #expect(t.problems.allSatisfy { "\($0)".contains(s.checkpointURL(3).path) && "\($0)".contains("truncated or corrupt") }, "\(t.problems)")
        #expect(openHandles(under: dir).isEmpty)
    }

    @Test func writerLockProbeSeesAHolderAndOnlyAHolder() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let url = dir.appendingPathComponent("run")
        let s = try RunStore.create(at: url, configurationJSON: "{}", environment: [:])
        #expect(RunStore.writerHoldsLock(at: url))
        s.close()
        #expect(!RunStore.writerHoldsLock(at: url))
        let reader = try RunStore.open(at: url, readOnly: true)
        #expect(!RunStore.writerHoldsLock(at: url))
        reader.close()
        #expect(!RunStore.writerHoldsLock(at: dir.appendingPathComponent("never-created")))
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("never-created/.lock").path))
    }
}
