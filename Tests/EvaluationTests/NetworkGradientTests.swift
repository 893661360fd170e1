// Finite-difference check of the whole evaluation network's weight gradient at a tiny size, in
// training mode, with the auxiliary head and drop path on.
//
// Convention and tolerance as DartsCoreTests/GradCheck.swift derives them: loss Σ out ⊙ R over
// the logits and the auxiliary logits (random R, so every Jacobian entry counts), central
// differences whose forward passes are summed in Double, and |numeric − analytic| ≤ 4e−3 +
// 1e−2·|numeric| with h = 4e−3. The bound carries over because batch norm keeps every
// intermediate bounded and the loss is O(1): its Float32 rounding (a few 1e−6, from the sums
// inside the convolutions and batch norms) over 2h is ≲ 1.5e−3, truncation O(h²·f''') ≈ 1e−5;
// a structurally wrong gradient is off by O(0.1) or more.
//
// What does not carry over by itself is smoothness. A whole network has some 10⁵ ReLU inputs,
// and moving one weight by h moves thousands of them; left at PyTorch's β = 0 a few cross zero
// and bend the loss inside [w − h, w + h] (measured: central differences off by 5–30 % for most
// elements, at every h where Float32 rounding still allows a check). So the network is put where
// it is smooth: every batch norm whose output is a state or an op output gets β ∈ [6, 8] and
// γ ∈ [0.5, 1], so all states are positive and at least 6 − 1·4.5 from any kink (normalised
// values of these batches lie within about ±4.5), while a perturbation moves them by ≲ 1e−2;
// the batch norms that feed a ReLU directly (the first one of each separable conv, the
// auxiliary head's two) get β of random sign, so those ReLUs pass or stop whole channels and
// their backward is exercised both ways. Every numeric pass records which ReLU outputs are
// positive (a ReLU's output is positive exactly where its input is), and the test requires both
// passes of every difference to agree: it checks that no kink was crossed rather than assuming
// it. Max pooling's winner switches are kinks this cannot rule out, so the genotype uses every
// other op (both skips, average pools, both separable and both dilated convolutions, at strides
// 1 and 2); max pooling's gradient is checked by DartsCore's kernel tests and, inside DARTS_V2,
// against PyTorch in EvaluationFixtureTests.
//
// The drop-path mask is fixed: every pass starts from a copy of the same generator state, so
// draws the same masks. Checking each of the head's 400 000 weights would take minutes, so each
// tensor contributes up to three elements chosen at random (all of a smaller one).

import Testing
@testable import DartsCore
import DartsNN
import Architecture
@testable import Evaluation

struct NetworkGradCheck {
    var worst: Float = 0
    var detail = ""
    var checked = 0
    /// Elements whose difference crossed a ReLU kink (not checked).
    var kinks = 0
    /// Checked elements whose numeric derivative exceeds the absolute tolerance (where it bites).
    var significant = 0
}

/// Signs of every ReLU output on `tape` (true: positive), in node order.
func reluPattern(_ tape: Tape) -> [Bool] {
    var bits: [Bool] = []
    for id in tape.reluOf.values.map(\.id).sorted() {
        precondition(!tape.released[id], "a ReLU output was released; its backward closure should hold it")
        tape.values[id].withUnsafeBufferPointer { for v in $0 { bits.append(v > 0) } }
    }
    return bits
}

/// Checks the network's weight gradients at `x` with drop path `p`, masks from `maskState`; the
/// analytic side's masks come from `analyticMaskState` (the same unless a negative control
/// breaks it).
func networkGradCheck(_ net: EvaluationNetwork, input x: Tensor, dropPath p: Double, maskState: PhiloxRandom,
                      analyticMaskState: PhiloxRandom? = nil, h: Float = 4e-3, seed: UInt64 = 13) -> NetworkGradCheck {
    var rr = PhiloxRandom(seed: seed)
    let n = x.shape[0], k = net.configuration.classes
    let r1 = Tensor(shape: [n, k], scalars: rr.uniform(count: n * k, low: -1, high: 1))
    let r2 = Tensor(shape: [n, k], scalars: rr.uniform(count: n * k, low: -1, high: 1))
    func loss(_ t: Tape, _ out: (logits: Var, auxiliaryLogits: Var?)) -> Var {
        t.add(t.sum(t.mul(out.logits, t.constant(r1))), t.sum(t.mul(out.auxiliaryLogits!, t.constant(r2))))
    }
    for w in net.weights { w.zeroGrad() }
    let tape = Tape()
    var masks = analyticMaskState ?? maskState
    tape.backward(loss(tape, net.forward(tape, input: x, mode: .weightStep, dropPath: p, rng: &masks)))

    /// The loss in Double and the ReLU pattern: a recording pass that wants weight gradients, so
    /// the ReLUs' closures keep their outputs (nothing is differentiated).
    func evaluate() -> (Double, [Bool]) {
        let t = Tape()
        var m = maskState
        let out = net.forward(t, input: x, mode: .weightStep, dropPath: p, rng: &m)
        let a = t.value(out.logits), b = t.value(out.auxiliaryLogits!)
        var s = 0.0
        for i in 0..<a.count { s += Double(a[flat: i]) * Double(r1[flat: i]) + Double(b[flat: i]) * Double(r2[flat: i]) }
        return (s, reluPattern(t))
    }

    var res = NetworkGradCheck()
    var pick = PhiloxRandom(seed: seed + 1)
    for w in net.weights {
        let count = w.value.count
        let elements = count <= 3 ? Array(0..<count) : (0..<3).map { _ in pick.nextInt(below: count) }
        for i in elements {
            let orig = w.value[flat: i]
            let up = orig + h, down = orig - h
            w.value[flat: i] = up
            let (fp, patternUp) = evaluate()
            w.value[flat: i] = down
            let (fm, patternDown) = evaluate()
            w.value[flat: i] = orig
            if patternUp != patternDown { res.kinks += 1; continue }
            let num = Float((fp - fm) / Double(up - down))
            let ana = w.grad[flat: i]
            let ratio = abs(num - ana) / (4e-3 + 1e-2 * abs(num))
            res.checked += 1
            if abs(num) > 4e-3 { res.significant += 1 }
            if !(ratio <= res.worst) {
                res.worst = ratio.isNaN ? .infinity : ratio
                res.detail = "\(w.name) element \(i): numeric \(num), analytic \(ana)"
            }
        }
    }
    return res
}

