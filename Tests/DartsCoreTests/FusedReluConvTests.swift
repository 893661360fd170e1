// Convs with their relu fused in (`Tape.conv2d(reluInput: true)`): the separable and dilated convs'
// relu → depthwise and the cells' ReLU → 1×1 preprocessing. Gradients match finite differences
// (inputs kept off relu's kink), and values and gradients are bit for bit those of
// `conv2d(relu(x))`, for strides 1 and 2, dilation, both kernel sizes, 1×1 convs with groups and
// planes past one 32-pixel block, with inputs holding ±0 and NaN (NaN's relu is 0, as
// `reluForward` has it); 3×3 and stride-2 1×1 convs read relu(x) through im2col, and a 1×1 conv on
// a plane over 1024 pixels takes a relu node. When x feeds several fused convs, one through a
// slice (FactorizedReduce), and a relu node besides (the auxiliary head's input), x's gradient has
// the bits of one shared relu node, since each conv's masked gradient reaches x in the order its
// unmasked one reached the node.
@testable import DartsCore
import Testing

private let depthwiseCases: [ConvCase] = [
    ConvCase(n: 2, cin: 3, h: 6, w: 5, cout: 3, k: 3, stride: 1, padding: 1, dilation: 1, groups: 3),
    ConvCase(n: 1, cin: 4, h: 7, w: 6, cout: 4, k: 3, stride: 2, padding: 1, dilation: 1, groups: 4),
    ConvCase(n: 2, cin: 2, h: 9, w: 8, cout: 2, k: 5, stride: 2, padding: 4, dilation: 2, groups: 2),
    ConvCase(n: 2, cin: 3, h: 6, w: 5, cout: 3, k: 3, stride: 1, padding: 2, dilation: 2, groups: 3),
    ConvCase(n: 1, cin: 2, h: 11, w: 10, cout: 2, k: 5, stride: 1, padding: 2, dilation: 1, groups: 2),
]

// 1×1 convs (the pointwise kernels, with groups, and past one 32-pixel block), a stride-2 1×1 and a
// 3×3 conv (im2col), and a 1×1 conv on 33 × 33 (sgemm: a relu node).
private let otherConvCases: [ConvCase] = [
    ConvCase(n: 2, cin: 5, h: 6, w: 5, cout: 7, k: 1, stride: 1, padding: 0, dilation: 1, groups: 1),
    ConvCase(n: 3, cin: 4, h: 6, w: 7, cout: 6, k: 1, stride: 1, padding: 0, dilation: 1, groups: 2),
    ConvCase(n: 2, cin: 9, h: 8, w: 8, cout: 3, k: 1, stride: 1, padding: 0, dilation: 1, groups: 1),
    ConvCase(n: 2, cin: 3, h: 7, w: 7, cout: 4, k: 1, stride: 2, padding: 0, dilation: 1, groups: 1),
    ConvCase(n: 2, cin: 3, h: 5, w: 5, cout: 4, k: 3, stride: 1, padding: 1, dilation: 1, groups: 1),
    ConvCase(n: 1, cin: 2, h: 33, w: 33, cout: 2, k: 1, stride: 1, padding: 0, dilation: 1, groups: 1),
]

@Test("conv of relu(x), fused: gradients match finite differences", arguments: depthwiseCases + otherConvCases)
func fusedReluDepthwiseGradients(_ c: ConvCase) {
    let x = spreadValues([c.n, c.cin, c.h, c.w], seed: 1)
    let w = randomTensor([c.cout, c.cin / c.groups, c.k, c.k], seed: 2)
    expectGradients("relu → conv \(c)", inputs: [x, w]) { t, v in
        t.conv2d(v[0], weight: v[1], stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups,
                 reluInput: true)
    }
}

@Test("conv of relu(x), fused: the bits of relu then conv", arguments: depthwiseCases + otherConvCases)
func fusedReluDepthwiseMatchesTheComposition(_ c: ConvCase) {
    var xv = randomTensor([c.n, c.cin, c.h, c.w], seed: 3)
    xv[flat: 0] = 0; xv[flat: 1] = -0.0; xv[flat: 2] = .nan
    let wv = randomTensor([c.cout, c.cin / c.groups, c.k, c.k], seed: 4)
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

@Test("x feeding fused 1×1 convs and a relu node: the bits of one shared relu node")
func fusedReluConvsShareTheBitsOfOneReluNode() {
    let c = ConvCase(n: 2, cin: 6, h: 6, w: 6, cout: 4, k: 1, stride: 1, padding: 0, dilation: 1, groups: 1)
    var xv = randomTensor([c.n, c.cin, c.h, c.w], seed: 6)
    xv[flat: 0] = 0; xv[flat: 1] = -0.0; xv[flat: 2] = .nan
    let weights = (0..<4).map { randomTensor([c.cout, c.cin, 1, 1], seed: 7 + UInt64($0)) }
    let r = [randomTensor([c.n, c.cout, c.h, c.w], seed: 20), randomTensor([c.n, c.cout, c.h, c.w], seed: 21),
             randomTensor([c.n, c.cout, 3, 3], seed: 22), randomTensor([c.n, c.cout, 3, 3], seed: 23)]
    let rPool = randomTensor([c.n, c.cin, 3, 3], seed: 12)
    func run(fused: Bool) -> (dx: [UInt32], dw: [[UInt32]]) {
        let px = Parameter(name: "x", value: xv)
        let pws = weights.enumerated().map { Parameter(name: "w\($0.offset)", value: $0.element) }
        let t = Tape()
        let x = t.parameter(px)
        // As the auxiliary head, two cells' preprocessing and a FactorizedReduce read a cell's
        // output: a relu node first, then the convs (with `fused`, each reads relu(x) from x itself).
        let pooled = t.avgPool2d(t.relu(x), kernel: 2, stride: 2, padding: 0)
        var loss = t.sum(t.mul(pooled, t.constant(rPool)))
        for (i, pw) in pws.enumerated() {
            let w = t.parameter(pw)
            let out: Var
            switch (i, fused) {
            case (0...1, true): out = t.conv2d(x, weight: w, reluInput: true)
            case (0...1, false): out = t.conv2d(t.relu(x), weight: w)
            case (2, true): out = t.conv2d(x, weight: w, stride: 2, reluInput: true)
            case (2, false): out = t.conv2d(t.relu(x), weight: w, stride: 2)
            case (_, true): out = t.conv2d(t.spatialSlice(x, rowStart: 1, colStart: 1, step: 1), weight: w, stride: 2, reluInput: true)
            default: out = t.conv2d(t.spatialSlice(t.relu(x), rowStart: 1, colStart: 1, step: 1), weight: w, stride: 2)
            }
            loss = t.add(loss, t.sum(t.mul(out, t.constant(r[i]))))
        }
        t.backward(loss)
        func bits(_ v: Tensor) -> [UInt32] { (0..<v.count).map { v[flat: $0].isNaN ? Float.nan.bitPattern : v[flat: $0].bitPattern } }
        return (bits(px.grad), pws.map { bits($0.grad) })
    }
    let (fused, composed) = (run(fused: true), run(fused: false))
    #expect(fused.dx == composed.dx, "gradient of x")
    #expect(fused.dw == composed.dw, "gradients of the weights")
}
