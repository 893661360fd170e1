// The separable and dilated convs' relu → depthwise → 1×1 as one pass over the batch each way.
// Forward, image by image: each worker keeps one image's depthwise output in a buffer of its own
// (C·H·W floats, 147 KB at 36 × 32 × 32: L2-resident) and multiplies it at once, instead of writing
// the batch's depthwise output and reading it back (two passes over 14 MB per conv at the paper's
// stage 1, where the iteration is memory-bound). Backward, channel range by channel range, image by
// image (separableConvBackward). Every plane and every image goes through the kernels of each
// conv's own passes, and every element is computed whole by one worker in the order those passes
// use, so the bits are those of the two convs in turn, whatever the thread count.

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


/// The gradients of `separableConvForward` given dy (N, Cout, OH, OW): dx (N, C, H, W), the
/// depthwise weight's dd and the 1×1 weight's dp, each overwritten if non-nil; `x` is read only for
/// dd, dp or a relu input's mask. The same bits as `conv2dBackward` of the 1×1 conv (with the
/// depthwise output recomputed) and then of the depthwise conv.
///
/// Why one sweep: as two convs the reverse pass writes and reads back the depthwise output h and
/// its gradient dh over the whole batch and reads dy twice (a separable conv's backward pass at the
/// paper's stage 1 moved ≈ 126 MB, where the iteration is memory-bound). Here each worker takes a
/// fixed range J of the channels and walks the images in order: per image it forms dh[J] = (the
/// 1×1 weight's columns J)ᵀ · dy, then per channel loads x's plane once to recompute h and run the
/// depthwise backward pass (each channel's weight gradient summed image by image, as in
/// `depthwiseBackward`), and continues the chains of the 1×1 weight gradient's columns J with h
/// (every element's chains over the images in order, as in `chainSumOfProducts`; on small planes a
/// group of images per visit). So h and dh live in L2 and x, dy and dx pass once. Every element is
/// computed whole by one worker, so the bits do not depend on J or the thread count.
public func separableConvBackward(depthwise dg: ConvGeometry, pointwise pg: ConvGeometry, x: UnsafePointer<Float>,
                                  depthwiseWeight: UnsafePointer<Float>, pointwiseWeight: UnsafePointer<Float>,
                                  dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                                  depthwiseWeightGradient dd: UnsafeMutablePointer<Float>?,
                                  pointwiseWeightGradient dp: UnsafeMutablePointer<Float>?, reluInput: Bool = false) {
    precondition(canFuseSeparable(depthwise: dg, pointwise: pg), "separableConvBackward: \(dg) then \(pg) do not fuse")
    if dx == nil && dd == nil && dp == nil { return }
    DartsCore.configureThreads()
    let isa = VectorISA.current.code
    let (c, cout, n) = (dg.cin, pg.cout, dg.n)
    let (planeIn, planeOut) = (dg.h * dg.w, dg.oh * dg.ow)
    let wantH = dp != nil, wantDh = dx != nil || dd != nil
    // Images per pass over dp's chains: on small planes a group, so reloading the chains stays rare.
    let group = planeOut >= 256 ? 1 : (256 + planeOut - 1) / planeOut
    DartsCore.parallelFor(c) { channels in
        let (lo, width) = (channels.lowerBound, channels.count)
        let sc = DepthwiseBackwardScratch(dg, channels: width)
        let h = wantH ? UnsafeMutablePointer<Float>.allocate(capacity: group * width * planeOut) : nil
        let chains = wantH ? UnsafeMutablePointer<Float>.allocate(capacity: cout * width * 16) : nil
        let dh = wantDh ? UnsafeMutablePointer<Float>.allocate(capacity: width * planeOut) : nil
        let pack = wantDh ? UnsafeMutablePointer<Float>.allocate(capacity: pointwiseScratchCount(k: cout)) : nil
        defer { sc.free(); h?.deallocate(); chains?.deallocate(); dh?.deallocate(); pack?.deallocate() }
        for i in 0..<width { sc.prepare(channel: i, weight: depthwiseWeight + (lo + i) * sc.taps) }
        for t0 in stride(from: 0, to: n, by: group) {
            let images = min(group, n - t0)
            for t in t0..<(t0 + images) {
                // dh needs only dy; each of x's planes is then loaded once for h and both gradients.
                if let dh, let pack {
                    pointwiseProduct(m: width, k: cout, hw: planeOut, a: pointwiseWeight + lo, rowStride: 1, colStride: c,
                                     x: dy + t * cout * planeOut, y: dh, pack: pack)
                }
                for i in 0..<width {
                    let pl = t * c + lo + i
                    if let h {
                        sc.planeForward(channel: i, x: x + pl * planeIn, out: h + ((t - t0) * width + i) * planeOut,
                                        relu: reluInput)
                    }
                    if let dh {
                        sc.planeBackward(channel: i, x: x + pl * planeIn, dy: dh + i * planeOut,
                                         dx: dx.map { $0 + pl * planeIn }, totals: dd == nil ? nil : sc.totals(i),
                                         reluInput: reluInput, planeLoaded: h != nil)
                    }
                }
            }
            if let h, let chains {
                dp_pointwise_weight_gradient_continue(isa, Int32(cout), Int32(width), Int32(planeOut), Int32(images),
                                                      dy + t0 * cout * planeOut, cout * planeOut, h, width * planeOut,
                                                      chains, t0 == 0 ? 1 : 0, t0 + images < n ? 1 : 0)
            }
        }
        if let dp, let chains { dp_pointwise_weight_gradient_finish(Int32(cout), Int32(width), chains, dp + lo, c) }
        if let dd {
            for i in 0..<width { for t in 0..<sc.taps { dd[(lo + i) * sc.taps + t] = Float(sc.totals(i)[t]) } }
        }
    }
}
