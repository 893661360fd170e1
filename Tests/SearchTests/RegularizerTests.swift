// Proximity and ADMM regularisers: values and gradients by hand and by finite differences.

import Foundation
import Testing
import DartsCore
import Architecture
@testable import Search

private func uniformAlpha(_ v: Float, cols: Int) -> Tensor { Tensor(shape: [14, cols], repeating: v) }

/// Central differences of `f` at every α entry of matrix `which`.
private func numericGradient(_ alphas: [Tensor], _ which: Int, h: Float = 1e-3,
                             _ f: ([Tensor]) -> Double) -> [Double] {
    (0..<alphas[which].count).map { i in
        var p = alphas, m = alphas
        p[which][flat: i] += h
        m[which][flat: i] -= h
        return (f(p) - f(m)) / Double(2 * h)
    }
}

@Test func proximityValueAndGradientByHand() {
    // CRB, α = 0.5 everywhere: act = 0.5; P has one 1 per kept edge: 8 of 98 entries (column 0).
    // D = act − P: 8 entries −0.5, 90 entries +0.5 → ‖D‖ = √(98·0.25) = √24.5.
    // clock/E 0.5, ρ 0.1 → scale 0.025; R = 2 · 0.025 · √24.5 = 0.24748737…
    // dR/dα = 0.025 · D/‖D‖ = ±0.0125/√24.5 = ±0.00252538…
    let reg = ProximityRegularizer(rho: 0.1)
    let alphas = [uniformAlpha(0.5, cols: 7), uniformAlpha(0.5, cols: 7)]
    let (value, grads) = reg.evaluate(alphas: alphas, activation: .crb, space: .cnnWithoutNone, clockOverEpochs: 0.5)
    #expect(abs(value - 0.05 * 24.5.squareRoot()) < 1e-9)
    let g = 0.0125 / 24.5.squareRoot()
    let kept: Set<Int> = [0, 1, 2, 3, 5, 6, 9, 10]  // first two edges of each node, column 0
    for r in 0..<14 {
        for c in 0..<7 {
            let want = (c == 0 && kept.contains(r)) ? -g : g
            #expect(abs(Double(grads[1][flat: r * 7 + c]) - want) < 1e-8, "[\(r), \(c)]")
        }
    }
    // Clock 0: no pressure at all.
    let zero = reg.evaluate(alphas: alphas, activation: .crb, space: .cnnWithoutNone, clockOverEpochs: 0)
    #expect(zero.value == 0 && zero.gradients[0].scalars.allSatisfy { $0 == 0 })
}

@Test func proximityGradientMatchesFiniteDifferences() {
    var rng = PhiloxRandom(seed: 5)
    let reg = ProximityRegularizer(rho: 0.1)
    for kind in ActivationKind.allCases {
        let cols = kind == .crb ? 7 : 8
        let space = kind.columnSpace(of: .cnn)
        let alphas = (0..<2).map { _ in
            Tensor(shape: [14, cols], scalars: rng.uniform(count: 14 * cols, low: 0.1, high: 0.9))
        }
        let analytic = reg.evaluate(alphas: alphas, activation: kind, space: space, clockOverEpochs: 0.7).gradients
        for which in 0..<2 {
            let fd = numericGradient(alphas, which) {
                reg.evaluate(alphas: $0, activation: kind, space: space, clockOverEpochs: 0.7).value
            }
            let maxdiff = zip(analytic[which].scalars, fd).map { abs(Double($0) - $1) }.max() ?? 0
            #expect(maxdiff < 2e-5, "\(kind) α\(which): maxdiff \(maxdiff)")
            #expect(analytic[which].scalars.contains { abs($0) > 1e-4 })
        }
    }
}

@Test func admmStartsAtZeroForCRBAndUpdatesEveryTenSteps() {
    // CRB α inside [0, 1]: act(α) = α = Z, U = 0 → R = 0, gradient 0.
    var alpha = uniformAlpha(0.5, cols: 7)
    alpha[flat: 3 * 7 + 2] = 0.9  // node 1: edge 3 strongest (avg_pool... column 2)
    var admm = ADMMRegularizer(alphas: [alpha], rho: 0.1, gamma: 1.0, frequency: 10)
    let start = admm.evaluate(alphas: [alpha], activation: .crb, space: .cnnWithoutNone)
    #expect(start.value == 0 && start.gradients[0].scalars.allSatisfy { $0 == 0 })
    for k in 1...9 {
        let updated = admm.didTakeArchitectureStep(alphas: [alpha], activation: .crb, space: .cnnWithoutNone)
        #expect(!updated, "step \(k)")
    }
    let updated = admm.didTakeArchitectureStep(alphas: [alpha], activation: .crb, space: .cnnWithoutNone)
    #expect(updated)
    // Z = P(act(α + 0)): node 1 keeps edge 3 (col 2) then edge 2 (col 0).
    #expect(admm.z[0][3 * 7 + 2] == 1 && admm.z[0][2 * 7 + 0] == 1 && admm.z[0][4 * 7 + 0] == 0)
    #expect(admm.z[0].reduce(0, +) == 8)
    // U = α − Z: 0.9 − 1 at the chosen entry, 0.5 elsewhere unchosen.
    #expect(abs(admm.u[0][3 * 7 + 2] - (-0.1)) < 1e-6 && admm.u[0][4 * 7 + 0] == 0.5)
    // R = (ρ/2)‖act(α) − Z + U‖ = 0.05‖2(α − Z)‖: 8 entries of (α−1) and 90 of α.
    var ss = 0.0
    for i in 0..<98 { let d = 2 * Double(alpha[flat: i] - admm.z[0][i]); ss += d * d }
    #expect(abs(admm.evaluate(alphas: [alpha], activation: .crb, space: .cnnWithoutNone).value - 0.05 * ss.squareRoot()) < 1e-6)
    // The mask removes pruned entries from both the term and U.
    var mask = [Float](repeating: 1, count: 98); mask[4 * 7] = 0
    admm.setMask(0, to: mask)
    for _ in 0..<10 { admm.didTakeArchitectureStep(alphas: [alpha], activation: .crb, space: .cnnWithoutNone) }
    #expect(admm.u[0][4 * 7] == 0 && admm.alphaSteps == 20)
}

@Test func admmGradientMatchesFiniteDifferencesAndSurvivesCodable() throws {
    var rng = PhiloxRandom(seed: 9)
    let alphas = (0..<2).map { _ in Tensor(shape: [14, 8], scalars: rng.normal(count: 112)) }
    var admm = ADMMRegularizer(alphas: alphas, rho: 0.1, gamma: 0.9, frequency: 1)
    admm.didTakeArchitectureStep(alphas: alphas, activation: .softmax, space: .cnn)
    admm.didTakeArchitectureStep(alphas: alphas, activation: .softmax, space: .cnn)  // U nonzero, γ used
    #expect(admm.u[0].contains { $0 != 0 })
    let analytic = admm.evaluate(alphas: alphas, activation: .softmax, space: .cnn).gradients
    for which in 0..<2 {
        let fd = numericGradient(alphas, which) { admm.evaluate(alphas: $0, activation: .softmax, space: .cnn).value }
        let maxdiff = zip(analytic[which].scalars, fd).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(maxdiff < 2e-5, "α\(which): maxdiff \(maxdiff)")
    }
    let copy = try JSONDecoder().decode(ADMMRegularizer.self, from: JSONEncoder().encode(admm))
    #expect(copy == admm)
}
