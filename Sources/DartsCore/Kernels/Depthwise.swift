// Depthwise conv2d (one k×k filter per channel) by direct SIMD loops, no im2col.
//
// Each input plane is first copied into a zero-padded, phase-split scratch plane (for stride s,
// s² sub-planes holding xpad[a::s, b::s]); then every tap of every stride reads a contiguous
// span of one sub-plane, so the inner loops have no bounds checks and run 8 lanes at a time
// over the output width (register accumulators across all taps). The backward input pass is a
// stride-1 correlation of the zero-dilated, padded dy plane with the flipped kernel (a gather,
// not a scatter: overlapping unaligned read-modify-writes stall store forwarding). The naive twin (ConvNaive.swift) is the
// oracle. Threads: a fixed partition over channels; every channel is computed identically
// whatever the partition, and weight gradients sum images in order, so results are
// bit-identical run to run and across thread counts. Walking one channel image by image jumps
// C·H·W floats between planes, so each next plane is prefetched while the current one is used.

import CGemm

/// Layout of the padded, phase-split scratch plane of one H×W plane under a k×k window with
/// stride s, padding p and dilation d (shared by depthwise conv and pooling).
struct PhasePlaneLayout {
    let s: Int, d: Int, p: Int, h: Int, w: Int, oh: Int, ow: Int, kh: Int, kw: Int
    /// Rows and (8-padded) columns of one phase sub-plane.
    let ph: Int, pw: Int

    init(h: Int, w: Int, oh: Int, ow: Int, kh: Int, kw: Int, stride: Int, padding: Int, dilation: Int) {
        s = stride; d = dilation; p = padding; self.h = h; self.w = w
        self.oh = oh; self.ow = ow; self.kh = kh; self.kw = kw
        let hp = h + 2 * padding, wp = w + 2 * padding
        ph = (hp + s - 1) / s
        pw = ((wp + s - 1) / s + 7) & ~7
    }

    init(_ g: ConvGeometry) {
        self.init(h: g.h, w: g.w, oh: g.oh, ow: g.ow, kh: g.kh, kw: g.kw, stride: g.stride, padding: g.padding,
                  dilation: g.dilation)
    }

    var phaseCount: Int { ph * pw }
    var count: Int { s * s * phaseCount }

    /// Offset in the scratch of padded cell (row r, column c).
    @inline(__always) func offset(_ r: Int, _ c: Int) -> Int {
        ((r % s) * s + c % s) * phaseCount + (r / s) * pw + c / s
    }

    /// Offset of tap (ky, kx) at output (0, 0): output (oy, ox) reads tapOffset + oy·pw + ox.
    @inline(__always) func tapOffset(_ ky: Int, _ kx: Int) -> Int { offset(ky * d, kx * d) }

    /// Scratch = padded (with `fill`) phase split of one H×W plane. The cells a load writes
    /// depend only on the layout, so a buffer that already holds a load of this layout with the
    /// same `fill` is `prefilled`: its padding is still `fill` and only the plane is copied.
    /// `relu` loads relu(src) (`reluForward`'s values; the padding 0 is relu's too).
    func load(_ src: UnsafePointer<Float>, into buf: UnsafeMutablePointer<Float>, fill: Float = 0,
              prefilled: Bool = false, relu: Bool = false) {
        if !prefilled { buf.update(repeating: fill, count: count) }
        if s == 1 {
            if relu {
                for r in 0..<h { reluForward(src + r * w, buf + (r + p) * pw + p, w) }
            } else {
                for r in 0..<h { copyRow(src + r * w, buf + (r + p) * pw + p, w) }
            }
            return
        }
        // Phase column j of phase b holds padded column j·s + b, i.e. source column j·s + b − p.
        for r in 0..<h {
            let row = src + r * w
            let rp = r + p
            let dstRow = buf + ((rp % s) * s) * phaseCount + (rp / s) * pw
            for b in 0..<s {
                let dst = dstRow + b * phaseCount
                let j0 = b >= p ? 0 : (p - b + s - 1) / s
                var j = j0, c = j0 * s + b - p
                if relu {
                    while c < w { dst[j] = row[c] > 0 ? row[c] : 0; j += 1; c += s }
                } else {
                    while c < w { dst[j] = row[c]; j += 1; c += s }
                }
            }
        }
    }
}

