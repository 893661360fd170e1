// Times one first-order search iteration (α step on a validation batch, weight step on a
// training batch) on synthetic data, as ../shared/ref/torch_step_bench.py does for PyTorch.

import Foundation
import DartsCore
import DartsNN
import Search

public typealias StepBenchmarkResult = IterationTimings

public enum StepBenchmark {
    /// Runs one warm-up iteration and then `iterations` timed ones.
    public static func run(channels: Int, layers: Int, batchSize: Int, iterations: Int, weightOnly: Bool,
                           activation: ActivationKind = .softmax) -> StepBenchmarkResult {
        var rng = PhiloxRandom(seed: 0)
        let net = Supernet(SupernetConfiguration(channels: channels, layers: layers, classes: 10, inputChannels: 3,
                                                 activation: activation), rng: &rng)
        let sgd = SGD(lr: 0.025, momentum: 0.9, weightDecay: 3e-4)
        let adam = Adam(lr: 3e-4, beta1: 0.5, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3)
        let shape = [batchSize, 3, 32, 32]
        let n = shape.reduce(1, *)
        let xt = Tensor(shape: shape, scalars: rng.normal(count: n))
        let xv = Tensor(shape: shape, scalars: rng.normal(count: n))
        let yt = (0..<batchSize).map { _ in rng.nextInt(below: 10) }
        let yv = (0..<batchSize).map { _ in rng.nextInt(below: 10) }
        var names = ["alpha_forward", "alpha_backward", "weight_forward", "weight_backward", "optimizer"]
        if weightOnly { names.removeFirst(2) }
        return PhaseTimer.run(iterations: iterations, phases: names) { mark in
            if !weightOnly {
                _ = net.backpropagate(images: xv, labels: yv, mode: .alphaStep, afterForward: { mark("alpha_forward") })
                mark("alpha_backward")
                adam.step(net.alphas)
            }
            _ = net.backpropagate(images: xt, labels: yt, mode: .weightStep, afterForward: { mark("weight_forward") })
            mark("weight_backward")
            _ = clipGradientNorm(net.weights, maxNorm: 5)
            sgd.step(net.weights)
            mark("optimizer")
        }
    }
}
