// A checkpoint file kept open in memory between commits. Creating HDF5 objects costs tens of
// microseconds each and a supernet checkpoint has thousands, but the search commits the same
// keys, dtypes and shapes every step: so the file's layout (FORMAT.md §3) is built once, every
// dataset and per-step attribute stays open, and each commit only rewrites their values and
// takes the file's bytes for one write(). A state with another layout rebuilds the template.
import Foundation

final class CheckpointTemplate {
    /// What a checkpoint must share with the template to reuse it: keys, dtypes and shapes,
    /// and strings no longer than the template's widths.
    private struct ArraySlot { var dtype: StoredDType; var shape: [Int]; var dataset: HDF5Dataset; var digest: HDF5Attribute }
    private struct StringSlot { var width: Int; var dataset: HDF5Dataset }

    let file: HDF5File
    private let step: HDF5Attribute, epochEnd: HDF5Attribute, stateDigest: HDF5Attribute
    private var arrays: [String: ArraySlot] = [:]
    private var scalars: [String: HDF5Dataset] = [:]
    private var integers: [String: HDF5Dataset] = [:]
    private var strings: [String: StringSlot] = [:]
    private var rowValues: [String: HDF5Dataset] = [:]
    private var rowArrays: [String: ArraySlot] = [:]

    /// Distinguishes the in-memory files of templates alive at the same time.
    nonisolated(unsafe) private static var counter = 0  // guarded by the HDF5 lock

    /// Builds the layout of `c` and `row` in a new in-memory file, holding their values.
    /// `name` (never created on disk) names the file in errors and handle listings.
    init(_ c: Checkpoint, row: HistoryRow, tensorDigests: [String: String], epochEnd isEpochEnd: Bool,
         configurationJSON: String, environment: [String: String], name: String) throws {
        let unique = HDF5.withLock { Self.counter += 1; return Self.counter }
        file = try HDF5File.createInMemory(name: "\(name).\(getpid()).\(unique)")
        try file.setAttribute("format", string: CheckpointFile.format)
        try file.setAttribute("format_version", int64: CheckpointFile.formatVersion)
        step = try file.createAttribute("step", int64: Int64(c.step))
        epochEnd = try file.createAttribute("epoch_end", int64: isEpochEnd ? 1 : 0)
        stateDigest = try file.createAttribute("state_digest", string: row.stateDigest, width: 64)
        let meta = try file.createGroup("meta")
        try meta.createString("configuration_json", configurationJSON)
        try meta.createString("environment_json", RunManifest.encodeSorted(environment))
        arrays = try Self.createArrays(c.arrays, digests: tensorDigests, under: try file.createGroup("arrays"))
        var w = KeyedGroupWriter(root: try file.createGroup("scalars"))
        for key in StateDigest.sortedKeys(c.scalars.keys) {
            let (p, n) = try w.parent(of: key)
            scalars[key] = try p.createDataset(n, .float64(shape: [], [c.scalars[key]!]))
        }
        w = KeyedGroupWriter(root: try file.createGroup("integers"))
        for key in StateDigest.sortedKeys(c.integers.keys) {
            let (p, n) = try w.parent(of: key)
            integers[key] = try p.createDataset(n, .int64(shape: [], [c.integers[key]!]))
        }
        w = KeyedGroupWriter(root: try file.createGroup("strings"))
        for key in StateDigest.sortedKeys(c.strings.keys) {
            let (p, n) = try w.parent(of: key)
            let value = c.strings[key]!
            let width = Self.stringWidth(forLength: value.utf8.count)
            strings[key] = StringSlot(width: width, dataset: try p.createString(n, value, width: width))
        }
        let h = try file.createGroup("history_row")
        w = KeyedGroupWriter(root: try h.createGroup("values"))
        for key in StateDigest.sortedKeys(row.values.keys) {
            let (p, n) = try w.parent(of: key)
            rowValues[key] = try p.createDataset(n, .float64(shape: [], [row.values[key]!]))
        }
        rowArrays = try Self.createArrays(row.arrays, digests: row.arrays.mapValues(StateDigest.tensor), under: try h.createGroup("arrays"))
    }

    /// Strings change length from step to step (JSON counters), so their datasets get slack:
    /// a longer value than the template holds only forces a rebuild. Readers strip the NULs.
    static func stringWidth(forLength n: Int) -> Int { n + max(32, n / 2) }

    private static func createArrays(_ values: [String: StoredArray], digests: [String: String],
                                     under root: HDF5Group) throws -> [String: ArraySlot] {
        let w = KeyedGroupWriter(root: root)
        var slots: [String: ArraySlot] = [:]
        for key in StateDigest.sortedKeys(values.keys) {
            let a = values[key]!
            let (p, n) = try w.parent(of: key)
            let ds = try p.createDataset(n, a)
            let digest = try ds.createAttribute("sha256", string: digests[key] ?? StateDigest.tensor(a), width: 64)
            slots[key] = ArraySlot(dtype: a.dtype, shape: a.shape, dataset: ds, digest: digest)
        }
        return slots
    }

    /// Whether `c` and `row` have exactly this template's layout (and their strings fit).
    func fits(_ c: Checkpoint, row: HistoryRow) -> Bool {
        guard c.arrays.count == arrays.count, c.scalars.count == scalars.count, c.integers.count == integers.count,
              c.strings.count == strings.count, row.values.count == rowValues.count, row.arrays.count == rowArrays.count else {
            return false
        }
        func same(_ a: [String: StoredArray], _ slots: [String: ArraySlot]) -> Bool {
            a.allSatisfy { k, v in slots[k].map { $0.dtype == v.dtype && $0.shape == v.shape } ?? false }
        }
        return same(c.arrays, arrays) && same(row.arrays, rowArrays)
            && c.scalars.keys.allSatisfy { scalars[$0] != nil } && c.integers.keys.allSatisfy { integers[$0] != nil }
            && row.values.keys.allSatisfy { rowValues[$0] != nil }
            && c.strings.allSatisfy { k, v in strings[k].map { v.utf8.count <= $0.width } ?? false }
    }

    /// Rewrites every value of a state that `fits`.
    func fill(_ c: Checkpoint, row: HistoryRow, tensorDigests: [String: String], epochEnd isEpochEnd: Bool) throws {
        precondition(fits(c, row: row), "CheckpointTemplate.fill: the state does not fit the template")
        try step.write(int64: Int64(c.step))
        try epochEnd.write(int64: isEpochEnd ? 1 : 0)
        try stateDigest.write(string: row.stateDigest)
        for (key, slot) in arrays {
            let a = c.arrays[key]!
            try slot.dataset.overwrite(a.data)
            try slot.digest.write(string: tensorDigests[key] ?? StateDigest.tensor(a))
        }
        for (key, ds) in scalars { try ds.overwrite(.float64([c.scalars[key]!])) }
        for (key, ds) in integers { try ds.overwrite(.int64([c.integers[key]!])) }
        for (key, slot) in strings { try slot.dataset.overwrite(strings: [c.strings[key]!]) }
        for (key, ds) in rowValues { try ds.overwrite(.float64([row.values[key]!])) }
        for (key, slot) in rowArrays {
            let a = row.arrays[key]!
            try slot.dataset.overwrite(a.data)
            try slot.digest.write(string: StateDigest.tensor(a))
        }
    }

    /// The file's bytes as they stand.
    func image() throws -> [UInt8] { try file.image() }
}
