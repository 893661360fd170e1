// A checkpoint file's bytes kept between commits, with the place of every per-step value.
// Creating HDF5 objects costs tens of microseconds each and a supernet checkpoint has
// thousands, but the search commits the same keys, dtypes and shapes every step. So HDF5
// builds the file (FORMAT.md §3) once; the byte ranges of every dataset's raw data
// (H5Dget_offset) and of every per-step attribute value are recorded; and each later commit
// only copies the new values into those ranges. Nothing in the format checksums these bytes
// (superblock 0, version-1 object headers), and the build proves the recorded ranges against
// HDF5's own writes before the template is used. A state with another layout rebuilds it.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

final class CheckpointTemplate {
    struct Region { var offset: Int; var length: Int }
    struct ArraySlot { var dtype: StoredDType; var shape: [Int]; var data: Region?; var digest: Region }

    /// The current file image; `fill` patches it in place.
    var bytes: [UInt8] = []
    /// False when the build could not prove its ranges: the image is still a correct file
    /// for the state it was built with, but it never `fits` another one.
    var isReusable = true
    var step = Region(offset: 0, length: 8), epochEnd = Region(offset: 0, length: 8)
    var stateDigest = Region(offset: 0, length: 64)
    /// `/history_row`'s `row_digest` attribute (FORMAT.md §5).
    var rowDigest = Region(offset: 0, length: 64)
    private(set) var arrays: [String: ArraySlot] = [:]
    private(set) var scalars: [String: Region] = [:]
    private(set) var integers: [String: Region] = [:]
    private(set) var strings: [String: Region] = [:]
    private(set) var rowValues: [String: Region] = [:]
    private(set) var rowArrays: [String: ArraySlot] = [:]
    /// Every slot in digest order with its digest-line prefix (CheckpointTemplate+Commit).
    var plan: CommitPlan?
    /// The whole-state digest text, kept between commits for its capacity.
    var digestText: [UInt8] = []

    /// Distinguishes the in-memory files of builds (HDF5 refuses two open files of one name).
    nonisolated(unsafe) private static var counter = 0  // guarded by the HDF5 lock

