// Finite-difference gradient checker shared by the gradient tests.
//
// The analytic side runs the op on a Tape with every input as a grad-requiring Parameter and
// the loss sum(out ⊙ R) for a random R, so every entry of the Jacobian is exercised. The
// numeric side perturbs one input element by ±h, re-runs the op forward-only and evaluates the
// same loss in Double. Tolerance: with h = 4e-3 the truncation error of the central difference
// is O(h²·f''') ≈ 1e-5 for these O(1) functions; the rounding error is the Float32 error of
// the op outputs (≈ 6e-8·|out|·√(#outputs) ≲ 1e-5 absolute on these tiny shapes) divided by
// 2h, i.e. ≲ 2e-3. So |numeric − analytic| ≤ 4e-3 + 1e-2·|numeric| passes for a correct
// gradient and fails for any structurally wrong one (those are off by O(0.1) or more).
// Inputs to non-smooth ops are built by `spreadValues` so no kink lies within h of an input.
@testable import DartsCore
import Testing

struct GradCheckResult {
    var worst: Float = 0          // max |num − ana| / tol over all elements (≤ 1 passes)
    var detail = ""
}

/// Runs the finite-difference check; returns the worst tolerance ratio and where it happened.
func gradCheck(inputs: [Tensor], h: Float = 4e-3, seed: UInt64 = 7,
               _ f: (Tape, [Var]) -> Var) -> GradCheckResult {
    let params = inputs.enumerated().map { Parameter(name: "in\($0.offset)", value: $0.element) }
    let tape = Tape()
    let vars = params.map { tape.parameter($0) }
    let out = f(tape, vars)
    var rng = PhiloxRandom(seed: seed)
    let outShape = tape.shape(out)
    let r = Tensor(shape: outShape, scalars: rng.uniform(count: outShape.reduce(1, *), low: -1, high: 1))
    let loss = tape.sum(tape.mul(out, tape.constant(r)))
    tape.backward(loss)

    func evalLoss() -> Double {
        let t = Tape(recording: false)
        let vs = params.map { t.parameter($0, requiresGrad: false) }
        let o = t.value(f(t, vs))
        var s = 0.0
        for i in 0..<o.count { s += Double(o[flat: i]) * Double(r[flat: i]) }
        return s
    }

    var res = GradCheckResult()
    for (pi, p) in params.enumerated() {
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
            let tol = 4e-3 + 1e-2 * abs(num)
            let ratio = abs(num - ana) / tol
            if !(ratio <= res.worst) {
                res.worst = ratio.isNaN ? .infinity : ratio
                res.detail = "input \(pi) element \(i): numeric \(num), analytic \(ana)"
            }
        }
    }
    return res
}

/// Expects the op's gradients to match finite differences.
func expectGradients(_ name: String, inputs: [Tensor], seed: UInt64 = 7,
                     sourceLocation: SourceLocation = #_sourceLocation, _ f: (Tape, [Var]) -> Var) {
    let r = gradCheck(inputs: inputs, seed: seed, f)
    #expect(r.worst <= 1, "\(name): \(r.detail) (ratio \(r.worst))", sourceLocation: sourceLocation)
}

/// Random values in [-1, 1).
func randomTensor(_ shape: [Int], seed: UInt64) -> Tensor {
    var rng = PhiloxRandom(seed: seed)
    return Tensor(shape: shape, scalars: rng.uniform(count: shape.reduce(1, *), low: -1, high: 1))
}

/// Distinct values at least 0.03 apart and at least 0.011 from zero, in random order, so
/// ±4e-3 perturbations never cross a kink (ReLU, max, clamp) or change a max's winner.
func spreadValues(_ shape: [Int], seed: UInt64, spacing: Float = 0.03) -> Tensor {
    let n = shape.reduce(1, *)
    var rng = PhiloxRandom(seed: seed)
    let perm = rng.permutation(n)
    return Tensor(shape: shape, scalars: perm.map { (Float($0) - Float(n / 2)) * spacing + 0.011 })
}
