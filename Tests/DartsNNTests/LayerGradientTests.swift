// Finite-difference gradient checks of the layers that compose several tape ops (see
// LayerGradCheck.swift for the tolerance), plus linear and embedding through their layers.

import Testing
import DartsCore
import DartsNN

/// An input tensor as a Parameter, so the checker perturbs it like a weight.
func inputParameter(_ value: Tensor) -> Parameter { Parameter(name: "input", value: value) }

/// The inputs of SepConv's second ReLU: the first half's batch-norm output.
func innerReLUInputs(_ op: SepConv, _ x: Tensor) -> Tensor {
    let t = Tape(recording: false)
    let conv = op.pointwise1(op.depthwise1(t.relu(t.constant(x)), t, numericMode), t, numericMode)
    return t.value(op.bn1(conv, t, numericMode))
}

/// SepConv's second ReLU reads a batch-norm output, which `spreadValues` cannot keep off the
/// kink: per channel, put β so the kink falls in the middle of the widest gap between the
/// normalised values of their middle half (so at least a quarter stay on each side and the
/// second BN sees no near-constant channel), as far as possible from every one of them.
/// Returns the smallest distance of an inner-ReLU input from the kink.
func centreInnerKinks(_ op: SepConv, input x: Tensor) -> Float {
    guard let gamma = op.bn1.weight, let beta = op.bn1.bias else { preconditionFailure("needs affine BN") }
    let keptGamma = gamma.value
    gamma.value = Tensor(shape: gamma.shape, repeating: 1)
    beta.value = Tensor(shape: beta.shape)
    let xhat = innerReLUInputs(op, x)
    gamma.value = keptGamma
    let (n, c) = (xhat.shape[0], xhat.shape[1])
    let hw = xhat.count / (n * c)
    var offsets = [Float](), margin = Float.infinity
    for ch in 0..<c {
        var v: [Float] = []
        for i in 0..<n { for j in 0..<hw { v.append(xhat[flat: (i * c + ch) * hw + j]) } }
        v.sort()
        var widest = v.count / 4 + 1  // widest gap of the middle half: both sides keep a quarter
        for i in widest..<(3 * v.count / 4) where v[i] - v[i - 1] > v[widest] - v[widest - 1] { widest = i }
        let gap: Float = v[widest] - v[widest - 1]
        let g: Float = keptGamma[flat: ch]
        offsets.append(-g * (v[widest] + v[widest - 1]) / 2)
        margin = min(margin, abs(g) * gap / 2)
    }
    beta.value = Tensor(shape: beta.shape, scalars: offsets)
    return margin
}

/// The largest change of any inner-ReLU input when one element of `parameters` moves by ±h:
/// the finite differences are valid (no unit switches) when this is below the margin.
func largestInnerMove(_ op: SepConv, input x: Parameter, _ parameters: [Parameter], h: Float = 4e-3) -> Float {
    let base = innerReLUInputs(op, x.value)
    var worst: Float = 0
    for p in parameters {
        for i in 0..<p.value.count {
            let orig = p.value[flat: i]
            for d in [h, -h] {
                p.value[flat: i] = orig + d
                let v = innerReLUInputs(op, x.value)
                for j in 0..<v.count { worst = max(worst, abs(v[flat: j] - base[flat: j])) }
            }
            p.value[flat: i] = orig
        }
    }
    return worst
}

