// Re-executing steps of a run through the shared trainer without a run store: each step's
// state is captured and digested exactly as a commit would (StateDigest, FORMAT.md §4), so the
// digests compare with any recorded ones. Used by `audit` (seed records and stored runs).

import Foundation
import RunStore
import Training

/// The state of one re-executed step.
public struct ExecutedStep {
    public var step: Int
    public var checkpoint: Checkpoint
    public var history: HistoryRow
    public var tensorDigests: [String: String]
    public var stateDigest: String
}

public enum Reexecution {
    /// The state of a run kind at step 0, as `Trainer.commitInitialState` commits it.
    public static func initialState(_ kind: any RunKind) throws -> ExecutedStep {
        let trainer = Trainer(kind)
        return try capture(trainer, try kind.initialOutput())
    }

    static func capture(_ trainer: Trainer, _ output: StepOutput) throws -> ExecutedStep {
        let kind = trainer.kind
        let checkpoint = try trainer.checkpoint(output)
        let digests = StateDigest.tensors(checkpoint.arrays)
        var row = trainer.historyRow(output)
        row.epochEnd = kind.counters.step > 0 && kind.counters.batchInEpoch == 0
        let whole = StateDigest.whole(checkpoint, tensorDigests: digests)
        row.stateDigest = whole
        return ExecutedStep(step: checkpoint.step, checkpoint: checkpoint, history: row, tensorDigests: digests, stateDigest: whole)
    }

    /// Steps `kind` from its current state `steps` times (nil: to its end), calling `body` with
    /// each step's captured state; stops early when `body` returns false.
    public static func run(_ kind: any RunKind, steps: Int?, _ body: (ExecutedStep) throws -> Bool) throws {
        let trainer = Trainer(kind)
        var done = 0
        while !kind.isFinished, steps.map({ done < $0 }) ?? true {
            let output = try trainer.step()
            done += 1
            guard try body(try capture(trainer, output)) else { return }
        }
    }
}
