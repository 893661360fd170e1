// `--second-order` for the ptb search: DARTS rnn/architect.py's unrolled α gradient on a tiny
// recurrent model (vocabulary 11, nhid 4, batch 2, bptt 3).
//
// As for the CNN (UnrolledGradientTests.swift, whose banner says why a finite-difference check
// of L_val(w′(α), α) is no oracle at Float32), the tests pin the formula: η = 0 gives the
// first-order gradient bit for bit, and η > 0 gives the recipe recomputed here step by step
// from public pieces (backpropagate, the masks in their draw order, the clipping by hand), with
// both clippings active, and the batch-norm statistics of the train passes only.

import Testing
@testable import Search
import DartsCore
import DartsNN
import TextData

private let vocabulary = 11, hiddenSize = 4, columns = 2, bptt = 3
/// Milder than the search's keep probabilities, so that a 2 × 4 mask rarely drops every unit.
private let sampler = RecurrentMaskSampler(keepX: 0.75, keepH: 0.75, keepInput: 0.8, keepOutput: 0.75)

private func drawMasks(_ rng: inout PhiloxRandom) -> RecurrentMasks {
    sampler.sample(batchSize: columns, inputSize: hiddenSize, hiddenSize: hiddenSize, rng: &rng)
}

private struct Case {
    let model: RecurrentSearchModel
    let train: SequenceBatch, valid: SequenceBatch
    let trainHidden: Tensor, validHidden: Tensor
}

/// A model with α drawn from N(0, 1) (so that the α gradient is far from uniform), a train and
/// a valid batch, and carried hidden states.
private func makeCase(seed: UInt64) throws -> Case {
    var rng = PhiloxRandom(seed: seed)
    let model = RecurrentSearchModel(RecurrentSearchConfiguration(vocabulary: vocabulary, inputSize: hiddenSize,
                                                                  hiddenSize: hiddenSize), rng: &rng)
    model.alpha.value = Tensor(shape: model.alpha.shape, scalars: rng.normal(count: model.alpha.value.count))
    func batch() throws -> SequenceBatch {
        try TokenMatrix(batchifying: (0..<(columns * (bptt + 1))).map { _ in rng.nextInt(below: vocabulary) },
                        columns: columns, source: "test").batch(at: 0, length: bptt)
    }
    func hidden() -> Tensor { Tensor(shape: [columns, hiddenSize], scalars: rng.normal(count: columns * hiddenSize, std: 0.5)) }
    return Case(model: model, train: try batch(), valid: try batch(), trainHidden: hidden(), validHidden: hidden())
}

/// NLL alone on `batch` from `hidden` with `masks` in training mode: α's gradient and, when
/// `weights`, the weights' gradients, with the pass's NLL and next hidden state.
private func gradients(_ model: RecurrentSearchModel, _ batch: SequenceBatch, _ hidden: Tensor, _ masks: RecurrentMasks,
                       weights: Bool) -> (alpha: [Float], weights: [[Float]], nll: Double, hidden: Tensor) {
    let r = model.backpropagate(input: batch.inputs, target: batch.targets, batchSize: columns, hidden: hidden, masks: masks,
                                mode: ForwardMode(training: true, weightsRequireGrad: weights, alphasRequireGrad: true),
                                tarCoefficient: 0)
    return (model.alpha.grad.scalars, model.weights.map(\.grad.scalars), r.nll, r.hidden)
}

private func norm(_ g: [[Float]]) -> Double {
    g.joined().reduce(0.0) { $0 + Double($1) * Double($1) }.squareRoot()
}

@Suite("Second-order (unrolled) architecture gradient of the ptb search")
struct RecurrentUnrolledGradientTests {
    @Test("with η = 0 it is the first-order gradient of the valid pass (the second of four mask draws)")
    func zeroLearningRateIsFirstOrder() throws {
        let c = try makeCase(seed: 21)
        var draws = PhiloxRandom(seed: 7)
        let masks = (0..<4).map { _ in drawMasks(&draws) }
        let firstOrder = gradients(c.model, c.valid, c.validHidden, masks[1], weights: false)

        var rng = PhiloxRandom(seed: 7)
        let r = unrolledArchitectureGradient(model: c.model, train: c.train, trainHidden: c.trainHidden, valid: c.valid,
                                             validHidden: c.validHidden, weightDecay: 0.01, clip: 0.25, learningRate: 0,
                                             masks: { drawMasks(&rng) })
        #expect(c.model.alpha.grad.scalars == firstOrder.alpha)
        #expect(r.nll.bitPattern == firstOrder.nll.bitPattern && r.hidden == firstOrder.hidden)
        #expect(rng == draws, "four mask draws, one per pass")
        #expect(firstOrder.alpha.contains { $0 != 0 })
    }

