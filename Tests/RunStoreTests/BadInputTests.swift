// Truncated, corrupt, foreign and newer-format files, and missing runs: each gives the
// documented one-sentence error naming the file, and nothing on disk changes.
import Foundation
import Testing
@testable import RunStore

extension StoreSuite {
    /// A run with steps 1–3 whose files the tests then damage.
    func damagedRunFixture(_ dir: URL) throws -> RunStore {
        let s = try RunStore.create(at: dir.appendingPathComponent("run"), configurationJSON: "{}", environment: [:])
        for step in 1...3 { try s.commit(sampleCheckpoint(step: step), history: sampleRow(step: step), epochEnd: false) }
        s.close()
        return s
    }

    func expectError(_ expected: (StoreError) -> Bool, naming file: URL, unchanged dir: URL, _ body: () throws -> Void) {
        let before = directorySnapshot(dir)
        do {
            try body()
            Issue.record("no error for \(file.lastPathComponent)")
        } catch let e as StoreError {
            #expect(expected(e), "unexpected error: \(e)")
            #expect("\(e)".contains(file.path) && !"\(e)".contains("\n"))
        } catch { Issue.record("not a StoreError: \(error)") }
        #expect(directorySnapshot(dir) == before)
    }

    @Test func corruptTensorByteIsADigestMismatch() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try damagedRunFixture(dir)
        let file = s.checkpointURL(2)
        var bytes = try Data(contentsOf: file)
        // Find the alphas tensor (values k·1e-3) and flip one bit in it.
        let needle = withUnsafeBytes(of: Float(0.017).bitPattern.littleEndian) { Data($0) }
        let at = try #require(bytes.range(of: needle)).lowerBound
        bytes[at] ^= 0x01
        try bytes.write(to: file)
        expectError({ $0 == .digestMismatch(file: file.path, key: "arrays/alphas/alphas_normal") }, naming: file, unchanged: dir) {
            _ = try RunStore.open(at: s.url, readOnly: true).load(step: 2)
        }
        let report = try RunStore.open(at: s.url, readOnly: true).verify()
        #expect(report.problems == [.digestMismatch(file: file.path, key: "arrays/alphas/alphas_normal")] && report.checkpointsChecked == 2)
        #expect(try RunStore.open(at: s.url, readOnly: true).load(step: 3) == sampleCheckpoint(step: 3))
    }

    /// Opens the run read-only and throws what its scan found wrong with `step`'s checkpoint
    /// (a damaged checkpoint no longer makes the whole run unreadable) or loading it throws.
    func openAndLoad(_ run: URL, step: Int) throws {
        let store = try RunStore.open(at: run, readOnly: true)
        if let e = store.damagedCheckpoints[step] { throw e }
        _ = try store.load(step: step)
    }

    @Test func truncatedForeignAndNewerFilesAreNamed() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = try damagedRunFixture(dir)
        let f1 = s.checkpointURL(1), f2 = s.checkpointURL(2), f3 = s.checkpointURL(3)
        // Truncated: the second half of step 3 is gone.
        let full = try Data(contentsOf: f3)
        try full.prefix(full.count / 2).write(to: f3)
        expectError({ if case .unreadable = $0 { true } else if case .digestMismatch = $0 { true } else { false } },
                    naming: f3, unchanged: dir) { try openAndLoad(s.url, step: 3) }
        try full.write(to: f3)
        // Foreign: not HDF5 at all, then HDF5 but not ours.
        let keep1 = try Data(contentsOf: f1)
        try Data("PK\u{3}\u{4} this is a zip".utf8).write(to: f1)
        expectError({ if case .notOurs = $0 { true } else { false } }, naming: f1, unchanged: dir) { try openAndLoad(s.url, step: 1) }
        try HDF5File.create(f1, overwrite: true).close()
        expectError({ if case .notOurs = $0 { true } else { false } }, naming: f1, unchanged: dir) { try openAndLoad(s.url, step: 1) }
        try keep1.write(to: f1)
        // Newer format version.
        do { let h = try HDF5File.open(f2, readOnly: false); try h.setAttribute("format_version", int64: 99) }
        expectError({ $0 == .newerFormat(file: f2.path, found: 99, supported: 1) }, naming: f2, unchanged: dir) {
            _ = try RunStore.open(at: s.url, readOnly: true)
        }
        #expect(openHandles(under: dir).isEmpty)
    }

    @Test func missingForeignAndNewerRunsAreNamed() throws {
        let dir = temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: dir) }
        let missing = dir.appendingPathComponent("nope")
        expectError({ $0 == .missingRun(path: missing.path) }, naming: missing, unchanged: dir) { _ = try RunStore.open(at: missing) }
        let s = try damagedRunFixture(dir)
        let manifest = s.url.appendingPathComponent("run.json")
        let original = try Data(contentsOf: manifest)
        try Data("{\"format\":\"something-else\"}".utf8).write(to: manifest)
        expectError({ if case .notOurs = $0 { true } else { false } }, naming: manifest, unchanged: dir) { _ = try RunStore.open(at: s.url) }
        let newer = String(decoding: original, as: UTF8.self).replacingOccurrences(of: "\"format_version\" : 1", with: "\"format_version\" : 2")
        try Data(newer.utf8).write(to: manifest)
        expectError({ $0 == .newerFormat(file: manifest.path, found: 2, supported: 1) }, naming: manifest, unchanged: dir) { _ = try RunStore.open(at: s.url) }
        let seg = s.segmentURL(0)
        try original.write(to: manifest)
        try Data(repeating: 0, count: 100).write(to: seg)
        expectError({ if case .notOurs = $0 { true } else { false } }, naming: seg, unchanged: dir) { _ = try RunStore.open(at: s.url) }
    }
}
