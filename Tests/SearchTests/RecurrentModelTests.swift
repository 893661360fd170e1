// The recurrent search model beyond the fixture: masks drawn from Philox, determinism (same
// seed, same bits; another seed, other bits), the hidden state carried across batches, and
// evaluation leaving the model unchanged.

import Testing
import Foundation
@testable import Search
import DartsCore
import DartsNN

private let tiny = RecurrentSearchConfiguration(vocabulary: 20, inputSize: 6, hiddenSize: 6)

/// A (T = 4, B = 3) batch of tokens and its targets from `seed`.
private func tokens(seed: UInt64, steps: Int = 4, batch: Int = 3) -> (input: [Int], target: [Int]) {
    var rng = PhiloxRandom(seed: seed)
    return ((0..<(steps * batch)).map { _ in rng.nextInt(below: 20) }, (0..<(steps * batch)).map { _ in rng.nextInt(below: 20) })
}

/// A model and masks from `seed`, one weight step, and everything it produced.
private func weightStep(seed: UInt64) -> (model: RecurrentSearchModel, result: RecurrentPassResult, masks: RecurrentMasks) {
    var rng = PhiloxRandom(seed: seed)
    let model = RecurrentSearchModel(tiny, rng: &rng)
    let masks = RecurrentMaskSampler().sample(batchSize: 3, inputSize: 6, hiddenSize: 6, rng: &rng)
    let (input, target) = tokens(seed: 5)
    let result = model.backpropagate(input: input, target: target, batchSize: 3, hidden: model.initialHidden(batchSize: 3),
                                     masks: masks, mode: .weightStep)
    return (model, result, masks)
}

@Suite("Recurrent search model")
struct RecurrentModelTests {
    @Test("masks are Bernoulli(keep)/keep, drawn in a fixed order, shared by seed")
    func maskSampler() {
        let sampler = RecurrentMaskSampler()
        var a = PhiloxRandom(seed: 3), b = PhiloxRandom(seed: 3)
        let m = sampler.sample(batchSize: 64, inputSize: 50, hiddenSize: 50, rng: &a)
        #expect(m == sampler.sample(batchSize: 64, inputSize: 50, hiddenSize: 50, rng: &b))
        #expect(a == b)
        for (mask, keep) in [(m.x, 0.25), (m.h, 0.75), (m.lockIn, 0.8), (m.lockOut, 0.25)] {
            #expect(mask.shape == [64, 50])
            #expect(mask.scalars.allSatisfy { $0 == 0 || $0 == Float(1 / keep) })
            let kept = Double(mask.scalars.filter { $0 != 0 }.count) / Double(mask.count)
            #expect(abs(kept - keep) < 0.05, "kept fraction \(kept) for keep \(keep)")
        }
        // The embedding's mask comes first: the same draws at keep 0.8 as a lone mask.
        var c = PhiloxRandom(seed: 3)
        #expect(m.lockIn.scalars == c.bernoulliMask(count: 64 * 50, keep: 0.8).map { $0 * 1.25 })
        var d = PhiloxRandom(seed: 4)
        #expect(sampler.sample(batchSize: 64, inputSize: 50, hiddenSize: 50, rng: &d) != m)
    }

    @Test("same seed, same bits: weights, masks, loss, gradients, running statistics; another seed differs")
    func determinism() {
        let first = weightStep(seed: 11), second = weightStep(seed: 11), other = weightStep(seed: 12)
        #expect(first.masks == second.masks)
        #expect(first.result.loss.bitPattern == second.result.loss.bitPattern)
        #expect(first.result.hidden == second.result.hidden)
        for (a, b) in zip(first.model.namedTensors, second.model.namedTensors) {
            #expect(a.value == b.value, "\(a.name)")
            #expect(a.grad == b.grad, "gradient of \(a.name)")
        }
        #expect(first.result.loss != other.result.loss)
        #expect(first.model.weights[0].value != other.model.weights[0].value)
        #expect(first.result.tar > 0 && first.result.nll > 0)
        #expect(first.model.weightGradientSquaredSum() > 0)
    }