    @Test("with η > 0 it follows architect.py: clipped virtual step, clipped direction, central-difference HVP")
    func followsTheRecipe() throws {
        let c = try makeCase(seed: 22)
        let model = c.model
        let eta: Float = 0.5, decay: Float = 0.01
        let w = model.weights.map(\.value.scalars)
        let statistics = model.buffers.map(\.value)
        func restore() {
            for (k, p) in model.weights.enumerated() { p.value = Tensor(shape: p.shape, scalars: w[k]) }
            for (p, v) in zip(model.buffers, statistics) { p.value = v }
        }
        var draws = PhiloxRandom(seed: 9)
        let masks = (0..<4).map { _ in drawMasks(&draws) }
        // A clip below the train gradient's norm (and, checked below, the valid one's).
        let clip = Float(norm(gradients(model, c.train, c.trainHidden, masks[0], weights: true).weights) / 4)
        restore()

        // The recipe, step by step.
        let gTrain = gradients(model, c.train, c.trainHidden, masks[0], weights: true).weights
        let coefficient = Float(min(1, Double(clip) / (norm(gTrain) + 1e-6)))
        #expect(coefficient < 1)
        for (k, p) in model.weights.enumerated() {
            p.value = Tensor(shape: p.shape, scalars: w[k].indices.map { i in
                w[k][i] - eta * (gTrain[k][i] * coefficient + decay * w[k][i]) })
        }
        let beforeValid = model.buffers.map(\.value)
        let (dAlpha, dW, validNLL, nextHidden) = gradients(model, c.valid, c.validHidden, masks[1], weights: true)
        // The valid pass at w′ moves the running statistics; DARTS runs it on a dropped copy.
        #expect(model.buffers.map(\.value) != beforeValid)
        for (p, v) in zip(model.buffers, beforeValid) { p.value = v }
        let directionCoefficient = Float(min(1, Double(clip) / (norm(dW) + 1e-6)))
        #expect(directionCoefficient < 1)
        let v = dW.map { $0.map { $0 * directionCoefficient } }
        let eps = Float(0.01 / norm(v))
        func alphaGradient(at sign: Float, _ masks: RecurrentMasks) -> [Float] {
            for (k, p) in model.weights.enumerated() {
                p.value = Tensor(shape: p.shape, scalars: w[k].indices.map { w[k][$0] + sign * eps * v[k][$0] })
            }
            return gradients(model, c.train, c.trainHidden, masks, weights: false).alpha
        }
        let plus = alphaGradient(at: 1, masks[2]), minus = alphaGradient(at: -1, masks[3])
        let expected = dAlpha.indices.map { dAlpha[$0] - eta * coefficient * (plus[$0] - minus[$0]) / (2 * eps) }
        let expectedStatistics = model.buffers.map(\.value)

        // Same starting point and masks, then the implementation.
        restore()
        var rng = PhiloxRandom(seed: 9)
        let r = unrolledArchitectureGradient(model: model, train: c.train, trainHidden: c.trainHidden, valid: c.valid,
                                             validHidden: c.validHidden, weightDecay: decay, clip: clip, learningRate: eta,
                                             masks: { drawMasks(&rng) })
        let got = model.alpha.grad.scalars
        let worst = zip(got, expected).reduce(Float(0)) { max($0, abs($1.0 - $1.1)) }
        let scale = expected.reduce(Float(0)) { max($0, abs($1)) }
        #expect(worst <= 1e-4 * scale, "max difference \(worst) for gradients up to \(scale)")
        #expect(r.nll == validNLL && r.hidden == nextHidden, "the valid pass at w′ is returned")
        #expect(rng == draws)
        // Weights restored exactly, no gradient left; the statistics are the train passes' only.
        #expect(model.weights.enumerated().allSatisfy { $0.element.value.scalars == w[$0.offset] })
        #expect(model.weights.allSatisfy { $0.grad.scalars.allSatisfy { $0 == 0 } })
        #expect(model.buffers.map(\.value) == expectedStatistics)
        #expect(expectedStatistics != statistics)
        // And the second-order term is not negligible here.
        #expect(zip(got, dAlpha).contains { abs($0 - $1) > 1e-3 * scale })
    }
}
