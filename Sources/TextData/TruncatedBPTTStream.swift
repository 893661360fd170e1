// The search's training batches (SPEC §7): truncated BPTT over the batchified train split with
// a random length per batch, resumable from its state.
import DartsCore

/// One training step's batch and what the step needs to know about it.
public struct TrainingBatch: Sendable, Equatable {
    public let batch: SequenceBatch
    /// The drawn length (bptt or ⌊bptt/2⌋); `batch.length` is smaller only when cut at the end.
    public let drawnLength: Int
    /// ℓ/bptt with the drawn ℓ: the factor on this step's learning rate.
    public let learningRateScale: Double
    /// The first batch of a pass (the hidden state starts from zeros, as DARTS's `train()` does).
    public let startsPass: Bool
    /// The pass (1-based) and the batch's position in it.
    public let pass: Int
    public let batchInPass: Int
}

/// Batches of a `TokenMatrix` read top to bottom, `batchesPerPass` per pass (epoch).
///
/// How a pass ends: DARTS loops `while i < rows - 2`, so its number of batches varies with the
/// drawn lengths. The shared trainer needs a fixed count, and SPEC §7 advances `clock` by
/// 1/⌊rows/35⌋ per batch, so a pass here is exactly ⌊rows/bptt⌋ batches. Every one of them starts
/// inside the matrix (after k batches the cursor is at most k·bptt ≤ rows − bptt); the last is
/// cut to rows − 1 − i rows only when rows is a multiple of bptt and every batch was full. The
/// rows a pass with short batches leaves after its last batch (on average ≈ 0.05·nb·bptt/2) are
/// not visited in that pass — where DARTS would run one or two more batches.
///
/// Passes start lazily, as `BatchStream`'s do: the cursor returns to row 0 when the next batch
/// is requested after a full pass or a `restart()`.
///
/// A run kind uses it as the CNN search uses its `BatchStream`s: `batchesPerEpoch` is
/// `batchesPerPass`, `restart()` when the trainer's `batchInEpoch` is 0, the state under its own
/// key; the step's α batch is `alphaMatrix.cyclicBatch(trainRow: batch.row, length: bptt)` (it
/// depends on the train cursor only, so it needs no state of its own).
public struct TruncatedBPTTStream: Sendable {
    public let data: TokenMatrix
    public let bptt: Int
    private var current: TextStreamState

    /// A stream at its start; `random` draws the sequence lengths (the caller gives it its own
    /// Philox stream). Throws when the matrix is too short for one batch of `bptt`.
    public init(data: TokenMatrix, bptt: Int, random: PhiloxRandom) throws {
        precondition(bptt >= 2, "truncated BPTT needs bptt ≥ 2 (its short length is ⌊bptt/2⌋), got \(bptt)")
        try data.require(rows: bptt, for: "a training pass with bptt \(bptt)")
        self.data = data
        self.bptt = bptt
        current = TextStreamState(pass: 0, batchInPass: 0, cursor: 0, rows: data.rows, columns: data.columns,
                                  bptt: bptt, lengthRNG: random)
    }

    /// Continues from a saved `state`; throws `invalidStreamState` when it does not fit.
    public init(data: TokenMatrix, bptt: Int, state: TextStreamState) throws {
        try self.init(data: data, bptt: bptt, random: state.lengthRNG)
        try state.validate(rows: data.rows, columns: data.columns, bptt: bptt, batchesPerPass: batchesPerPass)
        current = state
    }

    /// The state to save; `init(data:bptt:state:)` continues from it.
    public var state: TextStreamState { current }

    /// ⌊rows/bptt⌋: the trainer's `batchesPerEpoch`.
    public var batchesPerPass: Int { data.rows / bptt }

    /// Whether the next batch begins a new pass.
    public var atPassBoundary: Bool { current.pass == 0 || current.batchInPass >= batchesPerPass }

    /// Ends the current pass: the next batch starts again at row 0 (an epoch start).
    public mutating func restart() { if current.pass > 0 { current.batchInPass = batchesPerPass } }

    /// The next batch, drawing its length; a new pass starts when the current one is done.
    public mutating func next() -> TrainingBatch {
        let starts = atPassBoundary
        if starts {
            current.pass += 1
            current.batchInPass = 0
            current.cursor = 0
        }
        let drawn = SequenceLength.draw(bptt: bptt, using: &current.lengthRNG)
        let batch = data.batch(at: current.cursor, length: drawn)
        let out = TrainingBatch(batch: batch, drawnLength: drawn,
                                learningRateScale: SequenceLength.learningRateScale(length: drawn, bptt: bptt),
                                startsPass: starts, pass: current.pass, batchInPass: current.batchInPass)
        current.cursor += drawn
        current.batchInPass += 1
        return out
    }
}
