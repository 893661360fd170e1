// Proximity and ADMM regularisers on the recurrent space's 36×5 α (SPEC §5, §7): values by
// hand and gradients against finite differences, as RegularizerTests does for 14×8.

import Foundation
import Testing
import DartsCore
import Architecture
@testable import Search

/// Central differences of `f` at every entry of α matrix 0.
private func numericGradient(_ alpha: Tensor, h: Float = 1e-3, _ f: ([Tensor]) -> Double) -> [Double] {
    (0..<alpha.count).map { i in
        var p = alpha, m = alpha
        p[flat: i] += h
        m[flat: i] -= h
        return (f([p]) - f([m])) / Double(2 * h)
    }
}

/// The first edge of each recurrent node: where projection lands when every edge ties.
private let firstEdges = Set((0..<8).map { SearchSpace.recurrent.firstEdge(node: $0) })

@Test func recurrentProximityValueAndGradientByHand() {
    // Softmax of α = 0: act = 0.2 everywhere. Ties keep input 0 of each node and op tanh (k 1):
    // D = act − P has 8 entries −0.8 and 172 entries 0.2 → ‖D‖² = 8·0.64 + 172·0.04 = 12.
    // clock/E 0.5, ρ 0.1 → scale 0.025, R = 0.025·√12. dR/dact = 0.025·D/√12; the softmax VJP
    // y⊙(g − Σg⊙y) is 0 on unchosen rows (g constant) and 0.2·g on chosen ones (Σg⊙y = 0).
    let space = SearchSpace.recurrent
    let reg = ProximityRegularizer(rho: 0.1)
    let alpha = Tensor(shape: [36, 5], repeating: 0)
    let (value, grads) = reg.evaluate(alphas: [alpha], activation: .softmax, space: space, clockOverEpochs: 0.5)
    #expect(abs(value - 0.025 * 12.0.squareRoot()) < 1e-7)
    let c = 0.025 / 12.0.squareRoot()
    for e in 0..<36 {
        for k in 0..<5 {
            let want = firstEdges.contains(e) ? 0.2 * c * (k == 1 ? -0.8 : 0.2) : 0
            #expect(abs(Double(grads[0][flat: e * 5 + k]) - want) < 1e-8, "[\(e), \(k)]")
        }
    }
}

/// `n` distinct values in [0.1, 0.9], 0.8/n apart, in a random order, so that P(act(α)) stays
/// put under the finite differences: a ±1e-3 step of one entry cannot pass another (with CRB,
/// act = α, this is exact). A plain uniform draw put two CRB strengths within 1e-3 of a tie.
private func spreadAlpha(_ shape: [Int], _ rng: inout PhiloxRandom) -> Tensor {
    let n = shape.reduce(1, *)
    let keys = rng.uniform(count: n, low: 0, high: 1)
    let order = (0..<n).sorted { keys[$0] < keys[$1] }
    var values = [Float](repeating: 0, count: n)
    for (rank, i) in order.enumerated() { values[i] = 0.1 + 0.8 * Float(rank) / Float(n) }
    return Tensor(shape: shape, scalars: values)
}

@Test func recurrentProximityGradientMatchesFiniteDifferences() {
    var rng = PhiloxRandom(seed: 17)
    let reg = ProximityRegularizer(rho: 0.1)
    for kind in ActivationKind.allCases {
        let space = kind.columnSpace(of: .recurrent)  // softmax 36×5, CRB 36×4
        let alpha = spreadAlpha(space.alphaShape, &rng)
        let analytic = reg.evaluate(alphas: [alpha], activation: kind, space: space, clockOverEpochs: 0.7).gradients[0]
        let fd = numericGradient(alpha) {
            reg.evaluate(alphas: $0, activation: kind, space: space, clockOverEpochs: 0.7).value
        }
        let maxdiff = zip(analytic.scalars, fd).map { abs(Double($0) - $1) }.max() ?? 0
        #expect(maxdiff < 2e-5, "\(kind) \(space.alphaShape): maxdiff \(maxdiff)")
        #expect(analytic.scalars.contains { abs($0) > 1e-4 })
    }
}

@Test func recurrentADMMValueByHandAndUpdate() {
    // α = 0, Z = α, U = 0: D = act = 0.2 on all 180 entries → R = 0.05·0.2·√180.
    let space = SearchSpace.recurrent
    let alpha = Tensor(shape: [36, 5], repeating: 0)
    var admm = ADMMRegularizer(alphas: [alpha], rho: 0.1, gamma: 1.0, frequency: 2)
    let start = admm.evaluate(alphas: [alpha], activation: .softmax, space: space)
    #expect(abs(start.value - 0.05 * 0.2 * 180.0.squareRoot()) < 1e-7)
    #expect(start.gradients[0].scalars.allSatisfy { abs($0) < 1e-9 }, "a constant row has no softmax gradient")
    let first = admm.didTakeArchitectureStep(alphas: [alpha], activation: .softmax, space: space)
    let second = admm.didTakeArchitectureStep(alphas: [alpha], activation: .softmax, space: space)
    #expect(!first && second, "Z and U move every second α step")
    // Z = P(act(α + 0)): tanh on each node's input 0; U = α − Z = −Z.
    for e in 0..<36 {
        for k in 0..<5 {
            let chosen: Float = firstEdges.contains(e) && k == 1 ? 1 : 0
            #expect(admm.z[0][e * 5 + k] == chosen && admm.u[0][e * 5 + k] == -chosen, "[\(e), \(k)]")
        }
    }
    // D = act − Z + U = 0.2 − 2Z: 8 entries −1.8 and 172 entries 0.2 → ‖D‖² = 25.92 + 6.88.
    let after = admm.evaluate(alphas: [alpha], activation: .softmax, space: space).value
    #expect(abs(after - 0.05 * 32.8.squareRoot()) < 1e-6)
}

@Test func recurrentADMMGradientMatchesFiniteDifferences() {
    var rng = PhiloxRandom(seed: 19)
    let space = SearchSpace.recurrent
    let alpha = Tensor(shape: [36, 5], scalars: rng.normal(count: 180))
    var admm = ADMMRegularizer(alphas: [alpha], rho: 0.1, gamma: 0.9, frequency: 1)
    admm.didTakeArchitectureStep(alphas: [alpha], activation: .softmax, space: space)
    admm.didTakeArchitectureStep(alphas: [alpha], activation: .softmax, space: space)  // U nonzero, γ used
    #expect(admm.u[0].contains { $0 != 0 })
    let analytic = admm.evaluate(alphas: [alpha], activation: .softmax, space: space).gradients[0]
    let fd = numericGradient(alpha) { admm.evaluate(alphas: $0, activation: .softmax, space: space).value }
    let maxdiff = zip(analytic.scalars, fd).map { abs(Double($0) - $1) }.max() ?? 0
    #expect(maxdiff < 2e-5, "maxdiff \(maxdiff)")
    #expect(analytic.scalars.contains { abs($0) > 1e-4 })
}
