// The depthwise conv with its relu fused in (`Tape.conv2d(reluInput: true)`, the separable and
// dilated convs' relu → depthwise): gradients match finite differences (inputs kept off relu's
// kink), and values and gradients are bit for bit those of `conv2d(relu(x))` whenever relu(x) has
// no other consumer, for strides 1 and 2, dilation and both kernel sizes, with inputs holding ±0
// and NaN (NaN's relu is 0, as `reluForward` has it).
@testable import DartsCore
import Testing

private let depthwiseCases: [ConvCase] = [
    ConvCase(n: 2, cin: 3, h: 6, w: 5, cout: 3, k: 3, stride: 1, padding: 1, dilation: 1, groups: 3),
    ConvCase(n: 1, cin: 4, h: 7, w: 6, cout: 4, k: 3, stride: 2, padding: 1, dilation: 1, groups: 4),
    ConvCase(n: 2, cin: 2, h: 9, w: 8, cout: 2, k: 5, stride: 2, padding: 4, dilation: 2, groups: 2),
    ConvCase(n: 2, cin: 3, h: 6, w: 5, cout: 3, k: 3, stride: 1, padding: 2, dilation: 2, groups: 3),
    ConvCase(n: 1, cin: 2, h: 11, w: 10, cout: 2, k: 5, stride: 1, padding: 2, dilation: 1, groups: 2),
]

@Test("depthwise conv of relu(x), fused: gradients match finite differences", arguments: depthwiseCases)
func fusedReluDepthwiseGradients(_ c: ConvCase) {
    let x = spreadValues([c.n, c.cin, c.h, c.w], seed: 1)
    let w = randomTensor([c.cout, 1, c.k, c.k], seed: 2)
    expectGradients("relu → depthwise \(c)", inputs: [x, w]) { t, v in
        t.conv2d(v[0], weight: v[1], stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups,
                 reluInput: true)
    }
}

@Test("depthwise conv of relu(x), fused: the bits of relu then conv", arguments: depthwiseCases)
func fusedReluDepthwiseMatchesTheComposition(_ c: ConvCase) {
    var xv = randomTensor([c.n, c.cin, c.h, c.w], seed: 3)
    xv[flat: 0] = 0; xv[flat: 1] = -0.0; xv[flat: 2] = .nan
    let wv = randomTensor([c.cout, 1, c.k, c.k], seed: 4)
    let r = randomTensor([c.n, c.cout, (c.h + 2 * c.padding - c.dilation * (c.k - 1) - 1) / c.stride + 1,
                          (c.w + 2 * c.padding - c.dilation * (c.k - 1) - 1) / c.stride + 1], seed: 5)
    func run(fused: Bool) -> (out: [UInt32], dx: [UInt32], dw: [UInt32]) {
        let px = Parameter(name: "x", value: xv), pw = Parameter(name: "w", value: wv)
        let t = Tape()
        let (x, w) = (t.parameter(px), t.parameter(pw))
        let out = fused
            ? t.conv2d(x, weight: w, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups, reluInput: true)
            : t.conv2d(t.relu(x), weight: w, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
        let values = t.value(out)
        t.backward(t.sum(t.mul(out, t.constant(r))))
        func bits(_ v: Tensor) -> [UInt32] { (0..<v.count).map { v[flat: $0].isNaN ? Float.nan.bitPattern : v[flat: $0].bitPattern } }
        return (bits(values), bits(px.grad), bits(pw.grad))
    }
    let (fused, composed) = (run(fused: true), run(fused: false))
    #expect(fused.out == composed.out, "\(c): values")
    #expect(fused.dx == composed.dx, "\(c): gradient of x")
    #expect(fused.dw == composed.dw, "\(c): gradient of the weight")
}
