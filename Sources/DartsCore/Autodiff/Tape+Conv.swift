// conv2d on the tape: x (N, Cin, H, W), weight (Cout, Cin/groups, kh, kw), no bias; a depthwise
// conv may read relu(x) itself (`reluInput`), the separable and dilated convs' relu → depthwise.

extension Tape {
    /// conv(x), or conv(relu(x)) with `reluInput` (depthwise convs only): the same values as
    /// `conv2d(relu(x))`, but relu(x) is applied as each plane is loaded and never stored, and the
    /// gradient reaches x masked in the same pass, so neither relu pass over the tensor is run.
    /// Its gradient with respect to x equals `relu`'s backward of this conv's gradient alone.
    public func conv2d(_ x: Var, weight: Var, stride: Int = 1, padding: Int = 0, dilation: Int = 1,
                       groups: Int = 1, reluInput: Bool = false) -> Var {
        let vx = value(x), vw = value(weight)
        precondition(vx.rank == 4 && vw.rank == 4, "conv2d: x \(vx.shape) and weight \(vw.shape) must be rank 4")
        precondition(vw.shape[1] * groups == vx.shape[1],
                     "conv2d: weight \(vw.shape) with groups \(groups) does not fit input \(vx.shape)")
        let g = ConvGeometry(n: vx.shape[0], cin: vx.shape[1], h: vx.shape[2], w: vx.shape[3],
                             cout: vw.shape[0], kh: vw.shape[2], kw: vw.shape[3],
                             stride: stride, padding: padding, dilation: dilation, groups: groups)
        precondition(!reluInput || g.isDepthwise, "conv2d: a relu input is fused into depthwise convs only, not \(vw.shape)")
        let out = Tensor.build([g.n, g.cout, g.oh, g.ow]) { dst in
            vx.withUnsafeBufferPointer { px in vw.withUnsafeBufferPointer { pw in
                conv2dForward(g, x: px.baseAddress!, weight: pw.baseAddress!, out: dst.baseAddress!, reluInput: reluInput)
            } }
        }
        let (nx, nw) = (needs[x.id], needs[weight.id])
        // Memory (issue 6): x is only needed for the weight gradient. When x is the output of a
        // depthwise conv (sep/dil conv: depthwise → 1×1), keep that conv's recipe instead of x
        // and recompute x in the reverse pass (bit-identical, about 7 % of a step's arithmetic),
        // so the depthwise output dies with the cell. Otherwise keep x only if nw.
        let recipe: (() -> Tensor)? = nw && !g.isDepthwise ? recompute[x.id] : nil
        // With a relu input, x also masks dx.
        let keptX: Tensor? = (nw || (reluInput && nx)) && recipe == nil ? vx : nil
        let xShape = vx.shape
        if recording && nw && g.isDepthwise {
            let geometry = g
            recompute[outputIndexOfNextNode] = {
                Tensor.build([geometry.n, geometry.cout, geometry.oh, geometry.ow]) { dst in
                    vx.withUnsafeBufferPointer { px in vw.withUnsafeBufferPointer { pw in
                        conv2dForward(geometry, x: px.baseAddress!, weight: pw.baseAddress!, out: dst.baseAddress!,
                                      reluInput: reluInput)
                    } }
                }
            }
        }
        return record(out, inputs: [x, weight]) {
            { dy, s in
                // The kernels overwrite both, so no zero fill.
                var dx = nx ? Tensor.build(xShape) { _ in } : nil
                var dw = nw ? Tensor.build(vw.shape) { _ in } : nil
                let xv = keptX ?? recipe?() ?? Tensor(shape: [0])  // x unused when dw is nil (and no relu input)
                xv.withUnsafeBufferPointer { px in vw.withUnsafeBufferPointer { pw in dy.withUnsafeBufferPointer { pdy in
                    withOptionalPointer(&dx) { dxp in withOptionalPointer(&dw) { dwp in
                        conv2dBackward(g, x: px.baseAddress ?? pdy.baseAddress!, weight: pw.baseAddress!,
                                       dy: pdy.baseAddress!, dx: dxp, dw: dwp, reluInput: reluInput)
                    } }
                } } }
                if let dx { s.add(x, dx) }
                if let dw { s.add(weight, dw) }
            }
        }
    }
}
