// Total-norm gradient clipping (PyTorch `clip_grad_norm_`), applied to weight gradients only.

import DartsCore

/// Scales every gradient by `maxNorm / (norm + 1e−6)` when that coefficient is below 1, where
/// `norm` is the L2 norm of all gradients together, and returns that norm (before clipping).
///
/// The norm is accumulated in Double in the given parameter order, so it does not depend on
/// thread count or summation tree: a resumed run clips exactly as the original did.
@discardableResult
public func clipGradientNorm(_ params: [Parameter], maxNorm: Float) -> Float {
    var sum = 0.0
    for p in params {
        p.grad.withUnsafeBufferPointer { g in
            for x in g { let d = Double(x); sum += d * d }
        }
    }
    let norm = sum.squareRoot()
    let coefficient = Double(maxNorm) / (norm + 1e-6)
    if coefficient < 1 {
        let c = Float(coefficient)
        for p in params {
            p.grad.withUnsafeMutableBufferPointer { g in
                for i in 0..<g.count { g[i] *= c }
            }
        }
    }
    return Float(norm)
}
