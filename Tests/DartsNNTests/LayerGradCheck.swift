// Finite-difference gradient checker for layers: every tensor a layer reads (its input and its
// own weights) is a Parameter, perturbed one element at a time.
//
// Same convention as DartsCoreTests/GradCheck.swift: loss sum(out ⊙ R) for a random R so every
// Jacobian entry counts, central differences with h = 4e-3 evaluated in Double on forward-only
// tapes, and |numeric − analytic| ≤ 4e-3 + 1e-2·|numeric|. The bound carries over because the
// layers' outputs stay O(1) (batch norm renormalises the composites) on these tiny shapes, so
// truncation (O(h²·f''') ≈ 1e-5) and Float32 rounding over 2h (≲ 2e-3) are what they are for a
// single op; a structurally wrong gradient is off by O(0.1) or more. Both sides run in training
// mode (batch statistics), the numeric one without gradients; the running statistics the
// passes update are not read in training mode. Inputs that meet a ReLU come from
// `spreadValues`, at least 0.011 from the kink; SepConv's inner ReLU, which reads a batch-norm
// output, is kept off its kink by `centreInnerKinks` (LayerGradientTests.swift), and the test
// checks that no perturbation moves an inner input as far as the kink.
import DartsCore
import DartsNN
import Testing

/// Worst tolerance ratio (≤ 1 passes) and where it happened.
struct LayerGradCheckResult {
    var worst: Float = 0
    var detail = ""
}

/// Training with weight gradients (the analytic pass) and without (the numeric passes).
let gradCheckMode = ForwardMode(training: true, weightsRequireGrad: true, alphasRequireGrad: false)
let numericMode = ForwardMode(training: true, weightsRequireGrad: false, alphasRequireGrad: false)

/// Checks d sum(f ⊙ R)/d p for every p in `parameters` against central differences. `f` must read
/// each parameter through `tape.parameter(p, requiresGrad: mode.weightsRequireGrad)` (layers do).
func layerGradCheck(_ parameters: [Parameter], h: Float = 4e-3, seed: UInt64 = 7,
                    _ f: (Tape, ForwardMode) -> Var) -> LayerGradCheckResult {
    for p in parameters { p.zeroGrad() }
    let tape = Tape()
    let out = f(tape, gradCheckMode)
    var rng = PhiloxRandom(seed: seed)
    let outShape = tape.shape(out)
    let r = Tensor(shape: outShape, scalars: rng.uniform(count: outShape.reduce(1, *), low: -1, high: 1))
    tape.backward(tape.sum(tape.mul(out, tape.constant(r))))

    func evalLoss() -> Double {
        let t = Tape(recording: false)
        let o = t.value(f(t, numericMode))
        var s = 0.0
        for i in 0..<o.count { s += Double(o[flat: i]) * Double(r[flat: i]) }
        return s
    }

    var res = LayerGradCheckResult()
    for p in parameters {
        for i in 0..<p.value.count {
            let orig = p.value[flat: i]
            let up = orig + h, down = orig - h
            p.value[flat: i] = up
            let fp = evalLoss()
            p.value[flat: i] = down
            let fm = evalLoss()
            p.value[flat: i] = orig
            let num = Float((fp - fm) / Double(up - down))
            let ana = p.grad[flat: i]
            let ratio = abs(num - ana) / (4e-3 + 1e-2 * abs(num))
            if !(ratio <= res.worst) {
                res.worst = ratio.isNaN ? .infinity : ratio
                res.detail = "\(p.name) element \(i): numeric \(num), analytic \(ana)"
            }
        }
    }
    return res
}

/// Expects the layer's gradients to match finite differences.
func expectLayerGradients(_ name: String, _ parameters: [Parameter], seed: UInt64 = 7,
                          sourceLocation: SourceLocation = #_sourceLocation, _ f: (Tape, ForwardMode) -> Var) {
    let r = layerGradCheck(parameters, seed: seed, f)
    #expect(r.worst <= 1, "\(name): \(r.detail) (ratio \(r.worst))", sourceLocation: sourceLocation)
}

/// Random values in [-1, 1).
func randomValues(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = PhiloxRandom(seed: seed)
    return Tensor(shape: shape, scalars: rng.uniform(count: shape.reduce(1, *), low: -1, high: 1))
}

/// Distinct values 0.03 apart and at least 0.011 from zero, in random order: ±h never crosses
/// a ReLU kink or changes a max pool's winner.
func spreadValues(_ shape: [Int], seed: UInt64) -> Tensor {
    let n = shape.reduce(1, *)
    var rng = PhiloxRandom(seed: seed)
    return Tensor(shape: shape, scalars: rng.permutation(n).map { (Float($0) - Float(n / 2)) * 0.03 + 0.011 })
}

/// Gives every affine batch norm random γ (around 1) and β, so their gradients are exercised away
/// from the defaults.
func randomiseAffine(_ registry: ParameterRegistry, seed: UInt64) {
    var s = seed
    for p in registry.weights where p.shape.count == 1 {
        s += 1
        let r = randomValues(p.shape, seed: s)
        p.value = p.name.hasSuffix(".weight") ? r.map { 1 + 0.5 * $0 } : r.map { 0.5 * $0 }
    }
}
