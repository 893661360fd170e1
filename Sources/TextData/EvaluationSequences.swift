// In-order, fixed-length batches for evaluation (SPEC §7: validation batch 10, test batch 1),
// and the per-token mean over them that perplexity is the exponential of.

/// DARTS `evaluate`: batches at rows 0, bptt, 2·bptt, … < rows − 1, each min(bptt, rows − 1 − i)
/// long, so every token but the first of each column is predicted exactly once. Lazy.
public struct EvaluationSequences: RandomAccessCollection, Sendable {
    public let data: TokenMatrix
    public let bptt: Int

    /// SPEC §7's columns (batch sizes) for the validation and the test split.
    public static let validationColumns = 10
    public static let testColumns = 1

    /// Throws when the matrix has fewer than 2 rows (nothing to predict).
    public init(data: TokenMatrix, bptt: Int) throws {
        precondition(bptt >= 1, "an evaluation batch is at least one row long, got bptt \(bptt)")
        try data.require(rows: 2, for: "evaluation")
        self.data = data; self.bptt = bptt
    }

    public var startIndex: Int { 0 }
    /// ⌈(rows − 1)/bptt⌉ batches.
    public var endIndex: Int { (data.rows - 1 + bptt - 1) / bptt }

    public subscript(position: Int) -> SequenceBatch {
        precondition(position >= 0 && position < endIndex, "batch \(position) outside 0..<\(endIndex)")
        return data.batch(at: position * bptt, length: bptt)
    }

    /// The mean of `meanLoss` (a batch's mean over its length·columns targets) weighted by each
    /// batch's targets: the mean NLL per predicted token, over (rows − 1)·columns tokens.
    /// DARTS divides its length-weighted sum by `len(data_source)` = rows instead of rows − 1;
    /// this is the plain per-token mean that SPEC §7's "exp(mean NLL)" asks for.
    public func meanPerToken(_ meanLoss: (SequenceBatch) throws -> Double) rethrows -> Double {
        var sum = 0.0, count = 0
        for batch in self {
            let n = batch.length * batch.columns
            sum += try meanLoss(batch) * Double(n)
            count += n
        }
        return sum / Double(count)
    }
}
