// Finite-difference checks of the recurrent evaluation network: the fixed cell over two time
// steps (every matrix, the input and the carried hidden state) and the whole training loss
// (embedding with embedding dropout, locked dropouts, x/h masks, tied decoder, log-softmax,
// NLL, TAR and AR).
//
// Convention and tolerance as DartsCoreTests/GradCheck.swift derives them: loss Σ out ⊙ R for a
// random R (or the scalar loss itself), central differences with h = 4e−3 whose forward passes
// are summed in Double, |numeric − analytic| ≤ 4e−3 + 1e−2·|numeric|. The weights are drawn
// from U(−0.5, 0.5) instead of DARTS's U(−0.04, 0.04) so the gradients are O(0.1–1) and the
// absolute term does not swallow them (the test counts the elements where it does not). The
// cell is smooth except at ReLU kinks: each pair of numeric passes records the signs of every
// ReLU output (`reluPattern`, NetworkGradientTests.swift) and an element whose two passes
// disagree crossed a kink and is not checked; the test requires few do.
// The masks are fixed tensors, so every pass sees the same dropout.

import Testing
@testable import DartsCore
import DartsNN
import Architecture
@testable import Evaluation

struct RecurrentGradCheck {
    var worst: Float = 0
    var detail = ""
    var checked = 0
    var kinks = 0
    var significant = 0
}

/// Checks d f/d p for every element of `parameters`, f = Σ out ⊙ R (out read through `tape.parameter`).
func recurrentGradCheck(_ parameters: [Parameter], h: Float = 4e-3, _ f: (Tape, ForwardMode) -> Var) -> RecurrentGradCheck {
    for p in parameters { p.zeroGrad() }
    let tape = Tape()
    let out = f(tape, .weightStep)
    let shape = tape.shape(out)
    var rng = PhiloxRandom(seed: 17)
    let r = Tensor(shape: shape, scalars: rng.uniform(count: shape.reduce(1, *), low: -1, high: 1))
    tape.backward(tape.sum(tape.mul(out, tape.constant(r))))
    let numericMode = ForwardMode(training: true, weightsRequireGrad: false, alphasRequireGrad: false)
    func evaluate() -> (Double, [Bool]) {
        let t = Tape()  // recording, so the ReLU outputs stay readable for the kink check
        let o = t.value(f(t, numericMode))
        var s = 0.0
        for i in 0..<o.count { s += Double(o[flat: i]) * Double(r[flat: i]) }
        return (s, reluPattern(t))
    }
    var res = RecurrentGradCheck()
    for p in parameters {
        for i in 0..<p.value.count {
            let orig = p.value[flat: i]
            p.value[flat: i] = orig + h
            let (fp, up) = evaluate()
            p.value[flat: i] = orig - h
            let (fm, down) = evaluate()
            p.value[flat: i] = orig
            if up != down { res.kinks += 1; continue }
            let num = Float((fp - fm) / Double(2 * h))
            let ana = p.grad[flat: i]
            res.checked += 1
            if abs(num) > 4e-3 { res.significant += 1 }
            let ratio = abs(num - ana) / (4e-3 + 1e-2 * abs(num))
            if !(ratio <= res.worst) {
                res.worst = ratio.isNaN ? .infinity : ratio
                res.detail = "\(p.name) element \(i): numeric \(num), analytic \(ana)"
            }
        }
    }
    return res
}

/// U(−0.5, 0.5) values for `p`.
func spreadWeights(_ p: Parameter, seed: UInt64) {
    var rng = PhiloxRandom(seed: seed)
    p.value = Tensor(shape: p.shape, scalars: rng.uniform(count: p.value.count, low: -0.5, high: 0.5))
}

