// The per-step commit's fast path: one pass over a state with the kept template's layout that
// checks the layout, copies every value into the image, hashes every tensor straight into its
// digest attribute and assembles the whole-state digest text (FORMAT.md §4) in cached key
// order. A search commits thousands of tensors each step with the same keys, so sorting,
// validating and formatting keys, and the per-tensor String digests, are paid once per layout.
import Crypto
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The template's slots in digest order (keys sorted by UTF-8 bytes), each array with the
/// fixed part of its digest line ("A <key> <dtype> <shape> ") as bytes.
struct CommitPlan {
    struct ArrayEntry {
        var key: String
        var slot: CheckpointTemplate.ArraySlot
        var line: [UInt8]
    }
    struct ValueEntry {
        var key: String
        var region: CheckpointTemplate.Region
        var line: [UInt8]
    }
    var arrays: [ArrayEntry]
    var rowArrays: [ArrayEntry]
    var scalars: [ValueEntry]
    var integers: [ValueEntry]
    var strings: [ValueEntry]
    var rowValues: [ValueEntry]

    init(_ t: CheckpointTemplate) {
        func arrayEntries(_ slots: [String: CheckpointTemplate.ArraySlot]) -> [ArrayEntry] {
            StateDigest.sortedKeys(slots.keys).map { key in
                let s = slots[key]!
                let line = "A \(key) \(s.dtype.rawValue) \(s.shape.map(String.init).joined(separator: ",")) "
                return ArrayEntry(key: key, slot: s, line: Array(line.utf8))
            }
        }
        func valueEntries(_ regions: [String: CheckpointTemplate.Region], tag: String) -> [ValueEntry] {
            StateDigest.sortedKeys(regions.keys).map { ValueEntry(key: $0, region: regions[$0]!, line: Array("\(tag) \($0) ".utf8)) }
        }
        arrays = arrayEntries(t.arrays)
        rowArrays = arrayEntries(t.rowArrays)
        scalars = valueEntries(t.scalars, tag: "S")
        integers = valueEntries(t.integers, tag: "I")
        strings = valueEntries(t.strings, tag: "T")
        rowValues = valueEntries(t.rowValues, tag: "")
    }
}

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

