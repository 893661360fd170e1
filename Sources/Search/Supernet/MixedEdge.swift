// The mixed edge of a search cell (SPEC §1): every candidate operation on one edge, weighted by
// the activated α. The operations themselves are DartsNN's `CellOperation`s in search style.

import DartsCore
import DartsNN

/// A mixed edge: Σ_k act(α)[e, k] · op_k(x), skipping `none` and (CRB) ops whose weight is ≤ 0.
struct MixedEdge {
    let ops: [CellOperation]
    /// Trainable parameters of each op (for the per-edge per-op FIMT trace).
    let opParameters: [[Parameter]]

    /// `activated` is the (edges × ops) activated α on the tape; `edge` this edge's row;
    /// `activatedValues` the same matrix as plain numbers, to decide which ops to skip.
    /// `skipNonPositive` (CRB) leaves out ops whose activated weight is ≤ 0, as the reference does.
    func callAsFunction(_ x: Var, edge: Int, activated: Var, activatedValues: [Float], skipNonPositive: Bool,
                        _ tape: Tape, _ mode: ForwardMode) -> Var? {
        let k = ops.count
        var outputs: [Var] = []
        var indices: [Int] = []
        for (i, op) in ops.enumerated() where !op.isZero {
            let index = edge * k + i
            if skipNonPositive && activatedValues[index] <= 0 { continue }  // CRB: pruned, no work
            outputs.append(op(x, tape, mode))
            indices.append(index)
        }
        if outputs.isEmpty { return nil }
        return tape.weightedSum(outputs, weights: activated, indices: indices)
    }
}