/// dst[0..<n] = src[0..<n] inline, 8 lanes at a time: rows are 8–32 floats, where a memmove
/// call per row cost more than the copy.
@inline(__always)
func copyRow(_ src: UnsafePointer<Float>, _ dst: UnsafeMutablePointer<Float>, _ n: Int) {
    var i = 0
    while i + 8 <= n { store8(load8(src + i), dst + i); i += 8 }
    while i < n { dst[i] = src[i]; i += 1 }
}

/// Tap offsets and weights of one channel, in (ky, kx) order.
@inline(__always)
func tapTable(_ l: PhasePlaneLayout, _ wp: UnsafePointer<Float>, _ offs: UnsafeMutablePointer<Int>,
              _ ws: UnsafeMutablePointer<Float>) {
    for ky in 0..<l.kh { for kx in 0..<l.kw {
        offs[ky * l.kw + kx] = l.tapOffset(ky, kx)
        ws[ky * l.kw + kx] = wp[ky * l.kw + kx]
    } }
}

/// Scratch space of one worker: the phase plane plus the tap table.
struct DepthwiseScratch {
    let plane: UnsafeMutablePointer<Float>
    let offs: UnsafeMutablePointer<Int>
    let ws: UnsafeMutablePointer<Float>
    init(_ l: PhasePlaneLayout) {
        plane = .allocate(capacity: l.count)
        offs = .allocate(capacity: l.kh * l.kw)
        ws = .allocate(capacity: l.kh * l.kw)
    }
    func free() { plane.deallocate(); offs.deallocate(); ws.deallocate() }
}

/// out[oy·ow + ox] = Σ_t ws[t] · src[offs[t] + oy·pitch + ox]: the correlation core shared by
/// the forward pass (over the phase plane) and the backward input pass (over the dilated dy plane).
/// Eight 8-lane accumulators are kept side by side (2 rows × 32 columns, 4 × 16 or 8 × 8, by
/// plane width): each tap's offset and weight are loaded once for all of them, and eight add
/// chains hide the add latency that one to four chains left exposed (3 cycles per add, two
/// adders). Every output still sums its taps in order t = 0, 1, …, so the bits are those of the
/// one-block loop, whatever the tiling. On AVX-512 the same sums run 16 lanes wide in CGemm
/// (correlate.c), the same bits.
@inline(__always)
func correlatePlane(_ src: UnsafePointer<Float>, pitch: Int, offs: UnsafePointer<Int>, ws: UnsafePointer<Float>,
                    taps: Int, out: UnsafeMutablePointer<Float>, oh: Int, ow: Int, isa: VectorISA = .current) {
    if isa == .avx512 {
        dp_correlate_plane_avx512(src, pitch, offs, ws, Int32(taps), out, Int32(oh), Int32(ow))
        return
    }
    let vecW = ow & ~7
    var oy = 0
    if vecW >= 32 {
        let tiled = vecW & ~31
        while oy + 2 <= oh {
            var ox = 0
            while ox < tiled {
                correlateTile(src + oy * pitch + ox, pitch: pitch, offs: offs, ws: ws, taps: taps,
                              out: out + oy * ow + ox, ow: ow, rows: 2, blocks: 4)
                ox += 32
            }
            correlateRow(src, pitch: pitch, offs: offs, ws: ws, taps: taps, out: out, oy: oy, ow: ow, from: ox)
            correlateRow(src, pitch: pitch, offs: offs, ws: ws, taps: taps, out: out, oy: oy + 1, ow: ow, from: ox)
            oy += 2
        }
    } else if vecW >= 8 {
        let blocks = vecW >= 16 ? 2 : 1, rows = 8 / blocks
        while oy + rows <= oh {
            correlateTile(src + oy * pitch, pitch: pitch, offs: offs, ws: ws, taps: taps,
                          out: out + oy * ow, ow: ow, rows: rows, blocks: blocks)
            for r in oy..<(oy + rows) {
                correlateRow(src, pitch: pitch, offs: offs, ws: ws, taps: taps, out: out, oy: r, ow: ow,
                             from: blocks * 8)
            }
            oy += rows
        }
    }
    while oy < oh {
        correlateRow(src, pitch: pitch, offs: offs, ws: ws, taps: taps, out: out, oy: oy, ow: ow, from: 0)
        oy += 1
    }
}

