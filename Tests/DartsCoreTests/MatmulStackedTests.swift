// matmulStacked (the recurrent cell's states times W_i without stacking them) is matmul∘concatRows:
// bit for bit at the chain GEMM's sizes, forward and every gradient; and its chain path passes
// finite differences on shapes small enough to perturb.
@testable import DartsCore
import Testing

@Test func matmulStackedGradients() {
    let blocks = [randomTensor([3, 4], seed: 120), randomTensor([5, 4], seed: 121), randomTensor([2, 4], seed: 122)]
    let w = randomTensor([4, 6], seed: 123)
    expectGradients("matmulStacked (chain path)", inputs: blocks + [w]) { t, v in
        t.matmulStacked(Array(v[0..<3]), v[3], minimumWork: 0)
    }
    expectGradients("matmulStacked (composition path)", inputs: blocks + [w]) { t, v in
        t.matmulStacked(Array(v[0..<3]), v[3])
    }
}

@Test("matmulStacked equals matmul of the stacked rows, bit for bit, above the chain GEMM's threshold")
func matmulStackedMatchesTheStackedProduct() {
    // Rows 64 + 100 + 37 (tiles and work units straddle the blocks), K 96, N 130: 2.5 M multiply-adds.
    let blocks = [randomTensor([64, 96], seed: 130), randomTensor([100, 96], seed: 131), randomTensor([37, 96], seed: 132)]
    let w = randomTensor([96, 130], seed: 133)
    #expect(201 * 96 * 130 >= blockedGemmMinimumWork)
    let seedGrad = randomTensor([201, 130], seed: 134)
    func run(_ stacked: Bool) -> (out: [UInt32], grads: [[UInt32]]) {
        let params = (blocks + [w]).enumerated().map { Parameter(name: "p\($0.offset)", value: $0.element) }
        let tape = Tape()
        let v = params.map { tape.parameter($0) }
        let xs = Array(v[0..<3])
        let out = stacked ? tape.matmulStacked(xs, v[3]) : tape.matmul(tape.concatRows(xs), v[3])
        let outBits = tape.value(out).scalars.map(\.bitPattern)
        tape.backward(tape.sum(tape.mul(out, tape.constant(seedGrad))))
        return (outBits, params.map { $0.grad.scalars.map(\.bitPattern) })
    }
    let (a, b) = (run(true), run(false))
    #expect(a.out == b.out)
    for i in 0..<4 { #expect(a.grads[i] == b.grads[i], "gradient of input \(i) differs") }
}
