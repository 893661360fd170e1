// SPEC §7's `batchify` and the batches read from its result: rows are time steps, columns the
// independent sequences of a batch.

/// A split laid out as `columns` sequences read top to bottom: column `c` holds tokens
/// `c·rows ..< (c+1)·rows` of the split, so `self[r, c] == tokens[c·rows + r]`.
public struct TokenMatrix: Sendable, Equatable {
    public let rows: Int
    public let columns: Int
    /// Row-major `(rows, columns)`.
    public let tokens: [Int]
    /// The split's file (or another name), as errors name it.
    public let source: String

    /// `batchify(tokens, columns)`: drops the tail that does not fill `columns` columns (the
    /// reference's `narrow(0, 0, nbatch·bsz).view(bsz, -1).t()`).
    public init(batchifying sequence: [Int], columns: Int, source: String) throws {
        precondition(columns > 0, "batchify needs a positive number of columns, got \(columns)")
        let rows = sequence.count / columns
        guard rows >= 1 else {
            throw TextDataError.tooFewTokens(source: source, reason:
                "\(sequence.count) tokens cannot fill \(columns) columns (batch size) with even one row")
        }
        var out = [Int](repeating: 0, count: rows * columns)
        for c in 0..<columns {
            for r in 0..<rows { out[r * columns + c] = sequence[c * rows + r] }
        }
        self.rows = rows; self.columns = columns; self.tokens = out; self.source = source
    }

    /// The split `split` batchified.
    public init(batchifying split: TextSplit, columns: Int) throws {
        try self.init(batchifying: split.tokens, columns: columns, source: split.path)
    }

    public subscript(row: Int, column: Int) -> Int { tokens[row * columns + column] }

    /// The reference's `get_batch(source, i, seq_len)`: inputs rows `row…row+ℓ−1`, targets rows
    /// `row+1…row+ℓ`, with ℓ = min(`length`, rows − 1 − row) so the targets stay inside.
    public func batch(at row: Int, length: Int) -> SequenceBatch {
        precondition(row >= 0 && row < rows - 1, "a batch starts at a row in 0..<\(rows - 1), got \(row)")
        precondition(length >= 1, "a batch is at least one row long, got \(length)")
        let l = min(length, rows - 1 - row)
        let lo = row * columns
        return SequenceBatch(row: row, length: l, columns: columns,
                             inputs: Array(tokens[lo..<(lo + l * columns)]),
                             targets: Array(tokens[(lo + columns)..<(lo + (l + 1) * columns)]))
    }

    /// The α batch of SPEC §7 for the train cursor `trainRow`: at row `trainRow mod (rows − 1)`,
    /// `length` rows (DARTS: the fixed bptt, not the train batch's random length), cut at the end.
    public func cyclicBatch(trainRow: Int, length: Int) -> SequenceBatch {
        precondition(rows >= 2, "\(source): a cyclic batch needs at least 2 rows, the matrix has \(rows)")
        return batch(at: trainRow % (rows - 1), length: length)
    }

    /// Throws unless the matrix has at least `needed` rows, saying what needs them.
    public func require(rows needed: Int, for purpose: String) throws {
        guard rows >= needed else {
            throw TextDataError.tooFewTokens(source: source, reason:
                "\(tokens.count) tokens in \(columns) columns give \(rows) rows; \(purpose) needs at least \(needed)")
        }
    }
}

/// One batch: `length` time steps of `columns` sequences and their next tokens.
public struct SequenceBatch: Sendable, Equatable {
    /// The matrix row of the first input step.
    public let row: Int
    /// ℓ, the number of time steps.
    public let length: Int
    public let columns: Int
    /// Row-major `(length, columns)`: `inputs[t·columns + c]` is matrix row `row + t`.
    public let inputs: [Int]
    /// Row-major `(length, columns)`: matrix row `row + t + 1`, the token after each input.
    public let targets: [Int]
}
