// Finite-difference checks of the ops the recurrent cell adds: row concat/slice, locked dropout
// and the fused gated mixture (every activation, its weight gradient, CRB's skipping).
@testable import DartsCore
import Testing

@Test func rowOpGradients() {
    let a = randomTensor([2, 3], seed: 50), b = randomTensor([1, 3], seed: 51)
    expectGradients("concatRows", inputs: [a, b]) { t, v in t.concatRows([v[0], v[1], v[0]]) }
    let seq = randomTensor([4, 2, 3], seed: 52)
    expectGradients("sliceRows", inputs: [seq]) { t, v in t.sliceRows(v[0], 1..<3) }
    expectGradients("sliceRows twice", inputs: [seq]) { t, v in t.add(t.sliceRows(v[0], 0..<2), t.sliceRows(v[0], 2..<4)) }
    var rng = PhiloxRandom(seed: 53)
    let mask = Tensor(shape: [2, 3], scalars: rng.bernoulliMask(count: 6, keep: 0.5).map { $0 * 2 })
    expectGradients("lockedDropout", inputs: [seq]) { t, v in t.lockedDropout(v[0], mask: mask) }
}

@Test func lockedDropoutRepeatsTheMaskOverTime() {
    let tape = Tape(recording: false)
    let x = tape.constant(Tensor(shape: [3, 2], scalars: [1, 2, 3, 4, 5, 6]))
    let y = tape.lockedDropout(x, mask: Tensor(shape: [2], scalars: [0, 4]))
    #expect(tape.value(y).scalars == [0, 8, 0, 16, 0, 24])
}

/// Three (B=2, H=3) states, their (3·2, 6) gates, and a 5-row weight matrix (rows 1…3 used).
private let mixtureStates = (0..<3).map { spreadValues([2, 3], seed: 60 + UInt64($0)) }
private let mixtureGates = spreadValues([6, 6], seed: 63, spacing: 0.05)
private let allActivations: [(column: Int, activation: GateActivation)] = [(1, .tanh), (2, .relu), (3, .sigmoid), (4, .identity)]

@Test func gatedMixtureGradients() {
    let alpha = randomTensor([5, 5], seed: 64)
    expectGradients("gatedMixture", inputs: mixtureStates + [mixtureGates, alpha]) { t, v in
        t.gatedMixture(states: Array(v[0..<3]), gates: v[3], weights: t.softmax(v[4]), firstRow: 1, columns: allActivations)
    }
    for (k, one) in allActivations.enumerated() {
        expectGradients("gatedMixture \(one.activation)", inputs: mixtureStates + [mixtureGates, alpha], seed: 70 + UInt64(k)) { t, v in
            t.gatedMixture(states: Array(v[0..<3]), gates: v[3], weights: v[4], firstRow: 2, columns: [one])
        }
    }
    // H = 11: a full 8-lane block and a 3-lane tail.
    let wideStates = (0..<2).map { spreadValues([2, 11], seed: 90 + UInt64($0)) }
    expectGradients("gatedMixture H 11", inputs: wideStates + [spreadValues([4, 22], seed: 92, spacing: 0.02), alpha]) { t, v in
        t.gatedMixture(states: Array(v[0..<2]), gates: v[2], weights: t.softmax(v[3]), firstRow: 0, columns: allActivations)
    }
    // CRB: weights ≤ 0 are skipped (entries at least 0.05 from 0, so ±h never crosses it).
    let clamped = spreadValues([5, 5], seed: 65, spacing: 0.05)
    expectGradients("gatedMixture skipping non-positive", inputs: mixtureStates + [mixtureGates, clamped]) { t, v in
        t.gatedMixture(states: Array(v[0..<3]), gates: v[3], weights: v[4], firstRow: 1, columns: allActivations,
                       skipNonPositive: true)
    }
}

@Test func gatedMixtureIsTheSumOfItsTerms() {
    // The fused op against the same formula from elementwise tape ops (the PyTorch reference's).
    let tape = Tape(recording: false)
    let states = mixtureStates.map { tape.constant($0) }
    let gates = tape.constant(mixtureGates)
    let w = tape.constant(randomTensor([5, 5], seed: 66))
    let fused = tape.value(tape.gatedMixture(states: states, gates: gates, weights: w, firstRow: 1, columns: allActivations))
    var terms: [Var] = []
    for (j, s) in states.enumerated() {
        let g = tape.sliceRows(gates, (2 * j)..<(2 * j + 2))
        let c = tape.sigmoid(tape.sliceChannels(g, 0..<3)), h = tape.sliceChannels(g, 3..<6)
        for (column, f) in [(1, tape.tanh(h)), (2, tape.relu(h)), (3, tape.sigmoid(h)), (4, h)] {
            terms.append(tape.mulScalar(tape.add(s, tape.mul(c, tape.sub(f, s))), scalars: w, at: (1 + j) * 5 + column))
        }
    }
    let reference = tape.value(tape.addN(terms))
    for i in 0..<fused.count { #expect(abs(fused[flat: i] - reference[flat: i]) < 1e-5, "element \(i)") }
    // Negative control: a skipped weight changes the value.
    let skipped = tape.value(tape.gatedMixture(states: states, gates: gates, weights: tape.constant(Tensor(shape: [5, 5], repeating: -1)),
                                               firstRow: 1, columns: allActivations, skipNonPositive: true))
    #expect(skipped.scalars.allSatisfy { $0 == 0 })
}