/// Eight 8-lane outputs at once: `rows` × `blocks` = 8 (2 × 4, 4 × 2 or 8 × 1), the top-left at
/// `src` (input) and `out`.
@inline(__always)
func correlateTile(_ src: UnsafePointer<Float>, pitch: Int, offs: UnsafePointer<Int>, ws: UnsafePointer<Float>,
                   taps: Int, out: UnsafeMutablePointer<Float>, ow: Int, rows: Int, blocks: Int) {
    let z = SIMD8<Float>(repeating: 0)
    var a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z
    // Accumulator i covers row i / blocks, columns 8·(i % blocks) ..< +8.
    let o1 = 1 / blocks * pitch + 1 % blocks * 8, o2 = 2 / blocks * pitch + 2 % blocks * 8
    let o3 = 3 / blocks * pitch + 3 % blocks * 8, o4 = 4 / blocks * pitch + 4 % blocks * 8
    let o5 = 5 / blocks * pitch + 5 % blocks * 8, o6 = 6 / blocks * pitch + 6 % blocks * 8
    let o7 = 7 / blocks * pitch + 7 % blocks * 8
    for t in 0..<taps {
        let wv = SIMD8<Float>(repeating: ws[t]), q = src + offs[t]
        a0 += wv * load8(q); a1 += wv * load8(q + o1); a2 += wv * load8(q + o2); a3 += wv * load8(q + o3)
        a4 += wv * load8(q + o4); a5 += wv * load8(q + o5); a6 += wv * load8(q + o6); a7 += wv * load8(q + o7)
    }
    let p1 = 1 / blocks * ow + 1 % blocks * 8, p2 = 2 / blocks * ow + 2 % blocks * 8
    let p3 = 3 / blocks * ow + 3 % blocks * 8, p4 = 4 / blocks * ow + 4 % blocks * 8
    let p5 = 5 / blocks * ow + 5 % blocks * 8, p6 = 6 / blocks * ow + 6 % blocks * 8
    let p7 = 7 / blocks * ow + 7 % blocks * 8
    store8(a0, out); store8(a1, out + p1); store8(a2, out + p2); store8(a3, out + p3)
    store8(a4, out + p4); store8(a5, out + p5); store8(a6, out + p6); store8(a7, out + p7)
}

/// Outputs ox ..< ow of row oy: 8-lane blocks, then scalars.
@inline(__always)
func correlateRow(_ src: UnsafePointer<Float>, pitch: Int, offs: UnsafePointer<Int>, ws: UnsafePointer<Float>,
                  taps: Int, out: UnsafeMutablePointer<Float>, oy: Int, ow: Int, from start: Int) {
    let vecW = ow & ~7
    let row = src + oy * pitch
    let orow = out + oy * ow
    var ox = start
    let z = SIMD8<Float>(repeating: 0)
    while ox < vecW {
        var acc = z
        for t in 0..<taps { acc += ws[t] * load8(row + offs[t] + ox) }
        store8(acc, orow + ox)
        ox += 8
    }
    while ox < ow {
        var acc: Float = 0
        for t in 0..<taps { acc += ws[t] * row[offs[t] + ox] }
        orow[ox] = acc
        ox += 1
    }
}

/// out = depthwise conv of x, or of relu(x) with `reluInput` (without a pass writing relu(x)).
func depthwiseForward(_ g: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                      out: UnsafeMutablePointer<Float>, reluInput: Bool = false) {
    let l = PhasePlaneLayout(g)
    let (oh, ow, taps, c) = (l.oh, l.ow, l.kh * l.kw, g.cin)
    DartsCore.parallelFor(c) { channels in
        let sc = DepthwiseScratch(l)
        defer { sc.free() }
        for ch in channels {
            tapTable(l, weight + ch * taps, sc.offs, sc.ws)
            for n in 0..<g.n {
                let pl = n * c + ch
                if n + 1 < g.n { dp_prefetch(x + (pl + c) * g.h * g.w, g.h * g.w) }
                l.load(x + pl * g.h * g.w, into: sc.plane, prefilled: n > 0 || ch != channels.lowerBound, relu: reluInput)
                correlatePlane(sc.plane, pitch: l.pw, offs: sc.offs, ws: sc.ws, taps: taps,
                               out: out + pl * oh * ow, oh: oh, ow: ow)
            }
        }
    }
}

