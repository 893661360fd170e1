// Everything a batch stream needs to continue exactly where it stopped, and its validation.
import DartsCore

/// The complete state of a `BatchStream`: restoring it reproduces every later batch bit for bit.
public struct BatchStreamState: Codable, Equatable, Sendable {
    /// Passes started so far (0 before the first batch).
    public var pass: Int
    /// Order of the current pass as positions into the stream's index list; empty before the first pass.
    public var permutation: [Int]
    /// Positions of the current pass already handed out.
    public var cursor: Int
    /// Batch size the state was produced with (a resume with another size is refused).
    public var batchSize: Int
    /// Draws each pass's permutation.
    public var permutationRNG: PhiloxRandom
    /// Draws the per-image augmentation choices.
    public var augmentationRNG: PhiloxRandom

    public init(pass: Int, permutation: [Int], cursor: Int, batchSize: Int,
                permutationRNG: PhiloxRandom, augmentationRNG: PhiloxRandom) {
        self.pass = pass; self.permutation = permutation; self.cursor = cursor; self.batchSize = batchSize
        self.permutationRNG = permutationRNG; self.augmentationRNG = augmentationRNG
    }

    /// Throws `invalidSamplerState` unless this state fits a stream over `indexCount` samples.
    public func validate(indexCount: Int, batchSize expectedBatch: Int) throws {
        func fail(_ reason: String) -> DataError { .invalidSamplerState(reason: reason) }
        guard batchSize == expectedBatch else {
            throw fail("it was saved with batch size \(batchSize), the stream uses \(expectedBatch)")
        }
        guard pass >= 0 else { throw fail("pass number \(pass) is negative") }
        if permutation.isEmpty {
            guard pass == 0, cursor == 0 else { throw fail("it has no permutation but pass \(pass), cursor \(cursor)") }
        } else {
            guard pass >= 1 else { throw fail("it has a permutation but pass number 0") }
            guard permutation.count == indexCount else {
                throw fail("its permutation has \(permutation.count) entries, the stream has \(indexCount) samples")
            }
            var seen = [Bool](repeating: false, count: indexCount)
            for p in permutation {
                guard p >= 0, p < indexCount, !seen[p] else {
                    throw fail("its permutation is not a permutation of 0..<\(indexCount) (entry \(p))")
                }
                seen[p] = true
            }
            guard cursor >= 0, cursor <= permutation.count else {
                throw fail("cursor \(cursor) is outside 0...\(permutation.count)")
            }
        }
        for (name, rng) in [("permutation", permutationRNG), ("augmentation", augmentationRNG)] where rng.lane > 4 {
            throw fail("the \(name) generator's lane \(rng.lane) is outside 0...4")
        }
    }

    // MARK: - Flat form for array stores

    /// Format tag of `flattened`.
    public static let flatVersion: Int64 = 1

    /// The state as one Int64 array (for an HDF5 dataset): version, pass, cursor, batch size,
    /// permutation length, the permutation, then each generator's four `stateWords` as bit patterns.
    public var flattened: [Int64] {
        var out: [Int64] = [Self.flatVersion, Int64(pass), Int64(cursor), Int64(batchSize), Int64(permutation.count)]
        out.reserveCapacity(out.count + permutation.count + 8)
        out.append(contentsOf: permutation.lazy.map { Int64($0) })
        out.append(contentsOf: permutationRNG.stateWords.map { Int64(bitPattern: $0) })
        out.append(contentsOf: augmentationRNG.stateWords.map { Int64(bitPattern: $0) })
        return out
    }

    /// Reads `flattened`; throws `invalidSamplerState` on a wrong version or length.
    public init(flattened f: [Int64]) throws {
        guard f.count >= 13, f[0] == Self.flatVersion else {
            throw DataError.invalidSamplerState(reason: "the flat array is not a version-\(Self.flatVersion) sampler state")
        }
        let n = Int(f[4])
        guard n >= 0, f.count == 5 + n + 8 else {
            throw DataError.invalidSamplerState(reason: "the flat array has \(f.count) entries, a permutation of \(n) needs \(max(n, 0) + 13)")
        }
        let words = { (from: Int) in f[from..<(from + 4)].map { UInt64(bitPattern: $0) } }
        self.init(pass: Int(f[1]), permutation: f[5..<(5 + n)].map { Int($0) }, cursor: Int(f[2]),
                  batchSize: Int(f[3]), permutationRNG: PhiloxRandom(stateWords: words(5 + n)),
                  augmentationRNG: PhiloxRandom(stateWords: words(9 + n)))
    }
}
