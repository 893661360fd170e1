// Gradient clipping, the cosine learning rate, and the initialisers.

import Testing
import DartsCore
@testable import DartsNN

@Test func clippingScalesOnlyAboveTheLimit() {
    // Gradients (3, 4) and (12): total norm 13.
    let a = Parameter(name: "a", value: Tensor(shape: [2]))
    let b = Parameter(name: "b", value: Tensor(shape: [1]))
    a.grad = Tensor(shape: [2], scalars: [3, 4])
    b.grad = Tensor(shape: [1], scalars: [12])
    let norm = clipGradientNorm([a, b], maxNorm: 5)
    #expect(norm == 13)
    let c = Float(5.0 / (13.0 + 1e-6))
    #expect(a.grad.scalars == [3 * c, 4 * c] && b.grad.scalars == [12 * c])
    // Under the limit.
    a.grad = Tensor(shape: [2], scalars: [0.3, 0.4]); b.grad = Tensor(shape: [1], scalars: [0])
    #expect(abs(clipGradientNorm([a, b], maxNorm: 5) - 0.5) < 1e-7)
    #expect(a.grad.scalars == [0.3, 0.4])
}

@Test func cosineLearningRateUsesTheShiftedEpoch() {
    // E = 4, base 0.025, minimum 0.001: 0.001 + 0.012·(1 + cos(π(e+1)/4)).
    let lr = (0..<4).map { cosineLearningRate(epoch: $0, epochs: 4, base: 0.025, minimum: 0.001) }
    let expected = [0.001 + 0.012 * (1 + 0.5.squareRoot()), 0.013,
                    0.001 + 0.012 * (1 - 0.5.squareRoot()), 0.001]
    for (x, y) in zip(lr, expected) { #expect(abs(x - y) < 1e-15) }
    #expect(lr[0] < 0.025, "epoch 0 is already one step into the schedule")
}

@Test func initialisersFollowPyTorchDefaults() {
    var rng = PhiloxRandom(seed: 7)
    let conv = Initializer.convWeight(shape: [4, 2, 3, 3], rng: &rng)  // fan-in 18
    let bound = Float(1 / 18.0.squareRoot())
    #expect(conv.shape == [4, 2, 3, 3])
    #expect(conv.scalars.allSatisfy { abs($0) <= bound })
    #expect(conv.scalars.contains { abs($0) > 0.5 * bound }, "spread over the whole range")
    let bias = Initializer.linearBias(outFeatures: 10, inFeatures: 64, rng: &rng)
    #expect(bias.shape == [10] && bias.scalars.allSatisfy { abs($0) <= 0.125 })
    let bn = Initializer.batchNorm(channels: 3)
    #expect(bn.weight.scalars == [1, 1, 1] && bn.bias.scalars == [0, 0, 0])
    #expect(bn.runningMean.scalars == [0, 0, 0] && bn.runningVar.scalars == [1, 1, 1])
    let alpha = Initializer.alpha(edges: 14, ops: 8, rng: &rng)
    #expect(alpha.shape == [14, 8] && alpha.scalars.allSatisfy { abs($0) < 6e-3 })
    let crb = Initializer.crbAlpha(edges: 14, ops: 7, rng: &rng)
    #expect(crb.scalars.allSatisfy { abs($0 - 1.0 / 7.0) < 6e-4 })
    // Same seed, same tensor.
    var r1 = PhiloxRandom(seed: 3), r2 = PhiloxRandom(seed: 3)
    #expect(Initializer.convWeight(shape: [2, 1, 3, 3], rng: &r1)
            == Initializer.convWeight(shape: [2, 1, 3, 3], rng: &r2))
}
