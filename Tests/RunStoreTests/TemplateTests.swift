// The fast commit path: a kept checkpoint image refilled each step must hold exactly what a
// freshly built file would, rebuild whenever the layout changes, and leak no HDF5 handle;
// plus clean-up of a run directory whose `create` crashed.
import Foundation
import Testing
@testable import RunStore

extension StoreSuite {
    @Suite struct TemplateTests {
        /// A state whose layout changes on chosen steps: a new key, a new shape, a string
        /// that outgrows its slack, a key removed again.
        static func state(_ step: Int) -> Checkpoint {
            var c = sampleCheckpoint(step: step)
            c.arrays["weights/stem.0.weight"] = .float32(shape: [2, 1, 3, 3], (0..<18).map { Float($0 * step) })
            c.scalars["clock"] = Double(step) / 3
            c.integers["iteration"] = Int64(step)
            c.strings["counters"] = String(repeating: "x", count: step == 4 ? 500 : step)
            if step == 3 || step == 7 { c.arrays["extra/mask"] = .uint8(shape: [3], [1, 0, UInt8(step)]) }
            if step == 5 { c.arrays["weights/stem.0.weight"] = .float32(shape: [3, 6], (0..<18).map { Float(-$0) }) }
            if step == 6 { c.strings["counters"] = "" }
            return c
        }

        @Test func refilledAndRebuiltCheckpointsReadBackExactly() throws {
            let dir = temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            do {
                let s = try RunStore.create(at: dir.appendingPathComponent("run"), configurationJSON: "{}", environment: [:],
                                            retention: RetentionPolicy(keepLast: 100, keepEpochEnds: false, everyNth: 0))
                var digests: [Int: String] = [:]
                for step in 1...8 {
                    var row = sampleRow(step: step)
                    if step == 7 { row.values["new"] = 1 }
                    digests[step] = try s.commit(Self.state(step), history: row, epochEnd: step % 4 == 0)
                    // The fast path's digest is the reference definition's (FORMAT.md §4).
                    #expect(digests[step] == StateDigest.whole(Self.state(step), tensorDigests: StateDigest.tensors(Self.state(step).arrays)))
                }
                let r = try RunStore.open(at: s.url, readOnly: true)
                for step in 1...8 {
                    #expect(try r.load(step: step) == Self.state(step), "step \(step)")
                    #expect(try CheckpointFile.readHeader(r.checkpointURL(step)) ==
                            CheckpointFile.Header(step: step, epochEnd: step % 4 == 0, stateDigest: digests[step]!, formatVersion: 1))
                }
                #expect(try r.history().map(\.stateDigest) == (1...8).map { digests[$0]! })
                #expect(try r.verify().isClean)
                s.close()
            }
            #expect(openHandles(under: dir).isEmpty)
        }

        @Test func refilledFileEqualsAFreshlyBuiltOne() throws {
            let a = Self.state(2)
            var b = Self.state(1)
            b.strings["counters"] = "ab"  // same width as step 2's, so both files have one layout
            var row = sampleRow(step: 2)
            row.stateDigest = StateDigest.whole(a, tensorDigests: [:])
            let digests = a.arrays.mapValues(StateDigest.tensor)
            let fresh = try CheckpointFile.image(a, row: row, tensorDigests: digests, epochEnd: true,
                                                 configurationJSON: "{}", environment: ["k": "v"], name: "/fresh")
            // A template built for step 1 refilled with step 2 gives the very bytes of a fresh file.
            var rowB = sampleRow(step: 1)
            rowB.stateDigest = StateDigest.whole(b, tensorDigests: [:])
            let t = try CheckpointTemplate(b, row: rowB, tensorDigests: b.arrays.mapValues(StateDigest.tensor), epochEnd: false,
                                           configurationJSON: "{}", environment: ["k": "v"], name: "/refilled")
            #expect(t.fits(a, row: row))
            #expect(t.isReusable)
            t.fill(a, row: row, tensorDigests: digests, epochEnd: true)
            #expect(t.image() == fresh)
            #expect(!t.fits(Self.state(4), row: row) && !t.fits(Self.state(3), row: row) && !t.fits(Self.state(5), row: row))
        }

        @Test func aCrashedCreateIsCleanedWhenItsProcessIsGone() throws {
            let dir = temporaryDirectory()
            defer { try? FileManager.default.removeItem(at: dir) }
            let dead = try deadPid(), alive = getppid()
            let stale = dir.appendingPathComponent(".tmp-run.\(dead)"), live = dir.appendingPathComponent(".tmp-run.\(alive)")
            for d in [stale, live] { try FileManager.default.createDirectory(at: d.appendingPathComponent("checkpoints"), withIntermediateDirectories: true) }
            let other = dir.appendingPathComponent(".tmp-runner.\(dead)")
            try FileManager.default.createDirectory(at: other, withIntermediateDirectories: true)
            let s = try RunStore.create(at: dir.appendingPathComponent("run"), configurationJSON: "{}", environment: [:])
            #expect(!FileManager.default.fileExists(atPath: stale.path))
            #expect(FileManager.default.fileExists(atPath: live.path))   // its creator may still be running
            #expect(FileManager.default.fileExists(atPath: other.path))  // another run's temporary
            s.close()
            try FileManager.default.createDirectory(at: stale, withIntermediateDirectories: true)
            _ = try RunStore.open(at: s.url, readOnly: true)
            #expect(FileManager.default.fileExists(atPath: stale.path))  // readers change nothing
            _ = try RunStore.open(at: s.url)
            #expect(!FileManager.default.fileExists(atPath: stale.path))
        }

        /// The id of a process that has exited.
        func deadPid() throws -> Int32 {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/bin/true")
            try p.run()
            p.waitUntilExit()
            return p.processIdentifier
        }
    }
}
