// Times one first-order recurrent search iteration (α step on a valid batch with Adam, weight
// step on a train batch: NLL + TAR, clip 0.25, SGD) on random tokens and masks, as
// ../shared/ref/torch_rnn_bench.py does for PyTorch.

import Foundation
import DartsCore
import DartsNN
import Search

public enum RecurrentStepBenchmark {
    /// One warm-up iteration, then `iterations` timed ones, at vocabulary `tokens`, hidden (and
    /// embedding) size `hidden`, `batchSize` sequences of `bptt` tokens.
    public static func run(tokens: Int, hidden: Int, batchSize b: Int, bptt: Int, iterations: Int) -> IterationTimings {
        var rng = PhiloxRandom(seed: 0)
        let model = RecurrentSearchModel(RecurrentSearchConfiguration(vocabulary: tokens, inputSize: hidden, hiddenSize: hidden),
                                         rng: &rng)
        // The search's defaults (SPEC §7), as the reference sets them.
        let adam = Adam(lr: 3e-3, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 1e-3)
        let sgd = SGD(lr: 20, momentum: 0, weightDecay: 5e-7)
        let sampler = RecurrentMaskSampler()
        func batch() -> (input: [Int], target: [Int]) {
            ((0..<(bptt * b)).map { _ in rng.nextInt(below: tokens) }, (0..<(bptt * b)).map { _ in rng.nextInt(below: tokens) })
        }
        var trainHidden = model.initialHidden(batchSize: b), alphaHidden = trainHidden
        return PhaseTimer.run(iterations: iterations, phases: ["alpha_step", "weight_step", "optimizer"]) { mark in
            let valid = batch()
            let a = model.backpropagate(input: valid.input, target: valid.target, batchSize: b, hidden: alphaHidden,
                                        masks: sampler.sample(batchSize: b, inputSize: hidden, hiddenSize: hidden, rng: &rng),
                                        mode: .alphaStep, tarCoefficient: 0)
            alphaHidden = a.hidden
            adam.step([model.alpha])
            mark("alpha_step")
            let train = batch()
            let w = model.backpropagate(input: train.input, target: train.target, batchSize: b, hidden: trainHidden,
                                        masks: sampler.sample(batchSize: b, inputSize: hidden, hiddenSize: hidden, rng: &rng),
                                        mode: .weightStep)
            trainHidden = w.hidden
            mark("weight_step")
            _ = clipGradientNorm(model.weights, maxNorm: 0.25)
            sgd.step(model.weights)
            mark("optimizer")
        }
    }
}
