// The depthwise → 1×1 conv as one node (`Tape.separableConv2d`, the separable and dilated convs'):
// gradients match finite differences, and values and every gradient (the fused backward sweep's)
// are bit for bit those of the two `conv2d` nodes in turn, for strides 1 and 2, dilation, both kernel sizes, with and without
// the relu input, and with only some inputs requiring a gradient (the α-only and weight-only steps).
@testable import DartsCore
import Testing

struct SeparableCase: CustomStringConvertible, Sendable {
    let n: Int, c: Int, h: Int, w: Int, cout: Int, k: Int, stride: Int, padding: Int, dilation: Int
    var description: String { "n\(n) c\(c)→\(cout) \(h)×\(w) k\(k) s\(stride) p\(padding) d\(dilation)" }
    var oh: Int { (h + 2 * padding - dilation * (k - 1) - 1) / stride + 1 }
    var ow: Int { (w + 2 * padding - dilation * (k - 1) - 1) / stride + 1 }
}

private let separableCases: [SeparableCase] = [
    SeparableCase(n: 3, c: 3, h: 6, w: 5, cout: 3, k: 3, stride: 1, padding: 1, dilation: 1),
    SeparableCase(n: 2, c: 4, h: 7, w: 6, cout: 5, k: 3, stride: 2, padding: 1, dilation: 1),
    SeparableCase(n: 2, c: 2, h: 9, w: 8, cout: 2, k: 5, stride: 2, padding: 4, dilation: 2),
    SeparableCase(n: 3, c: 3, h: 6, w: 5, cout: 3, k: 3, stride: 1, padding: 2, dilation: 2),
    SeparableCase(n: 2, c: 7, h: 11, w: 10, cout: 9, k: 5, stride: 1, padding: 2, dilation: 1),
    // The shapes of the paper's stage 3 (8 × 8 planes, more channels than one kernel tile).
    SeparableCase(n: 2, c: 20, h: 8, w: 8, cout: 20, k: 3, stride: 1, padding: 1, dilation: 1),
    // The backward sweep's image groups on small planes (4 images per group at 8 × 8, a short last
    // group), one image per group from 16 × 16, and channel ranges that split tiles unevenly.
    SeparableCase(n: 5, c: 13, h: 8, w: 8, cout: 11, k: 3, stride: 1, padding: 1, dilation: 1),
    SeparableCase(n: 3, c: 9, h: 16, w: 16, cout: 10, k: 5, stride: 1, padding: 2, dilation: 1),
    SeparableCase(n: 2, c: 6, h: 32, w: 32, cout: 7, k: 3, stride: 2, padding: 1, dilation: 1),
]

@Test("depthwise → 1×1 as one node: gradients match finite differences", arguments: separableCases.prefix(4))
func separableConvGradients(_ c: SeparableCase) {
    let x = spreadValues([c.n, c.c, c.h, c.w], seed: 1)
    let dw = randomTensor([c.c, 1, c.k, c.k], seed: 2), pw = randomTensor([c.cout, c.c, 1, 1], seed: 3)
    for relu in [false, true] {
        expectGradients("separable \(c) relu \(relu)", inputs: [x, dw, pw]) { t, v in
            t.separableConv2d(v[0], depthwiseWeight: v[1], pointwiseWeight: v[2], stride: c.stride,
                              padding: c.padding, dilation: c.dilation, reluInput: relu)
        }
    }
}

@Test("depthwise → 1×1 as one node: the bits of the two conv nodes", arguments: separableCases)
func separableConvMatchesTheTwoNodes(_ c: SeparableCase) {
    var xv = randomTensor([c.n, c.c, c.h, c.w], seed: 4)
    xv[flat: 0] = 0; xv[flat: 1] = -0.0
    let dwv = randomTensor([c.c, 1, c.k, c.k], seed: 5), pwv = randomTensor([c.cout, c.c, 1, 1], seed: 6)
    let r = randomTensor([c.n, c.cout, c.oh, c.ow], seed: 7)
    // Which of x, the depthwise and the 1×1 weight require a gradient.
    let needs: [(Bool, Bool, Bool)] = [(true, true, true), (true, false, false), (false, true, true), (false, false, true)]
    func run(fused: Bool, relu: Bool, _ need: (Bool, Bool, Bool)) -> [[UInt32]] {
        let px = Parameter(name: "x", value: xv), pd = Parameter(name: "dw", value: dwv), pp = Parameter(name: "pw", value: pwv)
        let t = Tape()
        let x = t.parameter(px, requiresGrad: need.0)
        let d = t.parameter(pd, requiresGrad: need.1), p = t.parameter(pp, requiresGrad: need.2)
        let out = fused
            ? t.separableConv2d(x, depthwiseWeight: d, pointwiseWeight: p, stride: c.stride, padding: c.padding,
                                dilation: c.dilation, reluInput: relu)
            : t.conv2d(t.conv2d(x, weight: d, stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.c,
                                reluInput: relu), weight: p)
        let values = t.value(out)
        t.backward(t.sum(t.mul(out, t.constant(r))))
        func bits(_ v: Tensor) -> [UInt32] { (0..<v.count).map { v[flat: $0].bitPattern } }
        return [bits(values), bits(px.grad), bits(pd.grad), bits(pp.grad)]
    }
    for relu in [false, true] {
        for need in needs {
            let (fused, composed) = (run(fused: true, relu: relu, need), run(fused: false, relu: relu, need))
            for (i, name) in ["values", "gradient of x", "depthwise weight gradient", "1×1 weight gradient"].enumerated() {
                #expect(fused[i] == composed[i], "\(c) relu \(relu) needs \(need): \(name)")
            }
            // The case is not vacuous: every gradient asked for is there and not all zero.
            #expect(fused[3].contains { $0 != 0 } == need.2, "\(c) needs \(need): 1×1 weight gradient presence")
        }
    }
}

@Test("depthwise → 1×1 as one node: the fused forward kernel runs only on shapes it takes")
func separableFusionChoosesShapes() {
    let d = ConvGeometry(n: 2, cin: 4, h: 8, w: 8, cout: 4, kh: 3, kw: 3, stride: 1, padding: 1, dilation: 1, groups: 4)
    let p = ConvGeometry(n: 2, cin: 4, h: 8, w: 8, cout: 6, kh: 1, kw: 1, stride: 1, padding: 0, dilation: 1, groups: 1)
    #expect(canFuseSeparable(depthwise: d, pointwise: p))
    let strided = ConvGeometry(n: 2, cin: 4, h: 8, w: 8, cout: 6, kh: 1, kw: 1, stride: 2, padding: 0, dilation: 1, groups: 1)
    #expect(!canFuseSeparable(depthwise: d, pointwise: strided))
    let wrongPlane = ConvGeometry(n: 2, cin: 4, h: 4, w: 4, cout: 6, kh: 1, kw: 1, stride: 1, padding: 0, dilation: 1, groups: 1)
    #expect(!canFuseSeparable(depthwise: d, pointwise: wrongPlane))
    #expect(!canFuseSeparable(depthwise: p, pointwise: p))
}