extension CheckpointTemplate {
    /// Fills the image with `c`, `row` and `isEpochEnd` and returns the whole-state digest
    /// (equal to `StateDigest.whole`), or nil when the state's keys, dtypes, shapes or string
    /// lengths differ from the template's. Equal counts plus every cached key present means
    /// equal key sets, so the keys were validated when the template was built. After nil the
    /// image may be partly overwritten: the template is marked not reusable.
    func fillComputingDigest(_ c: Checkpoint, row: HistoryRow, epochEnd isEpochEnd: Bool) -> String? {
        guard isReusable, let plan, c.arrays.count == plan.arrays.count, c.scalars.count == plan.scalars.count,
              c.integers.count == plan.integers.count, c.strings.count == plan.strings.count,
              row.values.count == plan.rowValues.count, row.arrays.count == plan.rowArrays.count else {
            return nil
        }
        var text = digestText
        digestText = []
        text.removeAll(keepingCapacity: true)
        text.append(contentsOf: "dartsprime-state-v1\nstep \(c.step)\n".utf8)
        let stateDigestRegion = stateDigest, stepRegion = step, endRegion = epochEnd
        let ok = bytes.withUnsafeMutableBytes { out -> Bool in
            guard let base = out.baseAddress else { return false }
            let size = out.count
            func inside(_ r: Region) -> Bool { r.offset >= 0 && r.offset + r.length <= size }
            /// Copies the array's bytes into its data range and its hex digest into its
            /// attribute; false when it does not match the slot.
            func put(_ e: CommitPlan.ArrayEntry, _ a: StoredArray) -> Bool {
                guard a.dtype == e.slot.dtype, a.shape == e.slot.shape, inside(e.slot.digest), e.slot.digest.length == 64 else { return false }
                return a.data.withUnsafeRawBytes { src -> Bool in
                    if let r = e.slot.data {
                        guard inside(r), r.length == src.count, let from = src.baseAddress else { return false }
                        memcpy(base + r.offset, from, src.count)
                    }
                    var h = SHA256()
                    h.update(bufferPointer: src)
                    Self.writeHex(h.finalize(), to: base + e.slot.digest.offset)
                    return true
                }
            }
            func put<T>(_ r: Region, value: T) -> Bool {
                guard inside(r), MemoryLayout<T>.size <= r.length else { return false }
                _ = withUnsafeBytes(of: value) { memcpy(base + r.offset, $0.baseAddress!, $0.count) }
                return true
            }
            for e in plan.arrays {
                guard let a = c.arrays[e.key], put(e, a) else { return false }
                text.append(contentsOf: e.line)
                text.append(contentsOf: UnsafeRawBufferPointer(start: base + e.slot.digest.offset, count: 64))
                text.append(10)
            }
            for e in plan.scalars {
                guard let v = c.scalars[e.key], put(e.region, value: v.bitPattern.littleEndian) else { return false }
                text.append(contentsOf: e.line)
                let bits = v.bitPattern
                for shift in stride(from: 60, through: 0, by: -4) { text.append(hexDigits[Int((bits >> UInt64(shift)) & 15)]) }
                text.append(10)
            }
            for e in plan.integers {
                guard let v = c.integers[e.key], put(e.region, value: v.littleEndian) else { return false }
                text.append(contentsOf: e.line)
                text.append(contentsOf: String(v).utf8)
                text.append(10)
            }
            for e in plan.strings {
                guard var v = c.strings[e.key], inside(e.region) else { return false }
                let fitted = v.withUTF8 { u -> Bool in
                    guard u.count <= e.region.length else { return false }
                    if let from = u.baseAddress, u.count > 0 { memcpy(base + e.region.offset, from, u.count) }
                    memset(base + e.region.offset + u.count, 0, e.region.length - u.count)
                    var h = SHA256()
                    h.update(bufferPointer: UnsafeRawBufferPointer(u))
                    text.append(contentsOf: e.line)
                    var hex = [UInt8](repeating: 0, count: 64)
                    hex.withUnsafeMutableBytes { Self.writeHex(h.finalize(), to: $0.baseAddress!) }
                    text.append(contentsOf: hex)
                    text.append(10)
                    return true
                }
                guard fitted else { return false }
            }
            for e in plan.rowValues {
                guard let v = row.values[e.key], put(e.region, value: v.bitPattern.littleEndian) else { return false }
            }
            for e in plan.rowArrays {
                guard let a = row.arrays[e.key], put(e, a) else { return false }
            }
            guard put(stepRegion, value: Int64(c.step).littleEndian),
                  put(endRegion, value: Int64(isEpochEnd ? 1 : 0).littleEndian),
                  inside(stateDigestRegion), stateDigestRegion.length == 64 else { return false }
            let whole = text.withUnsafeBytes { raw -> SHA256.Digest in
                var h = SHA256()
                h.update(bufferPointer: raw)
                return h.finalize()
            }
            Self.writeHex(whole, to: base + stateDigestRegion.offset)
            return true
        }
        digestText = text
        guard ok else { isReusable = false; return nil }
        return bytes.withUnsafeBytes {
            String(decoding: UnsafeRawBufferPointer(rebasing: $0[stateDigestRegion.offset..<stateDigestRegion.offset + 64]), as: UTF8.self)
        }
    }

    /// Writes the row digest (computed from the row once its state digest is known) into the
    /// image filled last.
    func setRowDigest(_ hex: String) {
        precondition(hex.utf8.count == 64 && rowDigest.offset >= 0 && rowDigest.offset + 64 <= bytes.count,
                     "CheckpointTemplate: row digest outside its range")
        let region = rowDigest
        bytes.replaceSubrange(region.offset..<region.offset + 64, with: hex.utf8)
    }

    /// Writes the 64 lowercase hex digits of `digest` at `p`.
    static func writeHex(_ digest: SHA256.Digest, to p: UnsafeMutableRawPointer) {
        digest.withUnsafeBytes { raw in
            for (i, b) in raw.enumerated() {
                p.storeBytes(of: hexDigits[Int(b >> 4)], toByteOffset: 2 * i, as: UInt8.self)
                p.storeBytes(of: hexDigits[Int(b & 15)], toByteOffset: 2 * i + 1, as: UInt8.self)
            }
        }
    }
}
