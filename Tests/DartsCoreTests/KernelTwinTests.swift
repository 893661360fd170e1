// Fast pooling and batch-norm kernels against their naive twins on odd shapes (ties, offsets).
@testable import DartsCore
import Testing

struct PoolCase: CustomStringConvertible, Sendable {
    let planes: Int, h: Int, w: Int, kernel: Int, stride: Int, padding: Int
    var description: String { "planes\(planes) \(h)x\(w) k\(kernel) s\(stride) p\(padding)" }
}

let poolCases: [PoolCase] = [
    PoolCase(planes: 3, h: 8, w: 8, kernel: 3, stride: 1, padding: 1),
    PoolCase(planes: 2, h: 16, w: 16, kernel: 3, stride: 2, padding: 1),
    PoolCase(planes: 2, h: 11, w: 19, kernel: 3, stride: 1, padding: 1),
    PoolCase(planes: 2, h: 13, w: 21, kernel: 3, stride: 2, padding: 1),
    PoolCase(planes: 1, h: 5, w: 6, kernel: 3, stride: 2, padding: 0),
    PoolCase(planes: 2, h: 9, w: 17, kernel: 2, stride: 2, padding: 1),
    // The evaluation network's auxiliary head: 5×5, stride 3, no padding, on 8×8 (and odd) maps.
    PoolCase(planes: 3, h: 8, w: 8, kernel: 5, stride: 3, padding: 0),
    PoolCase(planes: 2, h: 13, w: 11, kernel: 5, stride: 3, padding: 0),
]

@Test("fast pooling equals the naive oracle", arguments: poolCases)
func poolingMatchesNaive(_ c: PoolCase) {
    let g = PoolGeometry(planes: c.planes, h: c.h, w: c.w, kernel: c.kernel, stride: c.stride, padding: c.padding)
    let nIn = c.planes * c.h * c.w, nOut = c.planes * g.oh * g.ow
    // Coarse values so windows hold ties (the first maximum in scan order must win), plus −∞ cells.
    var x = randomTensor([nIn], seed: 80).scalars.map { ($0 * 3).rounded() }
    x[1] = -.infinity; x[nIn - 2] = -.infinity
    let dy = randomTensor([nOut], seed: 81).scalars
    var o1 = [Float](repeating: .nan, count: nOut), o2 = o1
    var a1 = [Int32](repeating: -1, count: nOut), a2 = a1
    maxPoolForward(g, x: x, out: &o1, argmax: &a1)
    maxPoolForwardNaive(g, x: x, out: &o2, argmax: &a2)
    #expect(o1 == o2, "max forward")
    #expect(a1 == a2, "max argmax")
    var d1 = [Float](repeating: .nan, count: nIn), d2 = d1
    maxPoolBackward(g, dy: dy, argmax: a1, dx: &d1)
    maxPoolBackwardNaive(g, dy: dy, argmax: a2, dx: &d2)
    #expect(d1 == d2, "max backward")
    let xr = randomTensor([nIn], seed: 82).scalars
    avgPoolForward(g, x: xr, out: &o1)
    avgPoolForwardNaive(g, x: xr, out: &o2)
    #expect(scaledMaxDiff(o1, o2) < 1e-6, "avg forward")
    avgPoolBackward(g, dy: dy, dx: &d1)
    avgPoolBackwardNaive(g, dy: dy, dx: &d2)
    #expect(scaledMaxDiff(d1, d2) < 1e-6, "avg backward")
}

@Test("max pooling of an all −∞ window picks its first in-bounds cell, never padding")
func maxPoolAllNegativeInfinity() {
    let g = PoolGeometry(planes: 1, h: 9, w: 9, kernel: 3, stride: 1, padding: 1)
    let x = [Float](repeating: -.infinity, count: 81)
    var o = [Float](repeating: 0, count: 81), a = [Int32](repeating: -1, count: 81)
    var o2 = o, a2 = a
    maxPoolForward(g, x: x, out: &o, argmax: &a)
    maxPoolForwardNaive(g, x: x, out: &o2, argmax: &a2)
    #expect(a == a2)
    #expect(a.allSatisfy { $0 >= 0 && $0 < 81 })
}

@Test("SIMD batch norm equals its naive twin", arguments: [(3, 5, 37), (2, 4, 64), (4, 3, 1), (2, 2, 9)])
func batchNormMatchesNaive(n: Int, c: Int, s: Int) {
    let g = BatchNormGeometry(n: n, c: c, s: s)
    let count = n * c * s
    // An offset mean (+3) checks that the variance pass does not cancel.
    let x = randomTensor([count], seed: 90).scalars.map { $0 + 3 }
    let dy = randomTensor([count], seed: 91).scalars
    let gamma = randomTensor([c], seed: 92).scalars, beta = randomTensor([c], seed: 93).scalars
    var y1 = [Float](repeating: .nan, count: count), y2 = y1
    var m1 = [Float](repeating: .nan, count: c), m2 = m1, i1 = m1, i2 = m1, u1 = m1, u2 = m1
    batchNormForwardTraining(g, x: x, gamma: gamma, beta: beta, eps: 1e-5, y: &y1, mean: &m1, invStd: &i1, unbiasedVar: &u1)
    batchNormForwardTrainingNaive(g, x: x, gamma: gamma, beta: beta, eps: 1e-5, y: &y2, mean: &m2, invStd: &i2, unbiasedVar: &u2)
    #expect(scaledMaxDiff(y1, y2) < 1e-5)
    #expect(scaledMaxDiff(m1, m2) < 1e-6)
    #expect(scaledMaxDiff(i1, i2) < 1e-5)
    #expect(scaledMaxDiff(u1, u2) < 1e-5)
    for training in [true, false] {
        var d1 = [Float](repeating: .nan, count: count), d2 = d1
        var g1 = [Float](repeating: .nan, count: c), g2 = g1, b1 = g1, b2 = g1
        batchNormBackward(g, training: training, x: x, dy: dy, gamma: gamma, mean: m2, invStd: i2,
                          dx: &d1, dGamma: &g1, dBeta: &b1)
        batchNormBackwardNaive(g, training: training, x: x, dy: dy, gamma: gamma, mean: m2, invStd: i2,
                               dx: &d2, dGamma: &g2, dBeta: &b2)
        #expect(scaledMaxDiff(d1, d2) < 1e-5, "dx, training \(training)")
        #expect(scaledMaxDiff(g1, g2) < 1e-5, "dGamma, training \(training)")
        #expect(scaledMaxDiff(b1, b2) < 1e-5, "dBeta, training \(training)")
    }
}