@Suite("Layer gradients")
struct LayerGradientTests {
    @Test func linear() {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 11)
        let layer = Linear("classifier", inFeatures: 4, outFeatures: 3, registry: reg, rng: &rng)
        let x = inputParameter(randomValues([5, 4], seed: 12))
        expectLayerGradients("Linear", [x] + reg.weights) { t, m in
            layer(t.parameter(x, requiresGrad: m.weightsRequireGrad), t, m)
        }
    }

    @Test("embedding, with repeated tokens and a (T, B) shape")
    func embedding() {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 13)
        let layer = Embedding("encoder", vocabulary: 5, dimension: 3, registry: reg, rng: &rng)
        layer.weight.value = randomValues([5, 3], seed: 14)  // O(1) rows, not ±0.04
        let tokens = [4, 0, 4, 2, 2, 4]
        expectLayerGradients("Embedding", reg.weights) { t, m in
            let e = layer(tokens, shape: [2, 3], t, m)
            return t.mul(e, e)  // non-linear, so each row's gradient depends on its own value
        }
        let tape = Tape(recording: false)
        let e = tape.value(layer(tokens, shape: [2, 3], tape, numericMode))
        #expect(e.shape == [2, 3, 3])
        #expect(Array(e.scalars[6..<9]) == Array(layer.weight.value.scalars[12..<15]), "row (1, 0) is token 2")
    }

    @Test("ReLUConvBN in training mode", arguments: [false, true])
    func reluConvBN(affine: Bool) {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 15)
        let layer = ReLUConvBN("p", cin: 3, cout: 2, affine: affine, registry: reg, rng: &rng)
        randomiseAffine(reg, seed: 16)
        let x = inputParameter(spreadValues([2, 3, 3, 3], seed: 17))
        expectLayerGradients("ReLUConvBN affine=\(affine)", [x] + reg.weights) { t, m in
            layer(t.parameter(x, requiresGrad: m.weightsRequireGrad), t, m)
        }
    }

    @Test("FactorizedReduce in training mode, non-square", arguments: [false, true])
    func factorizedReduce(affine: Bool) {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 18)
        let layer = FactorizedReduce("p", cin: 3, cout: 4, affine: affine, registry: reg, rng: &rng)
        randomiseAffine(reg, seed: 19)
        let x = inputParameter(spreadValues([2, 3, 4, 6], seed: 20))
        expectLayerGradients("FactorizedReduce affine=\(affine)", [x] + reg.weights) { t, m in
            layer(t.parameter(x, requiresGrad: m.weightsRequireGrad), t, m)
        }
    }

    @Test("SepConv and DilConv in evaluation style (affine BN), strides 1 and 2",
          arguments: ["sep_conv_3x3", "dil_conv_3x3", "sep_conv_5x5", "dil_conv_5x5"], [1, 2])
    func convolutionOps(_ name: String, _ stride: Int) {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 21)
        let op = CellOperation(name: name, prefix: "p", channels: 2, stride: stride, style: .evaluation, registry: reg, rng: &rng)
        randomiseAffine(reg, seed: 22)
        #expect(reg.weights.contains { $0.name.hasSuffix(".op.3.weight") }, "affine BN present")
        let x = inputParameter(spreadValues([2, 2, 5, 5], seed: 23))
        if case let .sepConv(sep) = op {
            let margin = centreInnerKinks(sep, input: x.value)
            let move = largestInnerMove(sep, input: x, [x] + reg.weights)
            #expect(move < margin, "inner ReLU inputs lie \(margin) from the kink, perturbations move them \(move)")
        }
        expectLayerGradients("\(name) s\(stride) evaluation", [x] + reg.weights) { t, m in
            op(t.parameter(x, requiresGrad: m.weightsRequireGrad), t, m)
        }
    }

    @Test("search-style pools (pool → BN affine=false) and the stride-2 skip", arguments: ["max_pool_3x3", "avg_pool_3x3", "skip_connect"])
    func searchStyleOps(_ name: String) {
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 24)
        let op = CellOperation(name: name, prefix: "p", channels: 2, stride: 2, style: .search, registry: reg, rng: &rng)
        let x = inputParameter(spreadValues([2, 2, 6, 6], seed: 25))
        expectLayerGradients("\(name) s2 search", [x] + reg.weights) { t, m in
            op(t.parameter(x, requiresGrad: m.weightsRequireGrad), t, m)
        }
    }

    @Test("negative control: a layer whose backward is wrong fails the check")
    func negativeControl() {
        // The checker must notice a gradient that is 10 % off: feed the analytic pass a scaled
        // input while the numeric passes see the true one.
        let reg = ParameterRegistry()
        var rng = PhiloxRandom(seed: 26)
        let layer = Linear("l", inFeatures: 3, outFeatures: 2, registry: reg, rng: &rng)
        let x = inputParameter(randomValues([2, 3], seed: 27))
        let r = layerGradCheck([x] + reg.weights) { t, m in
            let v = t.parameter(x, requiresGrad: m.weightsRequireGrad)
            return layer(m.weightsRequireGrad ? t.scale(v, by: 1.1) : v, t, m)
        }
        #expect(r.worst > 1, "a wrong gradient must fail: \(r.detail)")
    }
}