    /// Builds the file for `c` and `row` with HDF5 and records where every value lives.
    /// `name` (never created on disk) names the in-memory file in errors.
    init(_ c: Checkpoint, row: HistoryRow, tensorDigests: [String: String], epochEnd isEpochEnd: Bool,
         configurationJSON: String, environment: [String: String], runIdentity: String = "",
         historyFirstStep: Int? = nil, name: String) throws {
        precondition(row.stateDigest.utf8.count <= 64 && row.rowDigest.utf8.count <= 64,
                     "CheckpointTemplate: the state and row digests are at most 64 characters")
        let unique = HDF5.withLock { Self.counter += 1; return Self.counter }
        let file = try HDF5File.createInMemory(name: "\(name).\(getpid()).\(unique)")
        // Attributes first hold unique placeholders, found afterwards in the image: 64-char
        // strings made of a random marker plus a hex index, and two random int64 values.
        let marker = (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
        var placeholderCount = 0
        func placeholder() -> String { defer { placeholderCount += 1 }; return marker + String(format: "%032x", placeholderCount) }
        var stepMark = Int64.random(in: Int64.min...Int64.max), endMark = Int64.random(in: Int64.min...Int64.max)
        while endMark == stepMark { endMark = Int64.random(in: Int64.min...Int64.max) }
        var attributes: [(attribute: HDF5Attribute, index: Int?, real: String)] = []

        try file.setAttribute("format", string: CheckpointFile.format)
        try file.setAttribute("format_version", int64: CheckpointFile.formatVersion)
        let stepAttribute = try file.createAttribute("step", int64: stepMark)
        let endAttribute = try file.createAttribute("epoch_end", int64: endMark)
        let digestIndex = placeholderCount
        attributes.append((try file.createAttribute("state_digest", string: placeholder(), width: 64), digestIndex, row.stateDigest))
        let meta = try file.createGroup("meta")
        try meta.createString("configuration_json", configurationJSON)
        try meta.createString("environment_json", RunManifest.encodeSorted(environment))
        // Binds the checkpoint to its run (RunStore+Binding); not part of the state digest.
        if !runIdentity.isEmpty { try meta.createString("run_identity", runIdentity) }
        if let first = historyFirstStep { try meta.createDataset("history_first_step", .int64(shape: [], [Int64(first)])) }

        var pendingArrays: [(key: String, inRow: Bool, index: Int)] = []
        func createArrays(_ values: [String: StoredArray], digests: [String: String], under root: HDF5Group, inRow: Bool) throws {
            let w = KeyedGroupWriter(root: root)
            for key in StateDigest.sortedKeys(values.keys) {
                let a = values[key]!
                let (p, n) = try w.parent(of: key)
                let ds = try p.createDataset(n, a)
                let index = placeholderCount
                let digest = digests[key] ?? StateDigest.tensor(a)
                attributes.append((try ds.createAttribute("sha256", string: placeholder(), width: 64), index, digest))
                let data = ds.storageOffset().map { Region(offset: $0, length: a.count * a.dtype.size) }
                let slot = ArraySlot(dtype: a.dtype, shape: a.shape, data: a.count == 0 ? nil : data, digest: Region(offset: -1, length: 64))
                if inRow { rowArrays[key] = slot } else { arrays[key] = slot }
                pendingArrays.append((key, inRow, index))
            }
        }
        func region(_ ds: HDF5Dataset, length: Int) throws -> Region {
            guard let offset = ds.storageOffset() else {
                throw HDF5Error(file: ds.file, object: ds.path, operation: "locate", message: "dataset has no contiguous storage")
            }
            return Region(offset: offset, length: length)
        }

        try createArrays(c.arrays, digests: tensorDigests, under: try file.createGroup("arrays"), inRow: false)
        var w = KeyedGroupWriter(root: try file.createGroup("scalars"))
        for key in StateDigest.sortedKeys(c.scalars.keys) {
            let (p, n) = try w.parent(of: key)
            scalars[key] = try region(try p.createDataset(n, .float64(shape: [], [c.scalars[key]!])), length: 8)
        }
        w = KeyedGroupWriter(root: try file.createGroup("integers"))
        for key in StateDigest.sortedKeys(c.integers.keys) {
            let (p, n) = try w.parent(of: key)
            integers[key] = try region(try p.createDataset(n, .int64(shape: [], [c.integers[key]!])), length: 8)
        }
        w = KeyedGroupWriter(root: try file.createGroup("strings"))
        for key in StateDigest.sortedKeys(c.strings.keys) {
            let (p, n) = try w.parent(of: key)
            let value = c.strings[key]!
            let width = Self.stringWidth(forLength: value.utf8.count)
            strings[key] = try region(try p.createString(n, value, width: width), length: width)
        }
        let h = try file.createGroup("history_row")
        let rowDigestIndex = placeholderCount
        attributes.append((try h.createAttribute("row_digest", string: placeholder(), width: 64), rowDigestIndex, row.rowDigest))
        w = KeyedGroupWriter(root: try h.createGroup("values"))
        for key in StateDigest.sortedKeys(row.values.keys) {
            let (p, n) = try w.parent(of: key)
            rowValues[key] = try region(try p.createDataset(n, .float64(shape: [], [row.values[key]!])), length: 8)
        }
        try createArrays(row.arrays, digests: row.arrays.mapValues(StateDigest.tensor), under: try h.createGroup("arrays"), inRow: true)

        // Image with placeholders: find them. Then let HDF5 write the real attribute values.
        var image = try file.image()
        let found = Self.findPlaceholders(marker: marker, count: placeholderCount, in: image)
        let stepOffset = Self.findUnique(stepMark, in: image), endOffset = Self.findUnique(endMark, in: image)
        try stepAttribute.write(int64: Int64(c.step))
        try endAttribute.write(int64: isEpochEnd ? 1 : 0)
        for a in attributes { try a.attribute.write(string: a.real) }
        let real = try file.image()
        try file.close()

        guard let found, let stepOffset, let endOffset, image.count == real.count else {
            bytes = real; isReusable = false; return
        }
        step.offset = stepOffset
        epochEnd.offset = endOffset
        stateDigest.offset = found[digestIndex]
        rowDigest.offset = found[rowDigestIndex]
        for p in pendingArrays {
            if p.inRow { rowArrays[p.key]!.digest.offset = found[p.index] } else { arrays[p.key]!.digest.offset = found[p.index] }
        }
        // Proof: patching the placeholder image gives exactly HDF5's own bytes.
        bytes = image
        image = []
        fillChecked(c, row: row, tensorDigests: tensorDigests, epochEnd: isEpochEnd)
        if bytes != real { bytes = real; isReusable = false; return }
        plan = CommitPlan(self)
    }

    /// Strings change length from step to step (JSON counters), so their datasets get slack:
    /// a longer value than the template holds only forces a rebuild. Readers strip the NULs.
    static func stringWidth(forLength n: Int) -> Int { n + max(32, n / 2) }

    /// Offsets of `marker` + 32 hex digits of 0..<count, each exactly once, or nil.
    private static func findPlaceholders(marker: String, count: Int, in image: [UInt8]) -> [Int]? {
        let m = Array(marker.utf8)
        var offsets = [Int](repeating: -1, count: count)
        var found = 0
        image.withUnsafeBytes { raw in
            guard let base = raw.baseAddress else { return }
            var start = 0
            while start + 64 <= raw.count, let at = find(m, in: raw, from: start) {
                start = at + 1
                guard at + 64 <= raw.count,
                      let index = Int(String(decoding: UnsafeRawBufferPointer(start: base + at + 32, count: 32), as: UTF8.self), radix: 16),
                      index < count, offsets[index] < 0 else { found = -1; return }
                offsets[index] = at
                found += 1
            }
        }
        return found == count ? offsets : nil
    }

    /// Offset of the only occurrence of `value`'s little-endian bytes, or nil.
    private static func findUnique(_ value: Int64, in image: [UInt8]) -> Int? {
        let needle = withUnsafeBytes(of: value.littleEndian) { Array($0) }
        return image.withUnsafeBytes { raw -> Int? in
            guard let at = find(needle, in: raw, from: 0), find(needle, in: raw, from: at + 1) == nil else { return nil }
            return at
        }
    }

    /// First offset ≥ `start` where `needle` occurs in `haystack` (memchr on its first byte).
    private static func find(_ needle: [UInt8], in haystack: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard let base = haystack.baseAddress, let first = needle.first else { return nil }
        var i = start
        while i + needle.count <= haystack.count {
            guard let hit = memchr(base + i, Int32(first), haystack.count - needle.count + 1 - i) else { return nil }
            let at = base.distance(to: UnsafeRawPointer(hit))
            if needle.withUnsafeBytes({ memcmp(base + at, $0.baseAddress!, needle.count) }) == 0 { return at }
            i = at + 1
        }
        return nil
    }

    /// Whether `c` and `row` have exactly this template's layout (and their strings fit).
    func fits(_ c: Checkpoint, row: HistoryRow) -> Bool {
        guard isReusable, c.arrays.count == arrays.count, c.scalars.count == scalars.count, c.integers.count == integers.count,
              c.strings.count == strings.count, row.values.count == rowValues.count, row.arrays.count == rowArrays.count,
              row.stateDigest.utf8.count <= 64, row.rowDigest.utf8.count <= 64 else {
            return false
        }
        func same(_ a: [String: StoredArray], _ slots: [String: ArraySlot]) -> Bool {
            a.allSatisfy { k, v in slots[k].map { $0.dtype == v.dtype && $0.shape == v.shape } ?? false }
        }
        return same(c.arrays, arrays) && same(row.arrays, rowArrays)
            && c.scalars.keys.allSatisfy { scalars[$0] != nil } && c.integers.keys.allSatisfy { integers[$0] != nil }
            && row.values.keys.allSatisfy { rowValues[$0] != nil }
            && c.strings.allSatisfy { k, v in strings[k].map { v.utf8.count <= $0.length } ?? false }
    }

    /// Writes every value of a state that `fits` into the image.
    func fill(_ c: Checkpoint, row: HistoryRow, tensorDigests: [String: String], epochEnd isEpochEnd: Bool) {
        precondition(fits(c, row: row), "CheckpointTemplate.fill: the state does not fit the template")
        fillChecked(c, row: row, tensorDigests: tensorDigests, epochEnd: isEpochEnd)
    }

    private func fillChecked(_ c: Checkpoint, row: HistoryRow, tensorDigests: [String: String], epochEnd isEpochEnd: Bool) {
        bytes.withUnsafeMutableBytes { out in
            func put(_ r: Region, _ src: UnsafeRawBufferPointer) {
                precondition(src.count <= r.length && r.offset >= 0 && r.offset + r.length <= out.count, "CheckpointTemplate: value outside its range")
                if let from = src.baseAddress, src.count > 0 { (out.baseAddress! + r.offset).copyMemory(from: from, byteCount: src.count) }
                if src.count < r.length { memset(out.baseAddress! + r.offset + src.count, 0, r.length - src.count) }
            }
            func put(_ r: Region, text: String) {
                var t = text
                t.withUTF8 { put(r, UnsafeRawBufferPointer($0)) }
            }
            func put<T>(_ r: Region, value: T) { withUnsafeBytes(of: value) { put(r, $0) } }
            func putArrays(_ values: [String: StoredArray], _ slots: [String: ArraySlot], digests: [String: String]?) {
                for (key, slot) in slots {
                    let a = values[key]!
                    if let d = slot.data { a.data.withUnsafeRawBytes { put(d, $0) } }
                    put(slot.digest, text: digests?[key] ?? StateDigest.tensor(a))
                }
            }
            put(step, value: Int64(c.step).littleEndian)
            put(epochEnd, value: Int64(isEpochEnd ? 1 : 0).littleEndian)
            put(stateDigest, text: row.stateDigest)
            put(rowDigest, text: row.rowDigest)
            putArrays(c.arrays, arrays, digests: tensorDigests)
            for (key, r) in scalars { put(r, value: c.scalars[key]!.bitPattern.littleEndian) }
            for (key, r) in integers { put(r, value: c.integers[key]!.littleEndian) }
            for (key, r) in strings { put(r, text: c.strings[key]!) }
            for (key, r) in rowValues { put(r, value: row.values[key]!.bitPattern.littleEndian) }
            putArrays(row.arrays, rowArrays, digests: nil)
        }
    }

    /// The file's bytes as they stand.
    func image() -> [UInt8] { bytes }
}
