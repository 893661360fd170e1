// A state known by its digests only: what the whole-state digest text of FORMAT.md §4 lists
// (each array's dtype, shape and tensor digest; each scalar's bits; each integer; each
// string's digest). Comparing two fingerprints names the differing keys without their data.

import RunStore

public struct StateFingerprint: Sendable, Equatable {
    public struct ArrayDigest: Sendable, Equatable {
        public var dtype: StoredDType
        public var shape: [Int]
        /// Tensor digest (FORMAT.md §4).
        public var digest: String
        public init(dtype: StoredDType, shape: [Int], digest: String) { self.dtype = dtype; self.shape = shape; self.digest = digest }
    }

    public var step: Int
    public var arrays: [String: ArrayDigest]
    /// IEEE-754 bit patterns of the float64 scalars.
    public var scalars: [String: UInt64]
    public var integers: [String: Int64]
    /// SHA-256 of each string's UTF-8 bytes.
    public var strings: [String: String]

    public init(step: Int, arrays: [String: ArrayDigest] = [:], scalars: [String: UInt64] = [:],
                integers: [String: Int64] = [:], strings: [String: String] = [:]) {
        self.step = step; self.arrays = arrays; self.scalars = scalars; self.integers = integers; self.strings = strings
    }

    /// The fingerprint of a full state; `tensorDigests` (e.g. from a commit) saves re-hashing.
    public init(_ c: Checkpoint, tensorDigests: [String: String]? = nil) {
        let digests = tensorDigests ?? StateDigest.tensors(c.arrays)
        step = c.step
        arrays = c.arrays.reduce(into: [:]) { out, e in
            out[e.key] = ArrayDigest(dtype: e.value.dtype, shape: e.value.shape, digest: digests[e.key] ?? StateDigest.tensor(e.value))
        }
        scalars = c.scalars.mapValues(\.bitPattern)
        integers = c.integers
        strings = c.strings.mapValues(StateDigest.string)
    }
}
