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
                let xv = keptX ?? recipe?() ?? Tensor(shape: [0])  // x unused when dw is nil (and no relu input)
                let (dx, dw) = convGradients(g, x: xv, xShape: xShape, weight: vw, dy: dy, wantX: nx, wantWeight: nw,
                                             reluInput: reluInput)
                if let dx { s.add(x, dx) }
                if let dw { s.add(weight, dw) }
            }
        }
    }
}

extension Tape {
    /// pointwise(depthwise(x)), or of relu(x) with `reluInput`: the separable and dilated convs'
    /// depthwise → 1×1 as one node, the same values and gradients, bit for bit, as
    /// `conv2d(conv2d(x, weight: depthwiseWeight, …, groups: C, reluInput:), weight: pointwiseWeight)`.
    /// Both passes run image by image (Kernels/Separable.swift), so neither the depthwise output nor
    /// its gradient is written over the batch; the reverse pass recomputes the depthwise output for
    /// the 1×1 weight gradient, as the two-node form does. Shapes the fused kernels do not take go
    /// through the two nodes.
    public func separableConv2d(_ x: Var, depthwiseWeight: Var, pointwiseWeight: Var, stride: Int = 1,
                                padding: Int = 0, dilation: Int = 1, reluInput: Bool = false) -> Var {
        let vx = value(x), vd = value(depthwiseWeight), vp = value(pointwiseWeight)
        precondition(vx.rank == 4 && vd.rank == 4 && vp.rank == 4,
                     "separableConv2d: x \(vx.shape), weights \(vd.shape), \(vp.shape) must be rank 4")
        let c = vx.shape[1]
        precondition(vd.shape[0] == c && vd.shape[1] == 1,
                     "separableConv2d: depthwise weight \(vd.shape) does not fit input \(vx.shape)")
        let dg = ConvGeometry(n: vx.shape[0], cin: c, h: vx.shape[2], w: vx.shape[3], cout: c,
                              kh: vd.shape[2], kw: vd.shape[3], stride: stride, padding: padding,
                              dilation: dilation, groups: c)
        let pg = ConvGeometry(n: dg.n, cin: vp.shape[1], h: dg.oh, w: dg.ow, cout: vp.shape[0],
                              kh: vp.shape[2], kw: vp.shape[3], stride: 1, padding: 0, dilation: 1, groups: 1)
        guard canFuseSeparable(depthwise: dg, pointwise: pg) else {
            let h = conv2d(x, weight: depthwiseWeight, stride: stride, padding: padding, dilation: dilation,
                           groups: c, reluInput: reluInput)
            return conv2d(h, weight: pointwiseWeight)
        }
        let out = Tensor.build([pg.n, pg.cout, pg.oh, pg.ow]) { dst in
            vx.withUnsafeBufferPointer { px in vd.withUnsafeBufferPointer { pd in vp.withUnsafeBufferPointer { pp in
                separableConvForward(depthwise: dg, pointwise: pg, x: px.baseAddress!, depthwiseWeight: pd.baseAddress!,
                                     pointwiseWeight: pp.baseAddress!, out: dst.baseAddress!, reluInput: reluInput)
            } } }
        }
        let (nx, nd, np) = (needs[x.id], needs[depthwiseWeight.id], needs[pointwiseWeight.id])
        // x is read for both weight gradients (the 1×1 one through the recomputed depthwise output)
        // and for a relu input's mask.
        let keptX: Tensor? = nd || np || (reluInput && nx) ? vx : nil
        let xShape = vx.shape
        return record(out, inputs: [x, depthwiseWeight, pointwiseWeight]) {
            { dy, s in
                if !nx && !nd && !np { return }
                // The kernel overwrites all three, so no zero fill.
                var dx = nx ? Tensor.build(xShape) { _ in } : nil
                var dd = nd ? Tensor.build(vd.shape) { _ in } : nil
                var dp = np ? Tensor.build(vp.shape) { _ in } : nil
                let xv = keptX ?? dy  // not read when neither weight gradient nor a relu mask is needed
                xv.withUnsafeBufferPointer { px in dy.withUnsafeBufferPointer { pdy in
                    vd.withUnsafeBufferPointer { pd in vp.withUnsafeBufferPointer { pp in
                        withOptionalPointer(&dx) { dxp in withOptionalPointer(&dd) { ddp in withOptionalPointer(&dp) { dpp in
                            separableConvBackward(depthwise: dg, pointwise: pg, x: px.baseAddress!, depthwiseWeight: pd.baseAddress!,
                                                  pointwiseWeight: pp.baseAddress!, dy: pdy.baseAddress!, dx: dxp,
                                                  depthwiseWeightGradient: ddp, pointwiseWeightGradient: dpp,
                                                  reluInput: reluInput)
                        } } }
                    } }
                } }
                if let dx { s.add(x, dx) }
                if let dd { s.add(depthwiseWeight, dd) }
                if let dp { s.add(pointwiseWeight, dp) }
            }
        }
    }
}

/// `conv2dBackward` of `g` into new tensors: the gradient of x (shape `xShape`) if `wantX`, of the
/// weight if `wantWeight`. `x` may be empty where the kernels do not read it (no weight gradient
/// and no relu input).
private func convGradients(_ g: ConvGeometry, x: Tensor, xShape: [Int], weight: Tensor, dy: Tensor, wantX: Bool,
                           wantWeight: Bool, reluInput: Bool = false) -> (dx: Tensor?, dw: Tensor?) {
    if !wantX && !wantWeight { return (nil, nil) }
    // The kernels overwrite both, so no zero fill.
    var dx = wantX ? Tensor.build(xShape) { _ in } : nil
    var dw = wantWeight ? Tensor.build(weight.shape) { _ in } : nil
    x.withUnsafeBufferPointer { px in weight.withUnsafeBufferPointer { pw in dy.withUnsafeBufferPointer { pdy in
        withOptionalPointer(&dx) { dxp in withOptionalPointer(&dw) { dwp in
            conv2dBackward(g, x: px.baseAddress ?? pdy.baseAddress!, weight: pw.baseAddress!,
                           dy: pdy.baseAddress!, dx: dxp, dw: dwp, reluInput: reluInput)
        } }
    } } }
    return (dx, dw)
}
