// DARTS's unrolled (second-order) architecture gradient, used by `--second-order`: the mechanism
// (virtual step, central-difference Hessian-vector product, ε = 0.01/‖v‖, restoring the weights)
// once, over closures that run a model's passes; the CNN search's version below and the ptb
// search's (Recurrent/Run/RecurrentUnrolledGradient.swift) are thin users of it.

import DartsCore
import ImageData

/// DARTS's unrolled α gradient of one model, its passes given as closures that zero and then
/// fill the `grad` of the leaves they name at the current weight values:
/// ∇α L_val(w′, α) − η·c·∇²α,w L_train(w, α)·v, with
/// - the virtual step w′ = w − η(momentum·buf + g + wd·w), g the weights' `grad` as
///   `trainWeightGradients` leaves it (∇w L_train; the ptb search clips it there) and c the
///   factor it returns (the ptb search's clip coefficient; 1 where nothing is clipped);
/// - v the weights' `grad` as `validGradients` leaves it (∇w′ L_val, α's `grad` ∇α L_val;
///   the ptb search clips v there); its result is this function's;
/// - the Hessian-vector product by central differences of `trainAlphaGradients` (∇α L_train)
///   at w ± εv, ε = 0.01/‖v‖ (architect.py).
/// Leaves the gradient in α's `grad`; the weights get their values back exactly and a zero
/// `grad`. Passes run in this order: train at w, valid at w′, train at w + εv, train at w − εv.
/// `statistics` (the batch-norm running statistics) come out of the valid pass as they went in:
/// architect.py evaluates L_val(w′) on a fresh copy of the model (`model.new()`), whose running
/// statistics are discarded, so only the three train passes move the live ones.
public func unrolledArchitectureGradient<Valid>(weights: [Parameter], alphas: [Parameter], statistics: [Parameter],
                                                momentumBuffers: [String: Tensor], momentum: Float,
                                                weightDecay decay: Float, learningRate eta: Float,
                                                trainWeightGradients: () -> Float, validGradients: () -> Valid,
                                                trainAlphaGradients: () -> Void) -> Valid {
    let saved = weights.map(\.value)
    // Virtual step w′.
    let hessianScale = trainWeightGradients()
    for (p, w) in zip(weights, saved) {
        let buffer = momentumBuffers[p.name]
        var next = w
        next.withUnsafeMutableBufferPointer { v in
            p.grad.withUnsafeBufferPointer { g in
                for i in v.indices {
                    let m = buffer.map { momentum * $0[flat: i] } ?? 0
                    v[i] = v[i] - eta * (m + g[i] + decay * v[i])
                }
            }
        }
        p.value = next
    }
    // ∇ of L_val at (w′, α) for both α and w′, on the live model with its statistics put back.
    let liveStatistics = statistics.map(\.value)
    let valid = validGradients()
    for (p, v) in zip(statistics, liveStatistics) { p.value = v }
    let alphaGradients = alphas.map(\.grad)
    let direction = weights.map(\.grad)
    var squared = 0.0
    for d in direction { d.withUnsafeBufferPointer { for v in $0 { squared += Double(v) * Double(v) } } }
    let epsilon = Float(0.01 / max(squared.squareRoot(), 1e-12))
    // ∇α L_train at w ± ε·direction.
    func alphaGradientsAt(sign: Float) -> [Tensor] {
        for (i, p) in weights.enumerated() {
            var shifted = saved[i]
            shifted.withUnsafeMutableBufferPointer { v in
                direction[i].withUnsafeBufferPointer { d in for j in v.indices { v[j] += sign * epsilon * d[j] } }
            }
            p.value = shifted
        }
        trainAlphaGradients()
        return alphas.map(\.grad)
    }
    let plus = alphaGradientsAt(sign: 1)
    let minus = alphaGradientsAt(sign: -1)
    for (p, w) in zip(weights, saved) { p.value = w; p.zeroGrad() }
    // η·c is exactly η when c = 1 (the CNN search), so its numbers are unchanged.
    let scale = eta * hessianScale
    for (i, p) in alphas.enumerated() {
        var g = alphaGradients[i]
        g.withUnsafeMutableBufferPointer { gv in
            for j in gv.indices {
                gv[j] -= scale * (plus[i][flat: j] - minus[i][flat: j]) / (2 * epsilon)
            }
        }
        p.grad = g
    }
    return valid
}

/// The CNN search's unrolled α gradient: `unrolledArchitectureGradient(weights:…)` on `model`
/// with SGD's momentum buffers, nothing clipped. Returns the validation cross-entropy and
/// accuracy at w′.
public func unrolledArchitectureGradient(model: Supernet, momentumBuffers: [String: Tensor], momentum: Float,
                                         weightDecay decay: Float, train: Batch, valid: Batch,
                                         learningRate eta: Float) -> (crossEntropy: Double, accuracy: Double) {
    unrolledArchitectureGradient(
        weights: model.weights, alphas: model.alphas, statistics: model.buffers, momentumBuffers: momentumBuffers, momentum: momentum,
        weightDecay: decay, learningRate: eta,
        trainWeightGradients: { _ = model.backpropagate(train, mode: .weightStep); return 1 },
        validGradients: {
            let (ce, accuracy) = model.backpropagate(
                valid, mode: ForwardMode(training: true, weightsRequireGrad: true, alphasRequireGrad: true))
            return (ce, accuracy)
        },
        trainAlphaGradients: { _ = model.backpropagate(train, mode: .alphaStep) })
}
