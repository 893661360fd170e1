// Activation of the architecture weights α (SPEC §5): row-wise softmax, or CRB's clamp to
// [0, 1], with their vector–Jacobian products, and CRB's permanent pruning of α ≤ 0.
//
// One act(α): the tape version the forward pass uses and the plain version the stored
// activations, projection and regularisers use call the same DartsCore functions. α matrices
// are `[rows, cols]` tensors, edges × ops of the activation's column space.

import DartsCore
import Architecture

extension ActivationKind {
    /// The space whose ops are α's columns under this activation, for a search in `base`:
    /// softmax weighs every op of `base`; CRB removes `none` (SPEC §5): its clamped weights no
    /// longer depend on each other, so no `none` is needed to take weight off the others (supplement S1.1).
    public func columnSpace(of base: SearchSpace) -> SearchSpace {
        switch self {
        case .softmax: return base
        case .crb: return base.withoutExcludedOp
        }
    }

    /// act(α) on the tape, as the forward pass uses it.
    public func activate(_ alpha: Var, on tape: Tape) -> Var {
        switch self {
        case .crb: return tape.clamp(alpha, min: 0, max: 1)
        case .softmax: return tape.softmax(alpha)
        }
    }

    /// act(α) for an α matrix of shape `[rows, cols]`: the same bits as `activate` (both are
    /// DartsCore's `clampValues` / `softmaxLastAxis`), so the stored activations, the genotype
    /// and the regularisers see exactly the weights the forward pass mixed with.
    public func apply(_ alpha: Tensor) -> Tensor {
        precondition(alpha.rank == 2, "activation of α needs a [rows, cols] matrix, got \(alpha.shape)")
        switch self {
        case .crb: return clampValues(alpha, min: 0, max: 1)
        case .softmax: return softmaxLastAxis(alpha)
        }
    }

    /// dL/dα given dL/dact(α) (vector–Jacobian product), as the tape computes it.
    ///
    /// Softmax: `y ⊙ (g − Σ_row g⊙y)`. CRB: `g` where 0 ≤ α ≤ 1, else 0 — PyTorch's clamp lets
    /// the gradient through at the bounds too.
    public func backward(alpha: Tensor, gradActivated: Tensor) -> Tensor {
        precondition(alpha.shape == gradActivated.shape && alpha.rank == 2,
                     "activation backward: α \(alpha.shape) and gradient \(gradActivated.shape) differ")
        switch self {
        case .crb: return clampBackward(gradient: gradActivated, input: alpha, min: 0, max: 1)
        case .softmax: return softmaxLastAxisBackward(gradient: gradActivated, output: apply(alpha))
        }
    }

    /// act(α) as rows of Doubles, the form `project(activated:space:)` takes.
    public func activatedRows(_ alpha: Tensor) -> [[Double]] {
        let y = apply(alpha)
        let cols = alpha.shape[1]
        let s = y.scalars
        return (0..<alpha.shape[0]).map { r in (0..<cols).map { Double(s[r * cols + $0]) } }
    }
}

/// CRB's permanent pruning of one α matrix: once an entry is ≤ 0 after a weight step it is set
/// to 0 and its op is never computed again (SPEC §2 step 4, §5).
public struct CRBPruning: Codable, Equatable, Sendable {
    /// One flag per α entry, row-major; `true` = pruned.
    public var pruned: [Bool]

    public init(count: Int) { pruned = [Bool](repeating: false, count: count) }

    /// Prunes every α ≤ 0 (and re-zeroes entries pruned earlier). Returns how many were newly pruned.
    @discardableResult
    public mutating func prune(_ alpha: inout Tensor) -> Int {
        precondition(alpha.count == pruned.count,
                     "CRB pruning: α has \(alpha.count) entries, mask \(pruned.count)")
        var newly = 0
        var flags = pruned
        alpha.withUnsafeMutableBufferPointer { a in
            for i in 0..<a.count {
                if !flags[i] && a[i] <= 0 { flags[i] = true; newly += 1 }
                if flags[i] { a[i] = 0 }
            }
        }
        pruned = flags
        return newly
    }

    /// Whether op `col` on edge `row` still takes part (matrix with `cols` columns).
    public func isActive(row: Int, col: Int, cols: Int) -> Bool { !pruned[row * cols + col] }

    /// Number of ops still computed.
    public var activeCount: Int { pruned.lazy.filter { !$0 }.count }

    /// 1 for active entries, 0 for pruned ones (the ADMM mask).
    public var activeMask: [Float] { pruned.map { $0 ? 0 : 1 } }
}
