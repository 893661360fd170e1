// Activation of the architecture weights α (SPEC §5): row-wise softmax, or CRB's clamp to
// [0, 1], with their vector–Jacobian products, and CRB's permanent pruning of α ≤ 0.
//
// These are the plain-array versions used by the regularisers, the projection and the tests;
// α matrices are `[rows, cols]` tensors, edges × ops of the activation's column space.

import DartsCore
import Architecture

#if canImport(Glibc)
import Glibc
#else
import Foundation
#endif

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

    /// act(α) for an α matrix of shape `[rows, cols]`.
    public func apply(_ alpha: Tensor) -> Tensor {
        precondition(alpha.rank == 2, "activation of α needs a [rows, cols] matrix, got \(alpha.shape)")
        let rows = alpha.shape[0], cols = alpha.shape[1]
        var out = Tensor(shape: alpha.shape)
        alpha.withUnsafeBufferPointer { a in
            out.withUnsafeMutableBufferPointer { y in
                switch self {
                case .crb:
                    for i in 0..<a.count { y[i] = min(max(a[i], 0), 1) }
                case .softmax:
                    for r in 0..<rows {
                        let o = r * cols
                        var m = -Float.infinity
                        for c in 0..<cols { m = max(m, a[o + c]) }
                        var sum = 0.0
                        for c in 0..<cols { let e = expf(a[o + c] - m); y[o + c] = e; sum += Double(e) }
                        let s = Float(sum)
                        for c in 0..<cols { y[o + c] /= s }
                    }
                }
            }
        }
        return out
    }

    /// dL/dα given dL/dact(α) (vector–Jacobian product).
    ///
    /// Softmax: `y ⊙ (g − Σ_row g⊙y)`. CRB: `g` where 0 ≤ α ≤ 1, else 0 — PyTorch's clamp lets
    /// the gradient through at the bounds too.
    public func backward(alpha: Tensor, gradActivated: Tensor) -> Tensor {
        precondition(alpha.shape == gradActivated.shape && alpha.rank == 2,
                     "activation backward: α \(alpha.shape) and gradient \(gradActivated.shape) differ")
        let rows = alpha.shape[0], cols = alpha.shape[1]
        var out = Tensor(shape: alpha.shape)
        let y = self == .softmax ? apply(alpha) : alpha
        y.withUnsafeBufferPointer { y in
            gradActivated.withUnsafeBufferPointer { g in
                out.withUnsafeMutableBufferPointer { dx in
                    switch self {
                    case .crb:
                        for i in 0..<g.count { dx[i] = (y[i] >= 0 && y[i] <= 1) ? g[i] : 0 }
                    case .softmax:
                        for r in 0..<rows {
                            let o = r * cols
                            var dot = 0.0
                            for c in 0..<cols { dot += Double(g[o + c]) * Double(y[o + c]) }
                            let d = Float(dot)
                            for c in 0..<cols { dx[o + c] = y[o + c] * (g[o + c] - d) }
                        }
                    }
                }
            }
        }
        return out
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
