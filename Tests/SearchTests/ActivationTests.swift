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
