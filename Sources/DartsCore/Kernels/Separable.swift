// The forward pass of a depthwise conv followed by a plain 1×1 conv, image by image: the separable
// and dilated convs' relu → depthwise → 1×1. Each worker keeps one image's depthwise output in a
// buffer of its own (C·H·W floats, 147 KB at 36 × 32 × 32: L2-resident) and multiplies it at once,
// instead of writing the batch's depthwise output and reading it back (two passes over 14 MB per
// conv at the paper's stage 1, where the iteration is memory-bound). Every plane and every image
// goes through the kernels of `conv2dForward` of each conv, so the bits are those of the two convs
// in turn; the depthwise output is not kept (the backward pass recomputes it for the 1×1 weight
// gradient, a sum over the whole batch). Taking the input gradients image by image as well (the
// 1×1 conv's input gradient straight into the depthwise backward pass) measured no faster in pairs
// (median 1.02×, 2026-12-03), so the backward pass is the two convs' own.

import CGemm

/// Whether `separableConvForward` takes `depthwise` then `pointwise`: a depthwise conv whose
/// output is the input of a plain 1×1 conv that the FMA-chain kernel computes.
public func canFuseSeparable(depthwise d: ConvGeometry, pointwise p: ConvGeometry) -> Bool {
    d.isDepthwise && usePointwiseKernel(p) && p.groups == 1
        && p.n == d.n && p.cin == d.cout && p.h == d.oh && p.w == d.ow
}

/// out (N, Cout, OH, OW) = pointwise(depthwise(x)), or pointwise(depthwise(relu(x))) with
/// `reluInput`; overwrites out. The same bits as `conv2dForward` of each conv in turn.
public func separableConvForward(depthwise dg: ConvGeometry, pointwise pg: ConvGeometry, x: UnsafePointer<Float>,
                                 depthwiseWeight: UnsafePointer<Float>, pointwiseWeight: UnsafePointer<Float>,
                                 out: UnsafeMutablePointer<Float>, reluInput: Bool = false) {
    precondition(canFuseSeparable(depthwise: dg, pointwise: pg), "separableConvForward: \(dg) then \(pg) do not fuse")
    DartsCore.configureThreads()
    let l = PhasePlaneLayout(dg)
    let (c, taps, planeIn, planeOut) = (dg.cin, l.kh * l.kw, dg.h * dg.w, dg.oh * dg.ow)
    DartsCore.parallelFor(dg.n) { images in
        let sc = DepthwiseScratch(l)
        let depthwiseOut = UnsafeMutablePointer<Float>.allocate(capacity: c * planeOut)
        let pack = UnsafeMutablePointer<Float>.allocate(capacity: pointwiseScratchCount(k: c))
        defer { sc.free(); depthwiseOut.deallocate(); pack.deallocate() }
        var loaded = false
        for n in images {
            for ch in 0..<c {
                tapTable(l, depthwiseWeight + ch * taps, sc.offs, sc.ws)
                l.load(x + (n * c + ch) * planeIn, into: sc.plane, prefilled: loaded, relu: reluInput)
                loaded = true
                correlatePlane(sc.plane, pitch: l.pw, offs: sc.offs, ws: sc.ws, taps: taps,
                               out: depthwiseOut + ch * planeOut, oh: l.oh, ow: l.ow)
            }
            pointwiseProduct(m: pg.cout, k: c, hw: planeOut, a: pointwiseWeight, rowStride: c, colStride: 1,
                             x: depthwiseOut, y: out + n * pg.cout * planeOut, pack: pack)
        }
    }
}

