// Fast pooling kernels against their naive twins on odd shapes, strides 1 and 2, with ties.
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