/// The zero-dilated, padded dy plane of the backward input pass: U[q + oy·s][q + ox·s] = dy[oy][ox]
/// with q = d·(k−1) − p, so that dx = U correlated (stride 1) with the flipped kernel.
struct DilatedGradLayout {
    let q: Int, rows: Int, pitch: Int, s: Int, oh: Int, ow: Int
    init(h: Int, w: Int, oh: Int, ow: Int, k: Int, stride: Int, padding: Int, dilation: Int) {
        q = dilation * (k - 1) - padding
        rows = h + dilation * (k - 1)
        pitch = (w + dilation * (k - 1) + 7) & ~7
        s = stride; self.oh = oh; self.ow = ow
    }

    init(_ g: ConvGeometry) {
        precondition(g.kh == g.kw, "depthwise kernels are square")
        self.init(h: g.h, w: g.w, oh: g.oh, ow: g.ow, k: g.kh, stride: g.stride, padding: g.padding,
                  dilation: g.dilation)
    }
    var count: Int { rows * pitch }

    /// Writes dy into its cells; `prefilled`: buf already holds a load of this layout (the
    /// zeros between those cells are still there), as for `PhasePlaneLayout.load`.
    func load(_ dy: UnsafePointer<Float>, into buf: UnsafeMutablePointer<Float>, prefilled: Bool = false) {
        if !prefilled { buf.update(repeating: 0, count: count) }
        for oy in 0..<oh {
            let r = q + oy * s
            if r < 0 || r >= rows { continue }
            let src = dy + oy * ow, dst = buf + r * pitch
            if s == 1 && q >= 0 && q + ow <= pitch {
                copyRow(src, dst + q, ow)
                continue
            }
            for ox in 0..<ow {
                let c = q + ox * s
                if c >= 0 && c < pitch { dst[c] = src[ox] }
            }
        }
    }
}

/// Both gradients of a depthwise conv in one pass over each channel; dx, dw overwritten if non-nil.
/// With `reluInput` the conv's input is relu(x): dw correlates with relu(x) and dx is the gradient
/// with respect to x itself (masked where x ≤ 0, as `reluBackward` masks), while each plane is hot.
func depthwiseBackward(_ g: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                       dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>?, dw: UnsafeMutablePointer<Float>?,
                       reluInput: Bool = false) {
    let c = g.cin, planeIn = g.h * g.w, planeOut = g.oh * g.ow
    DartsCore.parallelFor(c) { channels in
        let sc = DepthwiseBackwardScratch(g, channels: channels.count)
        defer { sc.free() }
        for ch in channels {
            sc.prepare(channel: ch - channels.lowerBound, weight: weight + ch * sc.taps)
            let totals = sc.totals(ch - channels.lowerBound)
            for n in 0..<g.n {
                let pl = n * c + ch
                if n + 1 < g.n {
                    dp_prefetch(dy + (pl + c) * planeOut, planeOut)
                    if dw != nil || reluInput { dp_prefetch(x + (pl + c) * planeIn, planeIn) }
                }
                sc.planeBackward(channel: ch - channels.lowerBound, x: x + pl * planeIn, dy: dy + pl * planeOut,
                                 dx: dx.map { $0 + pl * planeIn }, totals: dw == nil ? nil : totals, reluInput: reluInput)
            }
            if let dw { for t in 0..<sc.taps { dw[ch * sc.taps + t] = Float(totals[t]) } }
        }
    }
}

/// One worker's scratch for the backward pass of a depthwise conv over a range of its channels:
/// the phase plane and tap offsets, the dilated dy plane, each channel's flipped kernel and its
/// weight gradient's per-tap totals (Double, summed image by image in order).
struct DepthwiseBackwardScratch {
    let l: PhasePlaneLayout, u: DilatedGradLayout, taps: Int
    let sc: DepthwiseScratch
    let ubuf: UnsafeMutablePointer<Float>
    let flipOffs: UnsafeMutablePointer<Int>
    let flipWs: UnsafeMutablePointer<Float>
    let ws: UnsafeMutablePointer<Float>
    let sums: UnsafeMutablePointer<Double>
    /// Whether sc.plane and ubuf hold a load of their layout (their padding is still in place).
    private let loaded: UnsafeMutablePointer<Bool>

