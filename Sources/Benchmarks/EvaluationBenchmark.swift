// Times one training iteration of the DARTS_V2 evaluation network on synthetic data, as
// ../shared/ref/torch_eval_bench.py does for PyTorch: forward with the auxiliary head and drop
// path, CE + 0.4·CE_aux, backward, clip to norm 5, SGD step (`dartsprime bench eval`).

import Foundation
import DartsCore
import DartsNN
import Architecture
import Evaluation

/// An evaluation benchmark's timings and the network's parameter count.
public struct EvaluationBenchmarkResult: Sendable {
    public var timings: IterationTimings
    /// Trainable parameters without the auxiliary head (the reference prints the same count).
    public var parameters: Int
}

public enum EvaluationBenchmark {
    /// Builds DARTS_V2 at C = `channels`, L = `layers` (10 classes, 3×32×32 inputs, auxiliary
    /// head), runs one warm-up iteration and then `iterations` timed ones at drop-path
    /// probability `dropPath` (the reference benchmark's 0.1) with SPEC §6's optimiser
    /// (SGD lr 0.025, momentum 0.9, weight decay 3e−4, clip 5).
    public static func run(channels: Int, layers: Int, batchSize: Int, iterations: Int,
                           dropPath: Double = 0.1, genotype: Genotype = .dartsV2) -> EvaluationBenchmarkResult {
        precondition(batchSize > 1 && iterations > 0, "bench eval needs a batch of at least 2 and one timed iteration")
        var rng = PhiloxRandom(seed: 0)
        let net = EvaluationNetwork(EvaluationConfiguration(genotype: genotype, channels: channels, layers: layers,
                                                            classes: 10, inputChannels: 3, auxiliary: true),
                                    rng: &rng)
        let sgd = SGD(lr: 0.025, momentum: 0.9, weightDecay: 3e-4)
        let shape = [batchSize, 3, 32, 32]
        let x = Tensor(shape: shape, scalars: rng.normal(count: shape.reduce(1, *)))
        let y = (0..<batchSize).map { _ in rng.nextInt(below: 10) }
        var dropRNG = PhiloxRandom(seed: 1)
        let names = ["forward", "backward", "optimizer"]
        let timings = PhaseTimer.run(iterations: iterations, phases: names) { mark in
            _ = net.backpropagate(images: x, labels: y, dropPath: dropPath, rng: &dropRNG,
                                  afterForward: { mark("forward") })
            mark("backward")
            _ = clipGradientNorm(net.weights, maxNorm: 5)
            sgd.step(net.weights)
            mark("optimizer")
        }
        return EvaluationBenchmarkResult(timings: timings, parameters: net.parameterCount(includingAuxiliary: false))
    }
}
