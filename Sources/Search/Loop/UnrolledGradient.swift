// DARTS's unrolled (second-order) architecture gradient, used by `--second-order`.

import DartsCore
import ImageData

/// DARTS's unrolled (second-order) α gradient: ∇α L_val(w′, α) − η·∇²α,w L_train(w, α)·∇w′ L_val,
/// with w′ = w − η(momentum·buf + ∇w L_train + wd·w) and the Hessian-vector product by central
/// differences at w ± ε∇w′L_val, ε = 0.01/‖∇w′L_val‖ (DARTS's architect.py).
/// Leaves the gradient in α's `grad` (weights and their gradients are restored/zeroed) and
/// returns the validation cross-entropy and accuracy at w′.
public func unrolledArchitectureGradient(model: Supernet, momentumBuffers: [String: Tensor], momentum: Float,
                                         weightDecay decay: Float, train: Batch, valid: Batch,
                                         learningRate eta: Float) -> (crossEntropy: Double, accuracy: Double) {
    let weights = model.weights
    let alphas = model.alphas
    let saved = weights.map(\.value)
    // Virtual step w′.
    _ = model.backpropagate(train, mode: .weightStep)
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
    // ∇ of L_val at (w′, α) for both α and w′.
    let (ce, validAccuracy) = model.backpropagate(
        valid, mode: ForwardMode(training: true, weightsRequireGrad: true, alphasRequireGrad: true))
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
        _ = model.backpropagate(train, mode: .alphaStep)
        return alphas.map(\.grad)
    }
    let plus = alphaGradientsAt(sign: 1)
    let minus = alphaGradientsAt(sign: -1)
    for (p, w) in zip(weights, saved) { p.value = w; p.zeroGrad() }
    for (i, p) in alphas.enumerated() {
        var g = alphaGradients[i]
        g.withUnsafeMutableBufferPointer { gv in
            for j in gv.indices {
                gv[j] -= eta * (plus[i][flat: j] - minus[i][flat: j]) / (2 * epsilon)
            }
        }
        p.grad = g
    }
    return (ce, validAccuracy)
}