    init(_ g: ConvGeometry, channels: Int) {
        l = PhasePlaneLayout(g); u = DilatedGradLayout(g); taps = g.kh * g.kw
        sc = DepthwiseScratch(l)
        ubuf = .allocate(capacity: u.count)
        flipOffs = .allocate(capacity: taps)
        flipWs = .allocate(capacity: channels * taps)
        ws = .allocate(capacity: channels * taps)
        sums = .allocate(capacity: channels * taps)
        loaded = .allocate(capacity: 2)
        loaded.initialize(repeating: false, count: 2)
        let (kh, kw, d) = (l.kh, l.kw, l.d)
        for ky in 0..<kh { for kx in 0..<kw {
            sc.offs[ky * kw + kx] = l.tapOffset(ky, kx)
            flipOffs[ky * kw + kx] = ky * d * u.pitch + kx * d
        } }
    }

    func free() {
        sc.free(); ubuf.deallocate(); flipOffs.deallocate(); flipWs.deallocate(); ws.deallocate(); sums.deallocate()
        loaded.deallocate()
    }

    /// Weights of local channel `i` (its kernel at `weight`), as they are and flipped; its totals zeroed.
    func prepare(channel i: Int, weight: UnsafePointer<Float>) {
        let (kh, kw) = (l.kh, l.kw)
        for ky in 0..<kh { for kx in 0..<kw {
            ws[i * taps + ky * kw + kx] = weight[ky * kw + kx]
            flipWs[i * taps + ky * kw + kx] = weight[(kh - 1 - ky) * kw + (kw - 1 - kx)]
        } }
        totals(i).update(repeating: 0, count: taps)
    }

    func totals(_ i: Int) -> UnsafeMutablePointer<Double> { sums + i * taps }

    /// Loads x's plane (relu'd with `relu`) into the phase plane.
    func loadPlane(_ x: UnsafePointer<Float>, relu: Bool) {
        l.load(x, into: sc.plane, prefilled: loaded[0], relu: relu)
        loaded[0] = true
    }

    /// The forward pass of one plane of local channel `i`, as `depthwiseForward` computes it:
    /// out (OH × OW) = x's plane (relu'd with `relu`) correlated with the channel's kernel.
    func planeForward(channel i: Int, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>, relu: Bool) {
        loadPlane(x, relu: relu)
        correlatePlane(sc.plane, pitch: l.pw, offs: sc.offs, ws: ws + i * taps, taps: taps, out: out, oh: l.oh, ow: l.ow)
    }

    /// One plane of one image of local channel `i`: totals[t] += Σ dy · x shifted by tap t (8-lane
    /// partial sums, then Double) if `totals`, and dx = dy correlated with the flipped kernel if `dx`
    /// (masked by x > 0 with `reluInput`). The tap offsets in sc.offs are every channel's.
    /// `planeLoaded`: the phase plane already holds x's plane (`planeForward` of it just ran).
    func planeBackward(channel i: Int, x: UnsafePointer<Float>, dy dyp: UnsafePointer<Float>,
                       dx: UnsafeMutablePointer<Float>?, totals: UnsafeMutablePointer<Double>?, reluInput: Bool,
                       planeLoaded: Bool = false) {
        let (oh, ow, kh, kw) = (l.oh, l.ow, l.kh, l.kw)
        if let totals {
            if !planeLoaded { loadPlane(x, relu: reluInput) }
            if kw == 3 || kw == 5 {
                // Two kernel rows at a time (their taps are adjacent in the table): each dy
                // chunk is loaded once for 2·kw taps, in 2·kw independent add chains.
                var ky = 0
                while ky + 2 <= kh {
                    tapPairRowDots(UnsafePointer(sc.plane), pitch: l.pw, offs: sc.offs + ky * kw, kw: kw,
                                   dy: dyp, oh: oh, ow: ow, totals: totals + ky * kw)
                    ky += 2
                }
                if ky < kh {
                    tapRowDots(UnsafePointer(sc.plane), pitch: l.pw, offs: sc.offs + ky * kw, kw: kw,
                               dy: dyp, oh: oh, ow: ow, totals: totals + ky * kw)
                }
            } else {
                let vecW = ow & ~7
                for t in 0..<taps {
                    let src = UnsafePointer(sc.plane) + sc.offs[t]
                    var acc = SIMD8<Float>(repeating: 0)
                    var tail: Float = 0
                    for oy in 0..<oh {
                        let xrow = src + oy * l.pw, drow = dyp + oy * ow
                        var ox = 0
                        while ox < vecW { acc += load8(drow + ox) * load8(xrow + ox); ox += 8 }
                        while ox < ow { tail += drow[ox] * xrow[ox]; ox += 1 }
                    }
                    totals[t] += Double(acc.sum() + tail)
                }
            }
        }
        if let dx {
            u.load(dyp, into: ubuf, prefilled: loaded[1])
            loaded[1] = true
            correlatePlane(ubuf, pitch: u.pitch, offs: flipOffs, ws: flipWs + i * taps, taps: taps,
                           out: dx, oh: l.h, ow: l.w)
            if reluInput { reluBackward(dx, dx, x, l.h * l.w, accumulate: false) }
        }
    }
}