    @Test("the hidden state carries across batches: two halves give the whole sequence's second half")
    func hiddenStateCarries() {
        var rng = PhiloxRandom(seed: 21)
        let whole = RecurrentSearchModel(tiny, rng: &rng)
        let masks = RecurrentMaskSampler().sample(batchSize: 3, inputSize: 6, hiddenSize: 6, rng: &rng)
        var rng2 = PhiloxRandom(seed: 21)
        let halves = RecurrentSearchModel(tiny, rng: &rng2)
        let (input, _) = tokens(seed: 6, steps: 6)
        let start = Tensor(shape: [3, 6], scalars: (0..<18).map { Float($0) / 40 - 0.2 })
        // One tape per pass: a forward frees the values of its tape that no closure holds.
        let (tape, firstTape, secondTape) = (Tape(recording: false), Tape(recording: false), Tape(recording: false))
        let all = whole.forward(tape, input: input, batchSize: 3, hidden: start, masks: masks, mode: .weightStep)
        let first = halves.forward(firstTape, input: Array(input[0..<9]), batchSize: 3, hidden: start, masks: masks, mode: .weightStep)
        let second = halves.forward(secondTape, input: Array(input[9...]), batchSize: 3, hidden: first.hidden, masks: masks,
                                    mode: .weightStep)
        #expect(second.hidden == all.hidden)
        #expect(Array(tape.value(tape.logSoftmax(all.logits)).scalars[(9 * 20)...]) == secondTape.value(secondTape.logSoftmax(second.logits)).scalars)
        // Batch norm saw the same 9 · 6 uses in the same order.
        for (a, b) in zip(whole.buffers, halves.buffers) { #expect(a.value == b.value, "\(a.name)") }
        // Negative control: starting the second half from zeros gives other numbers.
        let cold = halves.forward(Tape(recording: false), input: Array(input[9...]), batchSize: 3, hidden: halves.initialHidden(batchSize: 3),
                                  masks: masks, mode: .weightStep)
        #expect(cold.hidden != all.hidden)
    }

    @Test("evaluation uses the running statistics and changes nothing; training mode moves them")
    func evaluationLeavesTheModel() {
        var rng = PhiloxRandom(seed: 31)
        let model = RecurrentSearchModel(tiny, rng: &rng)
        let (input, target) = tokens(seed: 7)
        let before = model.namedTensors.map(\.value)
        let a = model.evaluate(input: input, target: target, batchSize: 3, hidden: model.initialHidden(batchSize: 3))
        let b = model.evaluate(input: input, target: target, batchSize: 3, hidden: model.initialHidden(batchSize: 3))
        #expect(model.namedTensors.map(\.value) == before)
        #expect(a.nll == b.nll && a.hidden == b.hidden)
        // Near-uniform predictions at initialisation: NLL close to log V.
        #expect(abs(a.nll - log(20.0)) < 0.5)
        _ = model.backpropagate(input: input, target: target, batchSize: 3, hidden: model.initialHidden(batchSize: 3),
                                masks: .none(batchSize: 3, inputSize: 6, hiddenSize: 6), mode: .alphaStep)
        #expect(model.buffers.map(\.value) != Array(before[model.weights.count..<(model.weights.count + 2)]))
    }

    @Test("CRB: α over the four ops without none, initialised at 1/4")
    func crbColumns() {
        var rng = PhiloxRandom(seed: 41)
        let model = RecurrentSearchModel(RecurrentSearchConfiguration(vocabulary: 20, inputSize: 6, hiddenSize: 6, activation: .crb),
                                         rng: &rng)
        #expect(model.alpha.shape == [36, 4])
        #expect(model.alpha.value.scalars.allSatisfy { abs($0 - 0.25) < 1e-2 })
        let (input, target) = tokens(seed: 8)
        let r = model.backpropagate(input: input, target: target, batchSize: 3, hidden: model.initialHidden(batchSize: 3),
                                    masks: .none(batchSize: 3, inputSize: 6, hiddenSize: 6), mode: .alphaStep, tarCoefficient: 0)
        #expect(r.loss == r.nll)
        #expect(model.alpha.grad.scalars.contains { $0 != 0 })
    }
}

@Suite("Recurrent search model: the search's two steps learn")
struct RecurrentStepsLearn {
    // lr 2, not the search's 20: on this 6-unit model steps of 20·0.25 jump about the valley
    // (the NLL after step 20 then depends on rounding), while lr 2 descends steadily.
    @Test("weight steps (SGD, clip 0.25) lower the training NLL; α steps (Adam) lower the α loss")
    func stepsLowerTheirLosses() {
        var rng = PhiloxRandom(seed: 51)
        let model = RecurrentSearchModel(tiny, rng: &rng)
        let (input, target) = tokens(seed: 9, steps: 5)
        let hidden = model.initialHidden(batchSize: 3)
        let masks = RecurrentMasks.none(batchSize: 3, inputSize: 6, hiddenSize: 6)
        let sgd = SGD(lr: 2, momentum: 0, weightDecay: 5e-7)
        let start = model.backpropagate(input: input, target: target, batchSize: 3, hidden: hidden, masks: masks,
                                        mode: .weightStep).nll
        for _ in 0..<20 {
            _ = model.backpropagate(input: input, target: target, batchSize: 3, hidden: hidden, masks: masks, mode: .weightStep)
            clipGradientNorm(model.weights, maxNorm: 0.25)
            sgd.step(model.weights)
        }
        let trained = model.backpropagate(input: input, target: target, batchSize: 3, hidden: hidden, masks: masks,
                                          mode: .weightStep).nll
        #expect(trained < start - 0.1, "NLL \(start) → \(trained)")
        let adam = Adam(lr: 3e-2, beta1: 0.9, beta2: 0.999, eps: 1e-8, weightDecay: 0)
        let first = model.backpropagate(input: input, target: target, batchSize: 3, hidden: hidden, masks: masks,
                                        mode: .alphaStep, tarCoefficient: 0).loss
        for _ in 0..<20 {
            _ = model.backpropagate(input: input, target: target, batchSize: 3, hidden: hidden, masks: masks,
                                    mode: .alphaStep, tarCoefficient: 0)
            adam.step([model.alpha])
        }
        let last = model.backpropagate(input: input, target: target, batchSize: 3, hidden: hidden, masks: masks,
                                       mode: .alphaStep, tarCoefficient: 0).loss
        #expect(last < first, "α loss \(first) → \(last)")
    }
}