/// Every op but max pooling, in both cell types (stride 2 on inputs 0 and 1 of the reduction
/// cell): skip as identity and as FactorizedReduce, average pools, sep and dil convs.
let smoothGenotype = Genotype(
    normal: [("sep_conv_3x3", 0), ("skip_connect", 1), ("dil_conv_3x3", 2), ("avg_pool_3x3", 0),
             ("sep_conv_5x5", 3), ("skip_connect", 2), ("dil_conv_5x5", 1), ("skip_connect", 4)]
        .map { GenotypeEdge(op: $0.0, input: $0.1) },
    reduce: [("skip_connect", 0), ("avg_pool_3x3", 1), ("sep_conv_3x3", 2), ("dil_conv_5x5", 0),
             ("skip_connect", 3), ("sep_conv_5x5", 1), ("dil_conv_3x3", 1), ("avg_pool_3x3", 4)]
        .map { GenotypeEdge(op: $0.0, input: $0.1) })

/// `smoothGenotype` at C = 2, L = 3 (reductions at cells 1 and 2, the head after cell 2), 3
/// classes, batch 3 of 3×32×32 (the head needs the 8×8 map of two reductions), batch norms set
/// as the banner says: every state positive and far from the ReLU kinks.
func tinyNetwork() -> (EvaluationNetwork, Tensor) {
    var rng = PhiloxRandom(seed: 31)
    let net = EvaluationNetwork(EvaluationConfiguration(genotype: smoothGenotype, channels: 2, layers: 3, classes: 3),
                                rng: &rng)
    // The batch norms that feed only a ReLU: each separable conv's first, the head's two.
    var feedReLU = net.cells.flatMap { cell in
        cell.ops.compactMap { op -> BatchNorm? in if case let .sepConv(s) = op { return s.bn1 } else { return nil } }
    }
    if let head = net.auxiliaryHead { feedReLU += [head.bn1, head.bn2] }
    let inner = Set(feedReLU.map(\.runningMean.name))
    var s = PhiloxRandom(seed: 32)
    for prefix in net.batchNormPrefixes {
        let gamma = net.weights.first { $0.name == prefix + ".weight" }!
        let beta = net.weights.first { $0.name == prefix + ".bias" }!
        let c = gamma.value.count
        gamma.value = Tensor(shape: [c], scalars: s.uniform(count: c, low: 0.5, high: 1))
        let magnitude = s.uniform(count: c, low: 6, high: 8)
        let signs: [Float] = inner.contains(prefix + ".running_mean")
            ? (0..<c).map { _ in s.nextInt(below: 2) == 0 ? -1 : 1 } : Array(repeating: 1, count: c)
        beta.value = Tensor(shape: [c], scalars: zip(magnitude, signs).map { $0 * $1 })
    }
    let x = Tensor(shape: [3, 3, 32, 32], scalars: s.normal(count: 3 * 3 * 32 * 32))
    return (net, x)
}

@Suite("Evaluation network gradient")
struct NetworkGradientTests {
    @Test("finite differences of every weight tensor, drop path 0.3 with a fixed mask")
    func wholeNetwork() {
        let (net, x) = tinyNetwork()
        let r = networkGradCheck(net, input: x, dropPath: 0.3, maskState: PhiloxRandom(seed: 40))
        print("evaluation network gradient check: \(r.checked) elements, \(r.kinks) across a kink, \(r.significant) above the absolute tolerance, worst ratio \(r.worst) at \(r.detail)")
        #expect(r.kinks == 0, "a perturbation switched a ReLU: the point is not smooth enough to check")
        #expect(r.checked == net.weights.reduce(0) { $0 + min($1.value.count, 3) })
        #expect(r.worst <= 1, "\(r.detail) (ratio \(r.worst))")
        #expect(r.significant * 3 >= r.checked, "at least a third of the derivatives exceed the absolute tolerance")
    }

    @Test("negative control: analytic gradients under other masks than the numeric ones fail the check")
    func otherMasksFail() {
        let (net, x) = tinyNetwork()
        let r = networkGradCheck(net, input: x, dropPath: 0.3, maskState: PhiloxRandom(seed: 40),
                                 analyticMaskState: PhiloxRandom(seed: 41))
        print("negative control: worst ratio \(r.worst) at \(r.detail)")
        #expect(r.worst > 1, "the check must notice a gradient taken under other drop-path masks")
    }
}