/// totals[kx] += Σ_{oy,ox} dy[oy][ox] · src[offs[kx] + oy·pitch + ox] for kw = 3 or 5 taps of one
/// kernel row, with the same per-tap summation order as the one-tap-at-a-time loop (8 lanes over
/// rows, a scalar tail, lanes summed then added in Double), so results are the same bits.
@inline(__always)
func tapRowDots(_ src: UnsafePointer<Float>, pitch: Int, offs: UnsafePointer<Int>, kw: Int,
                dy: UnsafePointer<Float>, oh: Int, ow: Int, totals: UnsafeMutablePointer<Double>) {
    let vecW = ow & ~7
    let z = SIMD8<Float>(repeating: 0)
    var a0 = z, a1 = z, a2 = z, a3 = z, a4 = z
    var t0: Float = 0, t1: Float = 0, t2: Float = 0, t3: Float = 0, t4: Float = 0
    let o0 = offs[0], o1 = offs[1], o2 = offs[2]
    let o3 = kw == 5 ? offs[3] : 0, o4 = kw == 5 ? offs[4] : 0
    for oy in 0..<oh {
        let row = src + oy * pitch, drow = dy + oy * ow
        var ox = 0
        if kw == 5 {
            while ox < vecW {
                let dv = load8(drow + ox), r = row + ox
                a0 += dv * load8(r + o0); a1 += dv * load8(r + o1); a2 += dv * load8(r + o2)
                a3 += dv * load8(r + o3); a4 += dv * load8(r + o4)
                ox += 8
            }
            while ox < ow {
                let d = drow[ox], r = row + ox
                t0 += d * r[o0]; t1 += d * r[o1]; t2 += d * r[o2]; t3 += d * r[o3]; t4 += d * r[o4]
                ox += 1
            }
        } else {
            while ox < vecW {
                let dv = load8(drow + ox), r = row + ox
                a0 += dv * load8(r + o0); a1 += dv * load8(r + o1); a2 += dv * load8(r + o2)
                ox += 8
            }
            while ox < ow {
                let d = drow[ox], r = row + ox
                t0 += d * r[o0]; t1 += d * r[o1]; t2 += d * r[o2]
                ox += 1
            }
        }
    }
    totals[0] += Double(a0.sum() + t0)
    totals[1] += Double(a1.sum() + t1)
    totals[2] += Double(a2.sum() + t2)
    if kw == 5 {
        totals[3] += Double(a3.sum() + t3)
        totals[4] += Double(a4.sum() + t4)
    }
}

