// Fast conv2d kernels: forward, backward-input and backward-weight with stride, padding,
// dilation and groups. Depthwise (groups == Cin == Cout) uses direct loops (Depthwise.swift);
// everything else im2col + GEMM per image and group; plain 1×1 convs skip im2col and use the
// FMA-chain kernels of Pointwise.swift (the same bits on every instruction set) for all three
// products, the weight gradient as one chain over the batch.
// Threads: parallel over images (fixed partition); other weight gradients go to one slot per image,
// summed in image order, so results do not depend on the thread count.

/// out (N, Cout, OH, OW) = conv(x, weight), or conv(relu(x), weight) with `reluInput` (depthwise
/// convs only: the separable and dilated convs' relu → depthwise, without a pass writing relu(x));
/// overwrites out.
public func conv2dForward(_ g: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                          out: UnsafeMutablePointer<Float>, reluInput: Bool = false) {
    precondition(!reluInput || g.isDepthwise, "conv2d: a relu input is fused into depthwise convs only")
    if g.isDepthwise { depthwiseForward(g, x: x, weight: weight, out: out, reluInput: reluInput); return }
    DartsCore.configureThreads()
    let ohow = g.oh * g.ow, k = g.colRows, cig = g.cinPerGroup, cog = g.coutPerGroup
    let plain = g.isPlainPointwise, usePointwise = usePointwiseKernel(g)
    DartsCore.parallelFor(g.n) { images in
        let col = plain ? nil : UnsafeMutablePointer<Float>.allocate(capacity: k * ohow)
        let pack = usePointwise ? UnsafeMutablePointer<Float>.allocate(capacity: pointwiseScratchCount(k: k)) : nil
        defer { col?.deallocate(); pack?.deallocate() }
        for n in images {
            for grp in 0..<g.groups {
                let xg = x + (n * g.cin + grp * cig) * g.h * g.w
                if let col {
                    im2col(g, xg: xg, col: col)
                    gemm(m: cog, n: ohow, k: k, a: weight + grp * cog * k, b: col,
                         c: out + (n * g.cout + grp * cog) * ohow)
                } else if !usePointwise {
                    gemm(m: cog, n: ohow, k: k, a: weight + grp * cog * k, b: xg,
                         c: out + (n * g.cout + grp * cog) * ohow)
                } else if let pack {
                    pointwiseProduct(m: cog, k: k, hw: ohow, a: weight + grp * cog * k, rowStride: k, colStride: 1,
                                     x: xg, y: out + (n * g.cout + grp * cog) * ohow, pack: pack)
                }
            }
        }
    }
}

/// Gradients of conv2d given dy: overwrites dx (if non-nil) and dw (if non-nil). With `reluInput`
/// (see `conv2dForward`) dx is the gradient with respect to x before the relu.
public func conv2dBackward(_ g: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                           dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?,
                           dw: UnsafeMutablePointer<Float>?, reluInput: Bool = false) {
    precondition(!reluInput || g.isDepthwise, "conv2d: a relu input is fused into depthwise convs only")
    if g.isDepthwise {
        if dx != nil || dw != nil { depthwiseBackward(g, x: x, weight: weight, dy: dy, dx: dx, dw: dw, reluInput: reluInput) }
        return
    }
    if dx == nil && dw == nil { return }
    DartsCore.configureThreads()
    let ohow = g.oh * g.ow, k = g.colRows, cig = g.cinPerGroup, cog = g.coutPerGroup
    let hw = g.h * g.w, wc = g.weightCount
    let plain = g.isPlainPointwise, usePointwise = usePointwiseKernel(g)
    if usePointwise, let dw {
        for grp in 0..<g.groups {
            chainSumOfProducts(m: cog, n: cig, k: hw, terms: g.n, a: dy + grp * cog * ohow, aTermStride: g.cout * ohow,
                               b: x + grp * cig * hw, bTermStride: g.cin * hw, c: dw + grp * cog * k)
        }
        if dx == nil { return }
    }
    let slots = (dw == nil || usePointwise) ? nil : UnsafeMutablePointer<Float>.allocate(capacity: g.n * wc)
    defer { slots?.deallocate() }
    DartsCore.parallelFor(g.n) { images in
        let col = (plain || dw == nil) ? nil : UnsafeMutablePointer<Float>.allocate(capacity: k * ohow)
        let dcol = (plain || dx == nil) ? nil : UnsafeMutablePointer<Float>.allocate(capacity: k * ohow)
        let pack = (usePointwise && dx != nil) ? UnsafeMutablePointer<Float>.allocate(capacity: pointwiseScratchCount(k: cog)) : nil
        defer { col?.deallocate(); dcol?.deallocate(); pack?.deallocate() }
        for n in images {
            if let dx, !plain { (dx + n * g.cin * hw).update(repeating: 0, count: g.cin * hw) }
            for grp in 0..<g.groups {
                let xg = x + (n * g.cin + grp * cig) * hw
                let dyg = dy + (n * g.cout + grp * cog) * ohow
                let wg = weight + grp * cog * k
                if let slots {
                    let src: UnsafePointer<Float>
                    if let col { im2col(g, xg: xg, col: col); src = UnsafePointer(col) } else { src = xg }
                    gemm(transB: true, m: cog, n: k, k: ohow, a: dyg, b: src,
                         c: slots + n * wc + grp * cog * k)
                }
                if let dx {
                    let dxg = dx + (n * g.cin + grp * cig) * hw
                    if let dcol {
                        gemm(transA: true, m: k, n: ohow, k: cog, a: wg, b: dyg, c: dcol)
                        col2imAdd(g, dcol: dcol, dxg: dxg)
                    } else if let pack {
                        pointwiseProduct(m: cig, k: cog, hw: ohow, a: wg, rowStride: 1, colStride: k, x: dyg, y: dxg, pack: pack)
                    } else {
                        gemm(transA: true, m: cig, n: ohow, k: cog, a: wg, b: dyg, c: dxg)
                    }
                }
            }
        }
    }
    if let dw, let slots { sumSlots(slots, count: g.n, length: wc, into: dw) }
}

/// out[i] = Σ_{s in 0..<count} slots[s·length + i], summed in slot order (deterministic).
func sumSlots(_ slots: UnsafePointer<Float>, count: Int, length: Int, into out: UnsafeMutablePointer<Float>) {
    DartsCore.parallelFor(length, minChunk: 4096) { r in
        for i in r { out[i] = 0 }
        for s in 0..<count {
            let src = slots + s * length
            for i in r { out[i] += src[i] }
        }
    }
}

/// Plain 1×1 convs on planes up to 32×32 (every supernet shape) use the direct kernel: since it
/// packs its K × 16 column block, a paper-size step with it at 32×32 took 0.97× the time of one
/// with OpenBLAS's sgemm there (pairs ranged 0.88–1.09), without sgemm's separate pass zeroing C.
/// Larger planes keep sgemm.
@inline(__always)
func usePointwiseKernel(_ g: ConvGeometry) -> Bool { g.isPlainPointwise && g.oh * g.ow <= 1024 }
