// SHA-256 digests: one per tensor over its raw little-endian bytes, and one over the whole
// state built from the per-tensor digests (so the data is hashed once). Defined in FORMAT.md §4.
import Crypto
import Foundation

public enum StateDigest {
    /// Hex SHA-256 of the array's raw little-endian element bytes (C order), nothing else.
    public static func tensor(_ array: StoredArray) -> String {
        array.data.withUnsafeRawBytes { hex(SHA256.hash(data: $0)) }
    }

    /// Whole-state digest given each array's tensor digest (see FORMAT.md §4):
    /// SHA-256 over "dartsprime-state-v1\n", "step <n>\n", then one line per entry in key byte
    /// order within each section: "A <key> <dtype> <d0,d1,...> <tensor hex>\n",
    /// "S <key> <float64 bits as 16 hex>\n", "I <key> <decimal>\n",
    /// "T <key> <hex SHA-256 of UTF-8 value>\n".
    public static func whole(_ c: Checkpoint, tensorDigests: [String: String]) -> String {
        // The text is assembled in one byte buffer and hashed once (thousands of lines).
        var text: [UInt8] = []
        text.reserveCapacity(64 + c.arrays.count * 160 + (c.scalars.count + c.integers.count + c.strings.count) * 96)
        func line(_ s: String) { text.append(contentsOf: s.utf8) }
        line("dartsprime-state-v1\n")
        line("step \(c.step)\n")
        for key in sortedKeys(c.arrays.keys) {
            let a = c.arrays[key]!
            let d = tensorDigests[key] ?? tensor(a)
            line("A \(key) \(a.dtype.rawValue) \(a.shape.map(String.init).joined(separator: ",")) \(d)\n")
        }
        for key in sortedKeys(c.scalars.keys) {
            line("S \(key) \(String(c.scalars[key]!.bitPattern, radix: 16).leftPadded(16))\n")
        }
        for key in sortedKeys(c.integers.keys) { line("I \(key) \(c.integers[key]!)\n") }
        for key in sortedKeys(c.strings.keys) {
            line("T \(key) \(string(c.strings[key]!))\n")
        }
        return text.withUnsafeBytes { hex(SHA256.hash(data: $0)) }
    }

    /// Row digest (FORMAT.md §5): SHA-256 over "dartsprime-row-v1\n", "step <n>\n",
    /// "epoch_end <0|1>\n", "state_digest <hex>\n", then one line per value
    /// "V <name> <float64 bits as 16 hex>\n" and per array "A <name> <dtype> <d0,...> <tensor hex>\n",
    /// each section in name byte order. Not part of the state digest.
    public static func row(_ r: HistoryRow) -> String {
        var text = "dartsprime-row-v1\nstep \(r.step)\nepoch_end \(r.epochEnd ? 1 : 0)\nstate_digest \(r.stateDigest)\n"
        for key in sortedKeys(r.values.keys) {
            text += "V \(key) \(String(r.values[key]!.bitPattern, radix: 16).leftPadded(16))\n"
        }
        for key in sortedKeys(r.arrays.keys) {
            let a = r.arrays[key]!
            text += "A \(key) \(a.dtype.rawValue) \(a.shape.map(String.init).joined(separator: ",")) \(tensor(a))\n"
        }
        return hex(SHA256.hash(data: Data(text.utf8)))
    }

    /// Hex SHA-256 of a string value's UTF-8 bytes (its `T` line in the whole-state digest).
    public static func string(_ value: String) -> String { hex(SHA256.hash(data: Data(value.utf8))) }

    /// Keys sorted by their UTF-8 bytes (locale-independent, matches Python's sorted() on str
    /// for the ASCII keys the project uses): the canonical key order of a state.
    public static func sortedKeys<S: Sequence>(_ keys: S) -> [String] where S.Element == String {
        // Each key's bytes are taken once, not once per comparison (thousands of keys a commit).
        keys.map { (bytes: Array($0.utf8), key: $0) }
            .sorted { $0.bytes.lexicographicallyPrecedes($1.bytes) }
            .map(\.key)
    }

    /// Tensor digests of every array, hashed on all cores (the data is the bulk of a commit's
    /// CPU time); the result does not depend on the split.
    public static func tensors(_ arrays: [String: StoredArray]) -> [String: String] {
        let entries = Array(arrays)
        let total = entries.reduce(0) { $0 + $1.value.count * $1.value.dtype.size }
        let workers = min(ProcessInfo.processInfo.activeProcessorCount, max(1, total >> 20), entries.count)
        guard workers > 1 else { return arrays.mapValues(tensor) }
        // Deal arrays to workers so each hashes about the same number of bytes.
        var buckets = [[Int]](repeating: [], count: workers)
        var load = [Int](repeating: 0, count: workers)
        for i in entries.indices.sorted(by: { entries[$0].value.count * entries[$0].value.dtype.size > entries[$1].value.count * entries[$1].value.dtype.size }) {
            let w = load.indices.min { load[$0] < load[$1] }!
            buckets[w].append(i)
            load[w] += entries[i].value.count * entries[i].value.dtype.size
        }
        let assignment = buckets
        var out = [String](repeating: "", count: entries.count)
        out.withUnsafeMutableBufferPointer { results in
            nonisolated(unsafe) let results = results  // each worker writes only its own indices
            DispatchQueue.concurrentPerform(iterations: workers) { w in
                for i in assignment[w] { results[i] = tensor(entries[i].value) }
            }
        }
        var digests: [String: String] = [:]
        digests.reserveCapacity(entries.count)
        for (i, e) in entries.enumerated() { digests[e.key] = out[i] }
        return digests
    }

    static func hex<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        let digits = Array("0123456789abcdef".utf8)
        var out = [UInt8](); out.reserveCapacity(64)
        for b in digest { out.append(digits[Int(b >> 4)]); out.append(digits[Int(b & 15)]) }
        return String(decoding: out, as: UTF8.self)
    }
}

extension String {
    func leftPadded(_ width: Int) -> String { count >= width ? self : String(repeating: "0", count: width - count) + self }
}
