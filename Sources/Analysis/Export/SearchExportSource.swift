// What the search exports read: the run's search space (CRB without `none`, via Replay), the
// history rows of the `--steps` slice, and the checkpoints retention kept. Runs that are not
// searches are refused here, once, with the sentence ExportError gives.

import Foundation
import Architecture
import Evaluation
import RunStore
import Search

public struct SearchExportSource {
    public let replay: Replay
    public let range: StepRange
    /// History rows within `range`, ascending.
    public let rows: [HistoryRow]

    public var store: RunStore { replay.store }
    public var space: SearchSpace { replay.space }

    /// `what` names the export in the refusal of a run that is not a search.
    public init(store: RunStore, what: String, steps: StepRange) throws {
        guard Replay.isSearch(store.runKind) else {
            if store.runKind == CNNEvaluation.kindName { throw ExportError.evaluationRun(run: store.url.path, what: what) }
            throw ExportError.notASearch(run: store.url.path, kind: store.runKind, what: what)
        }
        replay = try Replay(store: store)
        range = steps
        rows = try Self.rows(of: store, in: steps)
    }

    /// The history rows of `range`; a slice that selects nothing is an error (a typo, not an empty table).
    public static func rows(of store: RunStore, in range: StepRange) throws -> [HistoryRow] {
        let all = try store.history()
        let rows = all.filter { range.contains($0.step) }
        if rows.isEmpty && range != .all {
            throw ExportError.noStepsInRange(run: store.url.path, range: range.description, first: all.first?.step, last: all.last?.step)
        }
        return rows
    }

    /// The step's checkpoint when retention kept it (every digest verified), else nil.
    public func checkpoint(_ step: Int) throws -> Checkpoint? {
        store.storedSteps.contains(step) ? try store.load(step: step) : nil
    }

    /// A `[edges, ops]` array of a kept checkpoint, checked against the run's space; nil when absent.
    public func matrix(_ key: String, in checkpoint: Checkpoint) throws -> StoredArray? {
        guard let a = checkpoint.arrays[key] else { return nil }
        guard a.shape == space.alphaShape else {
            throw ExportError.checkpointShape(file: store.checkpointPath(step: checkpoint.step), key: key,
                                              shape: a.shape, expected: space.alphaShape)
        }
        return a
    }

    /// The activated α of `cell` in a history row (float32, the space's shape).
    public func weights(_ cell: String, in row: HistoryRow) throws -> [Float] {
        guard let a = row.arrays["alphas_" + cell], a.shape == space.alphaShape, case let .float32(v) = a.data else {
            throw ExportError.missingHistoryArray(run: store.url.path, step: row.step, name: "alphas_" + cell)
        }
        return v
    }

    /// The history's `epoch` (epochs completed after the step) as a cell.
    public static func epoch(_ row: HistoryRow) -> ExportCell { .wholeNumber(row.values["epoch"]) }
}