/// `tapRowDots` for two adjacent kernel rows (2·kw = 6 or 10 taps, offsets and totals
/// contiguous), each tap with its own accumulators and the same summation order, so the bits
/// equal two `tapRowDots` calls.
@inline(__always)
func tapPairRowDots(_ src: UnsafePointer<Float>, pitch: Int, offs: UnsafePointer<Int>, kw: Int,
                    dy: UnsafePointer<Float>, oh: Int, ow: Int, totals: UnsafeMutablePointer<Double>) {
    if kw == 3 {
        tapDots6(src, pitch: pitch, offs: offs, dy: dy, oh: oh, ow: ow, totals: totals)
        return
    }
    let vecW = ow & ~7
    let z = SIMD8<Float>(repeating: 0)
    var a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z, a6 = z, a7 = z, a8 = z, a9 = z
    var t0: Float = 0, t1: Float = 0, t2: Float = 0, t3: Float = 0, t4: Float = 0
    var t5: Float = 0, t6: Float = 0, t7: Float = 0, t8: Float = 0, t9: Float = 0
    let o0 = offs[0], o1 = offs[1], o2 = offs[2], o3 = offs[3], o4 = offs[4]
    let o5 = offs[5], o6 = offs[6], o7 = offs[7], o8 = offs[8], o9 = offs[9]
    for oy in 0..<oh {
        let row = src + oy * pitch, drow = dy + oy * ow
        var ox = 0
        while ox < vecW {
            let dv = load8(drow + ox), r = row + ox
            a0 += dv * load8(r + o0); a1 += dv * load8(r + o1); a2 += dv * load8(r + o2)
            a3 += dv * load8(r + o3); a4 += dv * load8(r + o4); a5 += dv * load8(r + o5)
            a6 += dv * load8(r + o6); a7 += dv * load8(r + o7); a8 += dv * load8(r + o8)
            a9 += dv * load8(r + o9)
            ox += 8
        }
        while ox < ow {
            let d = drow[ox], r = row + ox
            t0 += d * r[o0]; t1 += d * r[o1]; t2 += d * r[o2]; t3 += d * r[o3]; t4 += d * r[o4]
            t5 += d * r[o5]; t6 += d * r[o6]; t7 += d * r[o7]; t8 += d * r[o8]; t9 += d * r[o9]
            ox += 1
        }
    }
    totals[0] += Double(a0.sum() + t0); totals[1] += Double(a1.sum() + t1); totals[2] += Double(a2.sum() + t2)
    totals[3] += Double(a3.sum() + t3); totals[4] += Double(a4.sum() + t4); totals[5] += Double(a5.sum() + t5)
    totals[6] += Double(a6.sum() + t6); totals[7] += Double(a7.sum() + t7); totals[8] += Double(a8.sum() + t8)
    totals[9] += Double(a9.sum() + t9)
}

/// The 3×3 case of `tapPairRowDots`: six taps.
@inline(__always)
func tapDots6(_ src: UnsafePointer<Float>, pitch: Int, offs: UnsafePointer<Int>,
              dy: UnsafePointer<Float>, oh: Int, ow: Int, totals: UnsafeMutablePointer<Double>) {
    let vecW = ow & ~7
    let z = SIMD8<Float>(repeating: 0)
    var a0 = z, a1 = z, a2 = z, a3 = z, a4 = z, a5 = z
    var t0: Float = 0, t1: Float = 0, t2: Float = 0, t3: Float = 0, t4: Float = 0, t5: Float = 0
    let o0 = offs[0], o1 = offs[1], o2 = offs[2], o3 = offs[3], o4 = offs[4], o5 = offs[5]
    for oy in 0..<oh {
        let row = src + oy * pitch, drow = dy + oy * ow
        var ox = 0
        while ox < vecW {
            let dv = load8(drow + ox), r = row + ox
            a0 += dv * load8(r + o0); a1 += dv * load8(r + o1); a2 += dv * load8(r + o2)
            a3 += dv * load8(r + o3); a4 += dv * load8(r + o4); a5 += dv * load8(r + o5)
            ox += 8
        }
        while ox < ow {
            let d = drow[ox], r = row + ox
            t0 += d * r[o0]; t1 += d * r[o1]; t2 += d * r[o2]; t3 += d * r[o3]; t4 += d * r[o4]; t5 += d * r[o5]
            ox += 1
        }
    }
    totals[0] += Double(a0.sum() + t0); totals[1] += Double(a1.sum() + t1); totals[2] += Double(a2.sum() + t2)
    totals[3] += Double(a3.sum() + t3); totals[4] += Double(a4.sum() + t4); totals[5] += Double(a5.sum() + t5)
}
