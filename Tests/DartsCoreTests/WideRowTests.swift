// The wide-row (decoder vocabulary) kernels of crossEntropy and logSoftmax: finite-difference
// gradients, values and gradients against Double references, the same bits for any split of
// the rows, and the narrow path left as it was.
@testable import DartsCore
import Foundation
import Testing

/// 3 rows of 517 logits (517 = 64·8 + 5: full blocks, full lanes and a tail), spread ×4 so the
/// softmax has weight to differentiate.
private let wide = randomTensor([3, 517], seed: 80).map { $0 * 4 }
private let labels = [0, 516, 259]

/// Double log Σ exp of each row.
private func referenceLogSumExp(_ t: Tensor) -> [Double] {
    let k = t.shape.last!
    return (0..<(t.count / k)).map { r in
        let row = (0..<k).map { Double(t[flat: r * k + $0]) }
        let m = row.max()!
        return m + Foundation.log(row.reduce(0) { $0 + Foundation.exp($1 - m) })
    }
}

@Test func wideRowsTakeTheVectorKernels() {
    #expect(wide.shape.last! >= wideRowMinimum)
}

@Test func wideLossGradients() {
    expectGradients("wide crossEntropy", inputs: [wide]) { t, v in t.crossEntropy(v[0], labels: labels) }
    expectGradients("wide logSoftmax", inputs: [wide]) { t, v in t.logSoftmax(v[0]) }
}

@Test func wideCrossEntropyMatchesTheDoubleReference() {
    let p = Parameter(name: "logits", value: wide)
    let tape = Tape()
    let loss = tape.crossEntropy(tape.parameter(p), labels: labels)
    let value = Double(tape.value(loss).scalar)
    tape.backward(loss)
    let lse = referenceLogSumExp(wide)
    let k = 517
    let want = zip(lse, labels).enumerated().reduce(0.0) { s, e in s + e.element.0 - Double(wide[flat: e.offset * k + e.element.1]) } / 3
    #expect(abs(value - want) <= 1e-6 * abs(want))
    var worst = 0.0
    for r in 0..<3 {
        for j in 0..<k {
            let g = (Foundation.exp(Double(wide[flat: r * k + j]) - lse[r]) - (j == labels[r] ? 1 : 0)) / 3
            worst = max(worst, abs(Double(p.grad[flat: r * k + j]) - g))
        }
    }
    #expect(worst <= 1e-7, "worst gradient error \(worst)")
}

@Test func wideLogSoftmaxMatchesTheDoubleReference() {
    let tape = Tape(recording: false)
    let y = tape.value(tape.logSoftmax(tape.constant(wide)))
    let lse = referenceLogSumExp(wide)
    let worst = (0..<wide.count).map { abs(Double(y[flat: $0]) - (Double(wide[flat: $0]) - lse[$0 / 517])) }.max()!
    #expect(worst <= 2e-6, "worst \(worst)")
}

@Test func wideRowsGiveTheSameBitsAlone() {
    // Each row's numbers do not depend on the rows around it (how the workers split them).
    let tape = Tape(recording: false)
    let all = tape.value(tape.logSoftmax(tape.constant(wide))).scalars
    let second = Tensor(shape: [1, 517], scalars: Array(wide.scalars[517..<1034]))
    #expect(Array(all[517..<1034]) == tape.value(tape.logSoftmax(tape.constant(second))).scalars)
}