struct RecurrentGradientTests {
    @Test func cellOverTwoStepsMatchesFiniteDifferences() throws {
        let (b, d) = (3, 4)
        var rng = PhiloxRandom(seed: 3)
        let registry = ParameterRegistry()
        let cell = try RecurrentEvaluationCell(genotype: .recurrentDartsV2, inputSize: d, hiddenSize: d, range: 0.04,
                                               registry: registry, rng: &rng)
        for (i, p) in registry.weights.enumerated() { spreadWeights(p, seed: 100 + UInt64(i)) }
        let x1 = Parameter(name: "x1", value: Tensor(shape: [b, d], scalars: rng.uniform(count: b * d, low: -1, high: 1)))
        let x2 = Parameter(name: "x2", value: Tensor(shape: [b, d], scalars: rng.uniform(count: b * d, low: -1, high: 1)))
        let h0 = Parameter(name: "h0", value: Tensor(shape: [b, d], scalars: rng.uniform(count: b * d, low: -1, high: 1)))
        let masks = CellMasks(x: RecurrentDropout.mask(rows: b, columns: d, drop: 0.5, rng: &rng),
                              h: RecurrentDropout.mask(rows: b, columns: d, drop: 0.25, rng: &rng))
        let r = recurrentGradCheck(registry.weights + [x1, x2, h0]) { tape, mode in
            let bound = cell.bind(tape, mode)
            let g = mode.weightsRequireGrad
            let s1 = cell.step(tape.parameter(x1, requiresGrad: g), tape.parameter(h0, requiresGrad: g), masks: masks, bound, tape)
            let s2 = cell.step(tape.parameter(x2, requiresGrad: g), s1, masks: masks, bound, tape)
            return tape.concatChannels([s1, s2])
        }
        let total = registry.weights.reduce(0) { $0 + $1.value.count } + 3 * b * d
        #expect(r.worst <= 1, "\(r.detail) (ratio \(r.worst))")
        // Kinks: ReLU inputs within h of 0 (measured 13 of 356); most checked gradients are larger
        // than the absolute tolerance (measured 160 of 343), so the check has teeth.
        #expect(r.checked + r.kinks == total && r.kinks * 10 <= total, "\(r.kinks) kinks of \(total)")
        #expect(r.significant * 5 >= r.checked * 2, "only \(r.significant) of \(r.checked) gradients exceed the tolerance")
    }

    @Test func wholeTrainingLossMatchesFiniteDifferences() throws {
        let (v, h, b, steps) = (11, 4, 2, 3)
        var rng = PhiloxRandom(seed: 5)
        let model = try RecurrentEvaluationModel(genotype: .recurrentDartsV2, vocabulary: v, hiddenSize: h, rng: &rng)
        for (i, p) in model.weights.enumerated() { spreadWeights(p, seed: 200 + UInt64(i)) }
        var dropouts = RecurrentDropouts()
        dropouts.words = 0.3  // some words dropped in these few
        var maskRNG = PhiloxRandom(seed: 9)
        let masks = model.sampleMasks(batchSize: b, dropouts: dropouts, rng: &maskRNG)
        #expect(masks.words.contains(0) && masks.words.contains { $0 > 1 })
        let inputs = (0..<(steps * b)).map { ($0 * 7 + 3) % v }
        let targets = (0..<(steps * b)).map { ($0 * 5 + 1) % v }
        let hidden = Tensor(shape: [b, h], scalars: rng.uniform(count: b * h, low: -0.5, high: 0.5))
        let r = recurrentGradCheck(model.weights) { tape, mode in
            let f = model.forward(inputs: inputs, steps: steps, hidden: hidden, masks: masks, tape, mode)
            return model.trainingLoss(f, targets: targets, ar: 0.3, tar: 0.5, tape).loss
        }
        #expect(r.worst <= 1, "\(r.detail) (ratio \(r.worst))")
        #expect(r.kinks * 10 <= r.checked + r.kinks, "\(r.kinks) kinks")
        #expect(r.significant >= 40, "only \(r.significant) of \(r.checked) gradients exceed the tolerance")
    }
}
