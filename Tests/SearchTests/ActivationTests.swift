// Activations of α: values by hand, vector–Jacobian products against finite differences, and
// CRB pruning.

import Foundation
import Testing
import DartsCore
import Architecture
@testable import Search

/// Finite-difference dL/dα of L = Σ w ⊙ act(α), Double bookkeeping over Float forwards.
private func numericGradient(_ kind: ActivationKind, _ alpha: Tensor, _ w: [Float], h: Float = 1e-2) -> [Double] {
    (0..<alpha.count).map { i in
        func loss(_ d: Float) -> Double {
            var a = alpha
            a[flat: i] += d
            return zip(kind.apply(a).scalars, w).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
        }
        return (loss(h) - loss(-h)) / Double(2 * h)
    }
}

@Test func softmaxAndClampValues() {
    let a = Tensor(shape: [2, 3], scalars: [0, Float(log(2.0)), Float(log(5.0)), 1, 1, 1])
    let y = ActivationKind.softmax.apply(a).scalars
    let want: [Float] = [0.125, 0.25, 0.625, 1 / 3, 1 / 3, 1 / 3]
    for (u, v) in zip(y, want) { #expect(abs(u - v) < 1e-6) }
    let c = ActivationKind.crb.apply(Tensor(shape: [1, 4], scalars: [-0.5, 0, 0.3, 1.7])).scalars
    #expect(c == [0, 0, 0.3, 1])
    #expect(ActivationKind.crb.columnSpace(of: .cnn).ops.count == 7
            && ActivationKind.softmax.columnSpace(of: .cnn).ops[0] == "none")
}

@Test func backwardMatchesFiniteDifferences() {
    var rng = PhiloxRandom(seed: 11)
    for kind in ActivationKind.allCases {
        for (rows, cols) in [(1, 1), (2, 3), (3, 5), (14, 8)] {
            // CRB: keep α away from the kinks at 0 and 1 so differences are smooth.
            let raw = rng.uniform(count: rows * cols, low: -0.8, high: 1.8)
            let alpha = Tensor(shape: [rows, cols], scalars: kind == .crb
                               ? raw.map { abs($0) < 0.05 || abs($0 - 1) < 0.05 ? 0.5 : $0 } : raw)
            let w = rng.normal(count: rows * cols)
            let g = kind.backward(alpha: alpha, gradActivated: Tensor(shape: [rows, cols], scalars: w)).scalars
            let fd = numericGradient(kind, alpha, w)
            let maxdiff = zip(g, fd).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(maxdiff < 2e-3, "\(kind) \(rows)×\(cols): maxdiff \(maxdiff)")
        }
    }
}

@Test func crbGradientPassesAtTheBoundsLikePyTorchClamp() {
    let a = Tensor(shape: [1, 4], scalars: [-0.1, 0, 1, 1.1])
    let g = ActivationKind.crb.backward(alpha: a, gradActivated: Tensor(shape: [1, 4], scalars: [1, 2, 3, 4]))
    #expect(g.scalars == [0, 2, 3, 0])
}

@Test func crbPruningIsPermanent() {
    var alpha = Tensor(shape: [2, 3], scalars: [0.2, -0.1, 0.0, 0.5, 1.2, 0.3])
    var pruning = CRBPruning(count: 6)
    #expect(pruning.prune(&alpha) == 2)
    #expect(alpha.scalars == [0.2, 0, 0, 0.5, 1.2, 0.3])
    #expect(pruning.pruned == [false, true, true, false, false, false])
    #expect(!pruning.isActive(row: 0, col: 1, cols: 3) && pruning.isActive(row: 1, col: 1, cols: 3))
    // An optimiser later moves a pruned α above 0: it stays pruned and is zeroed again.
    alpha[flat: 1] = 0.4
    alpha[flat: 3] = -0.2
    #expect(pruning.prune(&alpha) == 1)
    #expect(alpha.scalars == [0.2, 0, 0, 0, 1.2, 0.3])
    #expect(pruning.activeCount == 3 && pruning.activeMask == [1, 0, 0, 0, 1, 1])
}

/// One act(α) (issue 10): the weights the supernet's forward pass mixes with and the plain
/// `apply` that the stored activations, projection and regularisers use agree bit for bit, and
/// so do the tape's α gradient and `backward`. The division by the sum that `apply` once used
/// differs from the tape's multiplication by 1/z in the last bit of many entries: the check
/// would catch a second formula.
@Test(arguments: [ActivationKind.softmax, .crb])
func forwardPassAndPlainActivationAgreeBitwise(_ kind: ActivationKind) throws {
    var rng = PhiloxRandom(seed: 11, stream: 2)
    var divisionDiffers = 0
    for _ in 0..<50 {
        let alpha = Tensor(shape: [14, kind == .crb ? 7 : 8], scalars: rng.normal(count: kind == .crb ? 98 : 112))
        let p = Parameter(name: "alpha", value: alpha)
        let tape = Tape()
        let act = kind.activate(tape.parameter(p, requiresGrad: true), on: tape)
        #expect(tape.value(act).scalars.map(\.bitPattern) == kind.apply(alpha).scalars.map(\.bitPattern))
        // Backward: L = Σ w ⊙ act(α) gives dL/dact = w.
        let w = Tensor(shape: alpha.shape, scalars: rng.normal(count: alpha.count))
        tape.backward(tape.sum(tape.mul(act, tape.constant(w))))
        #expect(p.grad.scalars.map(\.bitPattern) == kind.backward(alpha: alpha, gradActivated: w).scalars.map(\.bitPattern))
        if kind == .softmax {
            let old = alpha.scalars.chunked(8).flatMap { row -> [Float] in
                let m = row.max()!
                let e = row.map { expf($0 - m) }
                let s = Float(e.reduce(0.0) { $0 + Double($1) })
                return e.map { $0 / s }
            }
            divisionDiffers += zip(old, kind.apply(alpha).scalars).filter { $0 != $1 }.count
        }
    }
    if kind == .softmax { #expect(divisionDiffers > 0) }
}

private extension Array {
    func chunked(_ n: Int) -> [[Element]] { stride(from: 0, to: count, by: n).map { Array(self[$0..<Swift.min($0 + n, count)]) } }
}
