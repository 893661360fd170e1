// Finite-difference gradient checks of conv2d over strides, padding, dilation and groups.
@testable import DartsCore
import Testing

struct ConvCase: CustomStringConvertible, Sendable {
    var n, cin, h, w, cout, k, stride, padding, dilation, groups: Int
    var description: String {
        "n\(n) cin\(cin) \(h)x\(w) cout\(cout) k\(k) s\(stride) p\(padding) d\(dilation) g\(groups)"
    }
}

let convCases: [ConvCase] = [
    ConvCase(n: 2, cin: 3, h: 5, w: 5, cout: 4, k: 3, stride: 1, padding: 1, dilation: 1, groups: 1),
    ConvCase(n: 1, cin: 2, h: 5, w: 7, cout: 3, k: 3, stride: 2, padding: 1, dilation: 1, groups: 1),
    ConvCase(n: 2, cin: 3, h: 6, w: 5, cout: 3, k: 3, stride: 1, padding: 2, dilation: 2, groups: 3),
    ConvCase(n: 1, cin: 4, h: 7, w: 6, cout: 4, k: 3, stride: 2, padding: 1, dilation: 1, groups: 4),
    ConvCase(n: 2, cin: 2, h: 9, w: 8, cout: 2, k: 5, stride: 2, padding: 4, dilation: 2, groups: 2),
    ConvCase(n: 1, cin: 3, h: 5, w: 5, cout: 2, k: 5, stride: 1, padding: 2, dilation: 1, groups: 1),
    ConvCase(n: 2, cin: 3, h: 4, w: 5, cout: 5, k: 1, stride: 1, padding: 0, dilation: 1, groups: 1),
    ConvCase(n: 2, cin: 4, h: 5, w: 6, cout: 2, k: 1, stride: 2, padding: 0, dilation: 1, groups: 1),
    ConvCase(n: 1, cin: 4, h: 5, w: 5, cout: 6, k: 3, stride: 1, padding: 1, dilation: 1, groups: 2),
    ConvCase(n: 2, cin: 2, h: 4, w: 4, cout: 3, k: 2, stride: 1, padding: 0, dilation: 1, groups: 1),
]

@Test("conv2d gradients match finite differences", arguments: convCases)
func conv2dGradients(_ c: ConvCase) {
    let x = randomTensor([c.n, c.cin, c.h, c.w], seed: 1)
    let w = randomTensor([c.cout, c.cin / c.groups, c.k, c.k], seed: 2)
    expectGradients("conv2d \(c)", inputs: [x, w]) { t, v in
        t.conv2d(v[0], weight: v[1], stride: c.stride, padding: c.padding, dilation: c.dilation, groups: c.groups)
    }
}
