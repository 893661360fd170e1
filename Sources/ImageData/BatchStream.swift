// The resumable sampler: a fresh random permutation of its indices every pass, augmented batches.
import DartsCore

/// Draws batches from a fixed list of dataset indices in a fresh random permutation per pass,
/// augments them, and can save and restore its whole state exactly.
///
/// Passes start lazily: the permutation of a pass is drawn when its first batch is requested,
/// so `restart()` on a stream that is fresh or exactly at the end of a pass changes nothing,
/// and an epoch of `batchesPerPass` batches never wastes a permutation.
/// Randomness: the permutation generator is Philox(seed, stream: 2·stream) and the augmentation
/// generator Philox(seed, stream: 2·stream + 1), so the train and α streams of one run (stream
/// 0 and 1, say) never share random numbers. Per image, `AugmentationDraw.draw` fixes the order.
public struct BatchStream: Sendable {
    public let indices: [Int]
    public let batchSize: Int
    public let augmentation: AugmentationConfig
    private var current: BatchStreamState

    public init(indices: [Int], batchSize: Int, seed: UInt64, stream: UInt64, augmentation: AugmentationConfig) {
        precondition(!indices.isEmpty, "a batch stream needs at least one sample")
        precondition(batchSize > 0, "batch size must be positive, got \(batchSize)")
        self.indices = indices
        self.batchSize = batchSize
        self.augmentation = augmentation
        current = BatchStreamState(pass: 0, permutation: [], cursor: 0, batchSize: batchSize,
                                   permutationRNG: PhiloxRandom(seed: seed, stream: stream &* 2),
                                   augmentationRNG: PhiloxRandom(seed: seed, stream: stream &* 2 &+ 1))
    }

    /// Continues from a saved `state`; throws `DataError.invalidSamplerState` when it does not fit.
    public init(indices: [Int], batchSize: Int, augmentation: AugmentationConfig, state: BatchStreamState) throws {
        guard !indices.isEmpty else { throw DataError.invalidSamplerState(reason: "the stream has no samples") }
        guard batchSize > 0 else { throw DataError.invalidSamplerState(reason: "batch size \(batchSize) is not positive") }
        try state.validate(indexCount: indices.count, batchSize: batchSize)
        self.indices = indices
        self.batchSize = batchSize
        self.augmentation = augmentation
        current = state
    }

    /// The state to save; `init(indices:batchSize:augmentation:state:)` continues from it.
    public var state: BatchStreamState { current }

    /// Batches in one pass; the last may be short.
    public var batchesPerPass: Int { (indices.count + batchSize - 1) / batchSize }

    /// Passes started so far.
    public var pass: Int { current.pass }

    /// Whether the next batch begins a new pass.
    public var atPassBoundary: Bool { current.cursor >= current.permutation.count }

    /// Ends the current pass: the next batch comes from a fresh permutation (epoch start).
    public mutating func restart() { current.cursor = current.permutation.count }

    /// The next batch's dataset indices, advancing the stream but drawing no augmentation.
    mutating func nextIndices() -> [Int] {
        if atPassBoundary {
            current.permutation = current.permutationRNG.permutation(indices.count)
            current.cursor = 0
            current.pass += 1
        }
        let lo = current.cursor, hi = min(lo + batchSize, indices.count)
        current.cursor = hi
        return current.permutation[lo..<hi].map { indices[$0] }
    }

    /// The next batch, augmented; a new pass (new permutation) starts when the current one is used up.
    public mutating func next(from dataset: ImageDataset) -> Batch {
        let chosen = nextIndices()
        if augmentation.isIdentity { return dataset.makeBatch(indices: chosen) }
        var draws: [AugmentationDraw] = []
        draws.reserveCapacity(chosen.count)
        for _ in chosen { draws.append(AugmentationDraw.draw(augmentation, using: &current.augmentationRNG)) }
        return dataset.makeBatch(indices: chosen, draws: draws, cutout: augmentation.cutout)
    }
}
