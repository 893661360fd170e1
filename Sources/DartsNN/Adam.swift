// Adam with L2 weight decay added to the gradient, PyTorch `torch.optim.Adam` semantics.
//
// The architecture optimiser of the search (SPEC §2): lr 3e−4, betas (0.5, 0.999), eps 1e−8,
// weight decay 1e−3 (0 with CRB). All state is public for checkpoints.

import DartsCore

/// Adam (not AdamW): `g = grad + wd·w`; `m = lerp(m, g, 1−β1)`; `v = β2·v + (1−β2)·g²`;
/// `w −= (lr / (1−β1ᵗ)) · m / (√v / √(1−β2ᵗ) + eps)`.
///
/// The arithmetic order follows PyTorch's single-tensor CPU path (including `lerp`'s two
/// formulas), bias corrections in Double as Python computes them.
///
/// CRB masking: `step(_:frozen:)` takes, per parameter name, a flag per element; a frozen
/// element is skipped entirely — its value and both moments stay as they are. CRB passes its
/// pruning mask here so that momentum cannot revive a pruned α. (Re-zeroing after the step would
/// also keep α at 0, but would let the moments keep drifting; freezing keeps them still.)
public final class Adam {
    public var lr: Float
    public let beta1: Float
    public let beta2: Float
    public let eps: Float
    public let weightDecay: Float
    /// Steps taken so far (PyTorch's per-parameter `step`; every parameter steps together here).
    public var stepCount: Int
    /// First and second moment estimates keyed by `Parameter.name`; absent before the first step.
    public var firstMoments: [String: Tensor]
    public var secondMoments: [String: Tensor]

    public init(lr: Float, beta1: Float, beta2: Float, eps: Float, weightDecay: Float) {
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.eps = eps
        self.weightDecay = weightDecay
        self.stepCount = 0
        self.firstMoments = [:]
        self.secondMoments = [:]
    }

    /// One Adam step on every parameter from its `grad`.
    /// - Parameter frozen: optional per-name element flags; `true` elements are not touched.
    public func step(_ params: [Parameter], frozen: [String: [Bool]]? = nil) {
        stepCount += 1
        let t = Double(stepCount)
        let bc1 = 1 - _pow(Double(beta1), t)
        let bc2 = 1 - _pow(Double(beta2), t)
        let stepSize = Float(Double(lr) / bc1)
        let bc2Sqrt = Float(bc2.squareRoot())
        for p in params {
            let mask = frozen?[p.name]
            if let mask {
                precondition(mask.count == p.value.count,
                             "Adam: frozen mask of \(p.name) has \(mask.count) flags for \(p.value.count) elements")
            }
            update(p, stepSize: stepSize, bc2Sqrt: bc2Sqrt, frozen: mask)
        }
    }

    private func update(_ p: Parameter, stepSize: Float, bc2Sqrt: Float, frozen: [Bool]?) {
        precondition(p.grad.shape == p.value.shape,
                     "Adam: gradient of \(p.name) has shape \(p.grad.shape), value \(p.value.shape)")
        var m = firstMoments.removeValue(forKey: p.name) ?? Tensor(shape: p.value.shape)
        var v = secondMoments.removeValue(forKey: p.name) ?? Tensor(shape: p.value.shape)
        precondition(m.shape == p.value.shape && v.shape == p.value.shape,
                     "Adam: moments of \(p.name) do not match its shape \(p.value.shape)")
        let b1w = 1 - beta1, b2 = beta2, b2w = 1 - beta2, eps = self.eps, wd = weightDecay
        let grad = p.grad
        p.value.withUnsafeMutableBufferPointer { w in
            m.withUnsafeMutableBufferPointer { mb in
                v.withUnsafeMutableBufferPointer { vb in
                    grad.withUnsafeBufferPointer { g in
                        for i in 0..<w.count {
                            if let frozen, frozen[i] { continue }
                            let gi = wd != 0 ? g[i] + wd * w[i] : g[i]
                            // torch.lerp(m, g, weight): two formulas split at |weight| < 0.5.
                            let diff = gi - mb[i]
                            mb[i] = b1w < 0.5 ? mb[i] + b1w * diff : gi - diff * (1 - b1w)
                            vb[i] = vb[i] * b2 + b2w * (gi * gi)
                            let denom = vb[i].squareRoot() / bc2Sqrt + eps
                            w[i] = w[i] + (-stepSize) * (mb[i] / denom)
                        }
                    }
                }
            }
        }
        firstMoments[p.name] = m
        secondMoments[p.name] = v
    }
}

#if canImport(Glibc)
import Glibc
@inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
#else
import Foundation
@inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
#endif
