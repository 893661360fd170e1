// conv2d on the tape: x (N, Cin, H, W), weight (Cout, Cin/groups, kh, kw), no bias.

extension Tape {
    public func conv2d(_ x: Var, weight: Var, stride: Int = 1, padding: Int = 0, dilation: Int = 1,
                       groups: Int = 1) -> Var {
        let vx = value(x), vw = value(weight)
        precondition(vx.rank == 4 && vw.rank == 4, "conv2d: x \(vx.shape) and weight \(vw.shape) must be rank 4")
        precondition(vw.shape[1] * groups == vx.shape[1],
                     "conv2d: weight \(vw.shape) with groups \(groups) does not fit input \(vx.shape)")
        let g = ConvGeometry(n: vx.shape[0], cin: vx.shape[1], h: vx.shape[2], w: vx.shape[3],
                             cout: vw.shape[0], kh: vw.shape[2], kw: vw.shape[3],
                             stride: stride, padding: padding, dilation: dilation, groups: groups)
        let out = Tensor.build([g.n, g.cout, g.oh, g.ow]) { dst in
            vx.withUnsafeBufferPointer { px in vw.withUnsafeBufferPointer { pw in
                conv2dForward(g, x: px.baseAddress!, weight: pw.baseAddress!, out: dst.baseAddress!)
            } }
        }
        let (nx, nw) = (needs[x.id], needs[weight.id])
        return record(out, inputs: [x, weight]) {
            { dy, s in
                // The kernels overwrite both, so no zero fill.
                var dx = nx ? Tensor.build(vx.shape) { _ in } : nil
                var dw = nw ? Tensor.build(vw.shape) { _ in } : nil
                vx.withUnsafeBufferPointer { px in vw.withUnsafeBufferPointer { pw in dy.withUnsafeBufferPointer { pdy in
                    withOptionalPointer(&dx) { dxp in withOptionalPointer(&dw) { dwp in
                        conv2dBackward(g, x: px.baseAddress!, weight: pw.baseAddress!, dy: pdy.baseAddress!,
                                       dx: dxp, dw: dwp)
                    } }
                } } }
                if let dx { s.add(x, dx) }
                if let dw { s.add(weight, dw) }
            }
        }
    }
}
