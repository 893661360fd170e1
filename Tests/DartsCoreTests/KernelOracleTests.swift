// Fast kernels against their naive oracles: GEMM and conv2d forward / backward on many shapes.
@testable import DartsCore
import Testing

/// max |a − b| / (1 + max |b|): relative to the output scale, so Float accumulation order
/// differences (≈ 1e-6 for these sums of ≤ 200 terms) pass and any indexing error fails.
func scaledMaxDiff(_ a: [Float], _ b: [Float]) -> Float {
    precondition(a.count == b.count)
    var d: Float = 0, m: Float = 0
    for i in 0..<a.count { d = max(d, abs(a[i] - b[i])); m = max(m, abs(b[i])) }
    return d / (1 + m)
}

let oracleCases: [ConvCase] = convCases + [
    ConvCase(n: 3, cin: 5, h: 8, w: 8, cout: 5, k: 5, stride: 1, padding: 2, dilation: 1, groups: 5),
    ConvCase(n: 2, cin: 6, h: 9, w: 7, cout: 6, k: 5, stride: 2, padding: 4, dilation: 2, groups: 6),
    ConvCase(n: 2, cin: 8, h: 6, w: 6, cout: 8, k: 1, stride: 1, padding: 0, dilation: 1, groups: 1),
    ConvCase(n: 1, cin: 3, h: 11, w: 10, cout: 7, k: 3, stride: 2, padding: 0, dilation: 1, groups: 1),
    ConvCase(n: 2, cin: 4, h: 6, w: 6, cout: 4, k: 3, stride: 1, padding: 1, dilation: 1, groups: 2),
    // Depthwise SIMD paths: widths with and without a partial 8-lane tail, every stride/dilation mix.
    ConvCase(n: 2, cin: 3, h: 19, w: 21, cout: 3, k: 3, stride: 2, padding: 1, dilation: 1, groups: 3),
    ConvCase(n: 2, cin: 4, h: 17, w: 10, cout: 4, k: 5, stride: 1, padding: 4, dilation: 2, groups: 4),
    ConvCase(n: 1, cin: 2, h: 16, w: 16, cout: 2, k: 3, stride: 1, padding: 1, dilation: 1, groups: 2),
    ConvCase(n: 3, cin: 2, h: 16, w: 16, cout: 2, k: 5, stride: 2, padding: 2, dilation: 1, groups: 2),
    ConvCase(n: 2, cin: 3, h: 13, w: 24, cout: 3, k: 3, stride: 2, padding: 2, dilation: 2, groups: 3),
    ConvCase(n: 1, cin: 2, h: 9, w: 9, cout: 2, k: 3, stride: 1, padding: 0, dilation: 1, groups: 2),
    ConvCase(n: 2, cin: 3, h: 7, w: 19, cout: 3, k: 2, stride: 1, padding: 1, dilation: 1, groups: 3),  // generic taps
    // Pointwise kernel: row counts off the 4-row block, 16- and 8-pixel columns and a scalar tail.
    ConvCase(n: 2, cin: 7, h: 5, w: 5, cout: 5, k: 1, stride: 1, padding: 0, dilation: 1, groups: 1),
    ConvCase(n: 1, cin: 3, h: 4, w: 11, cout: 6, k: 1, stride: 1, padding: 0, dilation: 1, groups: 1),
    ConvCase(n: 2, cin: 4, h: 3, w: 3, cout: 6, k: 1, stride: 1, padding: 0, dilation: 1, groups: 2),
    // correlatePlane's 4- and 2-block column paths: 32 + 16 + 8 + tail lanes, forward and dx.
    ConvCase(n: 2, cin: 2, h: 5, w: 59, cout: 2, k: 3, stride: 1, padding: 1, dilation: 1, groups: 2),
    ConvCase(n: 1, cin: 2, h: 6, w: 40, cout: 2, k: 5, stride: 1, padding: 4, dilation: 2, groups: 2),
    // Register tiles: 2 × 32 over an odd row count; 4 × 16 with leftover rows and a 3-lane tail.
    ConvCase(n: 2, cin: 2, h: 7, w: 32, cout: 2, k: 5, stride: 1, padding: 2, dilation: 1, groups: 2),
    ConvCase(n: 1, cin: 3, h: 10, w: 27, cout: 3, k: 3, stride: 1, padding: 1, dilation: 1, groups: 3),
]

@Test("fast conv2d equals the naive oracle", arguments: oracleCases)
func convMatchesNaive(_ c: ConvCase) {
    let g = ConvGeometry(n: c.n, cin: c.cin, h: c.h, w: c.w, cout: c.cout, kh: c.k, kw: c.k,
                         stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
    let x = randomTensor([g.inputCount], seed: 70).scalars
    let w = randomTensor([g.weightCount], seed: 71).scalars
    let dy = randomTensor([g.outputCount], seed: 72).scalars
    var fast = [Float](repeating: .nan, count: g.outputCount), slow = fast
    conv2dForward(g, x: x, weight: w, out: &fast)
    conv2dForwardNaive(g, x: x, weight: w, out: &slow)
    #expect(scaledMaxDiff(fast, slow) < 1e-5, "forward \(c)")
    var dxF = [Float](repeating: .nan, count: g.inputCount), dxS = dxF
    var dwF = [Float](repeating: .nan, count: g.weightCount), dwS = dwF
    conv2dBackward(g, x: x, weight: w, dy: dy, dx: &dxF, dw: &dwF)
    conv2dBackwardInputNaive(g, dy: dy, weight: w, dx: &dxS)
    conv2dBackwardWeightNaive(g, x: x, dy: dy, dw: &dwS)
    #expect(scaledMaxDiff(dxF, dxS) < 1e-5, "backward input \(c)")
    #expect(scaledMaxDiff(dwF, dwS) < 1e-5, "backward weight \(c)")
}

@Test("gemm equals the naive oracle in all transpose modes", arguments: [(false, false), (true, false), (false, true), (true, true)])
func gemmMatchesNaive(transA: Bool, transB: Bool) {
    let (m, n, k) = (7, 5, 9)
    let a = randomTensor([m * k], seed: 73).scalars, b = randomTensor([k * n], seed: 74).scalars
    var c1 = randomTensor([m * n], seed: 75).scalars
    var c2 = c1
    gemm(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a, b: b, beta: 2, c: &c1)
    gemmNaive(transA: transA, transB: transB, m: m, n: n, k: k, alpha: 0.5, a: a, b: b, beta: 2, c: &c2)
    #expect(scaledMaxDiff(c1, c2) < 1e-5)
}

@Test("conv2d forward on the tape equals the naive oracle, batch 1, stride 2, dilation 2")
func convTapeForward() {
    let g = ConvGeometry(n: 1, cin: 2, h: 7, w: 5, cout: 3, kh: 3, kw: 3, stride: 2, padding: 2, dilation: 2)
    let x = randomTensor([1, 2, 7, 5], seed: 76), w = randomTensor([3, 2, 3, 3], seed: 77)
    let t = Tape(recording: false)
    let y = t.value(t.conv2d(t.constant(x), weight: t.constant(w), stride: 2, padding: 2, dilation: 2))
    #expect(y.shape == [1, 3, 4, 3])  // PyTorch: floor((7+4-4-1)/2)+1 = 4, floor((5+4-4-1)/2)+1 = 3
    var ref = [Float](repeating: 0, count: g.outputCount)
    conv2dForwardNaive(g, x: x.scalars, weight: w.scalars, out: &ref)
    #expect(scaledMaxDiff(y.scalars, ref) < 1e-5)
}
