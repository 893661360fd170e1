// `--second-order`: DARTS's unrolled α gradient.
//
// A finite-difference check of f(α) = L_val(w′(α), α) is not usable as the oracle here: on the
// small test networks the α-gradient is not smooth in w at Float32 (ReLU and max-pool switches;
// measured: the Hessian-vector product by differences varies by 10× between ε = 1e−2, 1e−3 and
// 1e−4). So the tests pin the formula instead: η = 0 gives the first-order gradient, and η > 0
// gives exactly DARTS's architect.py recipe, recomputed here step by step from public pieces.

import Testing
@testable import Search
import DartsCore
import ImageData

private func makeCase(seed: UInt64) -> (Supernet, Batch, Batch) {
    var rng = PhiloxRandom(seed: seed)
    let net = Supernet(SupernetConfiguration(channels: 2, layers: 3, classes: 4, inputChannels: 1, activation: .softmax), rng: &rng)
    for a in [net.alphasNormal, net.alphasReduce] { a.value = Tensor(shape: a.shape, scalars: rng.normal(count: a.value.count)) }
    func batch() -> Batch {
        Batch(images: Tensor(shape: [4, 1, 8, 8], scalars: rng.normal(count: 256)),
              labels: (0..<4).map { _ in rng.nextInt(below: 4) }, indices: Array(0..<4))
    }
    return (net, batch(), batch())
}

/// d loss / d α (both matrices, concatenated) and, optionally, d loss / d w, at the current values.
private func gradients(_ net: Supernet, _ b: Batch, weights: Bool) -> (alpha: [Float], weights: [[Float]]) {
    for p in net.weights + [net.alphasNormal, net.alphasReduce] { p.zeroGrad() }
    let t = Tape()
    let mode = ForwardMode(training: true, weightsRequireGrad: weights, alphasRequireGrad: true)
    t.backward(t.crossEntropy(net.forward(t, input: b.images, mode: mode), labels: b.labels))
    return (net.alphasNormal.grad.scalars + net.alphasReduce.grad.scalars, net.weights.map(\.grad.scalars))
}

@Suite("Second-order (unrolled) architecture gradient")
struct UnrolledGradientTests {
    @Test("with η = 0 it is the first-order gradient")
    func zeroLearningRateIsFirstOrder() {
        let (net, train, valid) = makeCase(seed: 11)
        let firstOrder = gradients(net, valid, weights: false).alpha
        _ = unrolledArchitectureGradient(model: net, momentumBuffers: [:], momentum: 0.9, weightDecay: 3e-4,
                                         train: train, valid: valid, learningRate: 0)
        let unrolled = net.alphasNormal.grad.scalars + net.alphasReduce.grad.scalars
        #expect(zip(unrolled, firstOrder).allSatisfy { abs($0 - $1) <= 1e-6 * max(1, abs($1)) })
    }

    @Test("with η > 0 it follows DARTS's recipe: virtual step with momentum, central-difference HVP")
    func followsTheRecipe() {
        let (net, train, valid) = makeCase(seed: 12)
        let eta: Float = 0.1, momentum: Float = 0.9, decay: Float = 3e-4
        var rng = PhiloxRandom(seed: 5)
        let buffers = Dictionary(uniqueKeysWithValues: net.weights.map {
            ($0.name, Tensor(shape: $0.shape, scalars: rng.normal(count: $0.value.count, std: 0.01)))
        })
        let w = net.weights.map(\.value.scalars)
        let bn = net.buffers.map(\.value)

        // The recipe, step by step.
        let gTrain = gradients(net, train, weights: true).weights
        for (k, p) in net.weights.enumerated() {
            let b = buffers[p.name]!.scalars
            p.value = Tensor(shape: p.shape, scalars: w[k].indices.map { i in
                w[k][i] - eta * (momentum * b[i] + gTrain[k][i] + decay * w[k][i]) })
        }
        let (dAlpha, dW) = gradients(net, valid, weights: true)
        let norm = Float(dW.flatMap { $0 }.reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot())
        let eps = 0.01 / norm
        func alphaGradient(at sign: Float) -> [Float] {
            for (k, p) in net.weights.enumerated() {
                p.value = Tensor(shape: p.shape, scalars: w[k].indices.map { w[k][$0] + sign * eps * dW[k][$0] })
            }
            return gradients(net, train, weights: false).alpha
        }
        let plus = alphaGradient(at: 1), minus = alphaGradient(at: -1)
        let expected = dAlpha.indices.map { dAlpha[$0] - eta * (plus[$0] - minus[$0]) / (2 * eps) }
        // The recipe's four training-mode passes moved the running statistics; architect.py's
        // live model sees only the three train passes (L_val(w′) runs on a dropped copy).
        let statisticsWithValidPass = net.buffers.map(\.value.scalars)
        for (p, v) in zip(net.buffers, bn) { p.value = v }
        for (k, p) in net.weights.enumerated() { p.value = Tensor(shape: p.shape, scalars: w[k]) }
        _ = gradients(net, train, weights: true)
        _ = alphaGradient(at: 1)
        _ = alphaGradient(at: -1)
        let liveStatistics = net.buffers.map(\.value.scalars)

        // Same starting point (weights and BN statistics), then the implementation.
        for (k, p) in net.weights.enumerated() { p.value = Tensor(shape: p.shape, scalars: w[k]) }
        for (p, v) in zip(net.buffers, bn) { p.value = v }
        _ = unrolledArchitectureGradient(model: net, momentumBuffers: buffers, momentum: momentum, weightDecay: decay,
                                         train: train, valid: valid, learningRate: eta)
        let got = net.alphasNormal.grad.scalars + net.alphasReduce.grad.scalars
        let worst = zip(got, expected).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        let scale = expected.reduce(Float(0)) { max($0, abs($1)) }
        #expect(worst <= 1e-4 * scale, "max difference \(worst) for gradients up to \(scale)")
        // Weights are restored and carry no gradient afterwards.
        #expect(net.weights.enumerated().allSatisfy { $0.element.value.scalars == w[$0.offset] })
        // The running statistics are those of the three train passes alone (ε may differ in its
        // last bit from the recipe's, hence the tolerance), not those with the valid pass.
        func distance(_ a: [[Float]], _ b: [[Float]]) -> Float {
            zip(a.joined(), b.joined()).reduce(Float(0)) { max($0, abs($1.0 - $1.1) / max(1, abs($1.1))) }
        }
        let statistics = net.buffers.map(\.value.scalars)
        #expect(distance(statistics, liveStatistics) <= 1e-5, "running statistics moved by the valid pass")
        #expect(distance(statisticsWithValidPass, liveStatistics) > 1e-3, "the valid pass would have moved them")
        // And the second-order term is not negligible in this case.
        let firstOrder = dAlpha
        #expect(zip(got, firstOrder).contains { abs($0 - $1) > 1e-3 * scale })
    }
}
