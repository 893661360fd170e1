// The train/α split of SPEC §2 and plain in-order batches for evaluation.

/// Splits samples `0..<count`: the first ⌊p·count⌋ train the weights, the rest the α.
///
/// A tolerance of 1e−9 absorbs rounding in `p` itself (10/11 · 11 is 9.999… in Double, yet the
/// split of 11 samples at p = 10/11 must keep 10).
public func splitIndices(count: Int, trainFraction p: Double) -> (train: [Int], alpha: [Int]) {
    precondition(count >= 0, "sample count must not be negative, got \(count)")
    precondition(p >= 0 && p <= 1, "train fraction must lie in [0, 1], got \(p)")
    let k = min(count, Int((p * Double(count) + 1e-9).rounded(.down)))
    return (Array(0..<k), Array(k..<count))
}

/// In-order, unaugmented batches over fixed sample indices (end-of-epoch evaluation on the α
/// split, test-set evaluation). Lazy: each batch is assembled when it is read.
public struct EvaluationBatches: RandomAccessCollection, Sendable {
    public let dataset: ImageDataset
    public let indices: [Int]
    public let batchSize: Int

    public init(dataset: ImageDataset, indices: [Int], batchSize: Int) {
        precondition(batchSize > 0, "batch size must be positive, got \(batchSize)")
        self.dataset = dataset; self.indices = indices; self.batchSize = batchSize
    }

    public var startIndex: Int { 0 }
    /// Number of batches; the last may be short.
    public var endIndex: Int { (indices.count + batchSize - 1) / batchSize }

    public subscript(position: Int) -> Batch {
        precondition(position >= 0 && position < endIndex, "batch \(position) outside 0..<\(endIndex)")
        let lo = position * batchSize, hi = Swift.min(lo + batchSize, indices.count)
        return dataset.makeBatch(indices: Array(indices[lo..<hi]))
    }
}

/// In-order, unaugmented batches of `dataset` over `indices`.
public func batches(of dataset: ImageDataset, indices: [Int], batchSize: Int) -> EvaluationBatches {
    EvaluationBatches(dataset: dataset, indices: indices, batchSize: batchSize)
}

/// The example-weighted mean of `measure`'s (loss, accuracy) over `dataset[indices]` in batches
/// of `batchSize` (the last may be short); NaN for no examples. A search's epoch-end validation and
/// an evaluation's test pass share it.
public func meanLossAndAccuracy(of dataset: ImageDataset, indices: [Int], batchSize: Int,
                                _ measure: (Batch) -> (loss: Double, accuracy: Double)) -> (loss: Double, accuracy: Double) {
    var lossSum = 0.0, correct = 0.0, seen = 0
    for batch in batches(of: dataset, indices: indices, batchSize: batchSize) {
        let r = measure(batch)
        let n = batch.labels.count
        lossSum += r.loss * Double(n)
        correct += r.accuracy * Double(n)
        seen += n
    }
    return seen == 0 ? (.nan, .nan) : (lossSum / Double(seen), correct / Double(seen))
}
