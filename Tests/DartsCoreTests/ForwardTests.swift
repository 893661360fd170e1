// Forward values computed by hand: pooling padding semantics, batch norm with running
// statistics, cross-entropy, spatial slicing.
@testable import DartsCore
import Testing

@Test func maxPoolPaddingNeverWins() {
    // All inputs negative: a zero pad would win if padding counted.
    let x = Tensor(shape: [1, 1, 2, 3], scalars: [-1, -2, -3, -4, -5, -6])
    let t = Tape(recording: false)
    let y = t.value(t.maxPool2d(t.constant(x), kernel: 3, stride: 1, padding: 1))
    #expect(y.shape == [1, 1, 2, 3])
    #expect(y.scalars == [-1, -1, -2, -1, -1, -2])
    let y2 = t.value(t.maxPool2d(t.constant(x), kernel: 3, stride: 2, padding: 1))
    #expect(y2.shape == [1, 1, 1, 2])
    #expect(y2.scalars == [-1, -2])
}

@Test func avgPoolExcludesPadding() {
    let x = Tensor(shape: [1, 1, 2, 3], scalars: [1, 2, 3, 4, 5, 6])
    let t = Tape(recording: false)
    let y = t.value(t.avgPool2d(t.constant(x), kernel: 3, stride: 1, padding: 1))
    // Corner (0,0) window covers 1,2,4,5 → 3; centre (0,1) covers all six → 3.5.
    let expected: [Float] = [3, 3.5, 4, 3, 3.5, 4]
    for i in 0..<6 { #expect(abs(y.scalars[i] - expected[i]) < 1e-6) }
    let y2 = t.value(t.avgPool2d(t.constant(x), kernel: 3, stride: 2, padding: 1))
    #expect(y2.shape == [1, 1, 1, 2])
    #expect(abs(y2.scalars[0] - 3) < 1e-6 && abs(y2.scalars[1] - 4) < 1e-6)  // cols 1–2: (2+3+5+6)/4
}

@Test func batchNormTrainingAndRunningStats() {
    // Channel 0 holds 1, 2, 3, 6 over (N=2, H·W=2); channel 1 is constant 5.
    let x = Tensor(shape: [2, 2, 1, 2], scalars: [1, 2, 5, 5, 3, 6, 5, 5])
    let rm = Parameter(name: "rm", value: Tensor(shape: [2], scalars: [1, 0]))
    let rv = Parameter(name: "rv", value: Tensor(shape: [2], scalars: [1, 1]))
    let gamma = Tensor(shape: [2], scalars: [2, 1]), beta = Tensor(shape: [2], scalars: [0.5, -1])
    let t = Tape(recording: false)
    let y = t.value(t.batchNorm(t.constant(x), runningMean: rm, runningVar: rv, weight: t.constant(gamma),
                                bias: t.constant(beta), training: true))
    let mean = 3.0, varB = (4.0 + 1 + 0 + 9) / 4, varU = 14.0 / 3
    let c0 = [1.0, 2, 3, 6].map { 2 * ($0 - mean) / (varB + 1e-5).squareRoot() + 0.5 }
    let got0 = [y.scalars[0], y.scalars[1], y.scalars[4], y.scalars[5]]
    for i in 0..<4 { #expect(abs(Double(got0[i]) - c0[i]) < 1e-5) }
    for i in [2, 3, 6, 7] { #expect(abs(y.scalars[i] - -1) < 1e-5) }  // zero variance → β
    #expect(abs(Double(rm.value.scalars[0]) - (0.9 * 1 + 0.1 * mean)) < 1e-6)
    #expect(abs(rm.value.scalars[1] - 0.5) < 1e-6)
    #expect(abs(Double(rv.value.scalars[0]) - (0.9 + 0.1 * varU)) < 1e-6)
    #expect(abs(rv.value.scalars[1] - 0.9) < 1e-6)
    // Evaluation mode uses the running statistics and leaves them alone.
    let ye = t.value(t.batchNorm(t.constant(x), runningMean: rm, runningVar: rv, weight: nil, bias: nil, training: false))
    let m0 = Double(rm.value.scalars[0]), v0 = Double(rv.value.scalars[0])
    #expect(abs(Double(ye.scalars[0]) - (1 - m0) / (v0 + 1e-5).squareRoot()) < 1e-5)
    #expect(abs(Double(rm.value.scalars[0]) - (0.9 + 0.3)) < 1e-6)
}

@Test func crossEntropyByHand() {
    let logits = Tensor(shape: [2, 3], scalars: [1, 2, 3, 0, 0, 10])
    let t = Tape(recording: false)
    let l = t.value(t.crossEntropy(t.constant(logits), labels: [0, 2])).scalar
    let r0 = -(1 - Foundationless.logSumExp([1, 2, 3]))
    let r1 = -(10 - Foundationless.logSumExp([0, 0, 10]))
    #expect(abs(Double(l) - (r0 + r1) / 2) < 1e-6)
}

@Test func spatialSliceShapesAndValues() {
    let x = Tensor(shape: [1, 1, 3, 3], scalars: (0..<9).map(Float.init))
    let t = Tape(recording: false)
    #expect(t.value(t.spatialSlice(t.constant(x), rowStart: 1, colStart: 1, step: 1)).scalars == [4, 5, 7, 8])
    #expect(t.value(t.spatialSlice(t.constant(x), rowStart: 0, colStart: 0, step: 2)).scalars == [0, 2, 6, 8])
}

enum Foundationless {
    static func logSumExp(_ v: [Double]) -> Double {
        let m = v.max() ?? 0
        var s = 0.0
        for x in v { s += exp(x - m) }
        return m + log(s)
    }
}
#if canImport(Glibc)
import Glibc
#endif
