// Finite-difference gradient checks of element-wise, shape and reduction ops.
@testable import DartsCore
import Testing

@Test func activationGradients() {
    let x = spreadValues([2, 3, 2, 2], seed: 30)
    expectGradients("relu", inputs: [x]) { t, v in t.relu(v[0]) }
    expectGradients("sigmoid", inputs: [x]) { t, v in t.sigmoid(v[0]) }
    expectGradients("tanh", inputs: [x]) { t, v in t.tanh(v[0]) }
    expectGradients("clamp", inputs: [x]) { t, v in t.clamp(v[0], min: -0.184, max: 0.236) }  // bounds ≥ 0.014 from every input
}

@Test func arithmeticGradients() {
    let a = randomTensor([2, 3, 2], seed: 31), b = randomTensor([2, 3, 2], seed: 32), c = randomTensor([2, 3, 2], seed: 33)
    expectGradients("add", inputs: [a, b]) { t, v in t.add(v[0], v[1]) }
    expectGradients("sub", inputs: [a, b]) { t, v in t.sub(v[0], v[1]) }
    expectGradients("mul", inputs: [a, b]) { t, v in t.mul(v[0], v[1]) }
    expectGradients("mul self", inputs: [a]) { t, v in t.mul(v[0], v[0]) }
    expectGradients("addN", inputs: [a, b, c]) { t, v in t.addN([v[0], v[1], v[2], v[0]]) }
    expectGradients("scale", inputs: [a]) { t, v in t.scale(v[0], by: -1.7) }
    var rng = PhiloxRandom(seed: 34)
    let mask = Tensor(shape: [2, 3, 2], scalars: rng.bernoulliMask(count: 12, keep: 0.5).map { $0 * 2 })
    expectGradients("dropout", inputs: [a]) { t, v in t.dropout(v[0], mask: mask) }
    let alpha = randomTensor([3, 4], seed: 35)
    expectGradients("mulScalar", inputs: [a, alpha]) { t, v in t.mulScalar(v[0], scalars: v[1], at: 5) }
    expectGradients("weightedSum", inputs: [a, b, c, alpha]) { t, v in
        t.weightedSum([v[0], v[1], v[2], v[0]], weights: t.softmax(v[3]), indices: [4, 5, 7, 11])
    }
}

@Test func shapeGradients() {
    let a = randomTensor([2, 3, 3, 2], seed: 40), b = randomTensor([2, 1, 3, 2], seed: 41)
    expectGradients("concatChannels", inputs: [a, b]) { t, v in t.concatChannels([v[0], v[1], v[0]]) }
    expectGradients("concatChannels rank2", inputs: [randomTensor([2, 3], seed: 42), randomTensor([2, 2], seed: 43)]) { t, v in
        t.concatChannels([v[0], v[1]])
    }
    expectGradients("sliceChannels", inputs: [a]) { t, v in t.sliceChannels(v[0], 1..<3) }
    let odd = randomTensor([2, 2, 5, 4], seed: 44)
    expectGradients("spatialSlice 1:,1:", inputs: [odd]) { t, v in t.spatialSlice(v[0], rowStart: 1, colStart: 1, step: 1) }
    expectGradients("spatialSlice ::2", inputs: [odd]) { t, v in t.spatialSlice(v[0], rowStart: 0, colStart: 0, step: 2) }
    expectGradients("reshape", inputs: [a]) { t, v in t.reshape(v[0], [4, 9]) }
}

@Test func reductionGradients() {
    let a = randomTensor([3, 4], seed: 50)
    expectGradients("sum", inputs: [a]) { t, v in t.sum(v[0]) }
    expectGradients("mean", inputs: [a]) { t, v in t.mean(v[0]) }
    expectGradients("sumOfSquares", inputs: [a]) { t, v in t.sumOfSquares(v[0]) }
    expectGradients("frobeniusNorm", inputs: [a]) { t, v in t.frobeniusNorm(v[0]) }
    // The proximity term: ‖clamp(α) − P‖ with a constant P.
    let p = Tensor(shape: [3, 4], scalars: (0..<12).map { $0 % 5 == 0 ? 1 : 0 })
    expectGradients("frobeniusNorm(clamp - P)", inputs: [spreadValues([3, 4], seed: 51, spacing: 0.09)]) { t, v in
        t.frobeniusNorm(t.sub(t.clamp(v[0], min: 0, max: 1), t.constant(p)))
    }
}

@Test("negative control: the checker rejects a wrong gradient")
func gradCheckCatchesWrongGradient() {
    // y = 2x but with a backward that claims dy/dx = 2.2: the checker must notice.
    let r = gradCheck(inputs: [randomTensor([3], seed: 60)]) { t, v in
        let x = v[0]
        let out = t.value(x).map { $0 * 2 }
        return t.record(out, inputs: [x]) { { g, s in s.add(x, g.map { $0 * 2.2 }) } }
    }
    #expect(r.worst > 1)
}
