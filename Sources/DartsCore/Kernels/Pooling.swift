// 2-D max and average pooling (square kernel, PyTorch floor output sizes), forward and
// backward. Max: padded cells never win. Average: padded cells are not counted
// (count_include_pad = false). Each plane is copied into a padded phase-split scratch
// (Depthwise.swift) so every window tap is a contiguous 8-lane read; average-pool backward is
// the same gather as the depthwise backward input. Parallel over (image, channel) planes; the
// naive twins in PoolingNaive.swift are the oracles.

/// Sizes of one pooling call on (N, C, H, W).
public struct PoolGeometry: Equatable, Sendable {
    public var planes: Int, h: Int, w: Int, kernel: Int, stride: Int, padding: Int
    public init(planes: Int, h: Int, w: Int, kernel: Int, stride: Int, padding: Int) {
        precondition(kernel > 0 && stride > 0 && padding >= 0 && padding <= kernel / 2,
                     "pooling: kernel \(kernel), stride \(stride), padding \(padding) not allowed")
        self.planes = planes; self.h = h; self.w = w
        self.kernel = kernel; self.stride = stride; self.padding = padding
        precondition(oh > 0 && ow > 0, "pooling: input \(h)x\(w) too small for kernel \(kernel)")
    }
    public var oh: Int { (h + 2 * padding - kernel) / stride + 1 }
    public var ow: Int { (w + 2 * padding - kernel) / stride + 1 }
    /// Clipped window rows (or columns) of output index o.
    @inline(__always) func window(_ o: Int, _ size: Int) -> Range<Int> {
        let start = o * stride - padding
        return Swift.max(0, start)..<Swift.min(size, start + kernel)
    }
}

extension PoolGeometry {
    var phaseLayout: PhasePlaneLayout {
        PhasePlaneLayout(h: h, w: w, oh: oh, ow: ow, kh: kernel, kw: kernel, stride: stride, padding: padding,
                         dilation: 1)
    }
}

/// out = max pool of x; argmax[i] = index within its plane of the winning input cell (the first
/// maximum in window scan order, or a NaN, as PyTorch).
public func maxPoolForward(_ g: PoolGeometry, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                           argmax: UnsafeMutablePointer<Int32>) {
    let l = g.phaseLayout
    let (oh, ow, h, w, k, s, p) = (g.oh, g.ow, g.h, g.w, g.kernel, g.stride, g.padding)
    let taps = k * k
    let vecW = ow & ~7
    let lane = SIMD8<Int32>(0, 1, 2, 3, 4, 5, 6, 7) &* Int32(s)
    /// A window of −∞ only: the winner is its first in-bounds cell (padding never wins).
    func firstCell(_ oy: Int, _ ox: Int) -> Int32 {
        Int32(g.window(oy, h).lowerBound * w + g.window(ox, w).lowerBound)
    }
    DartsCore.parallelFor(g.planes) { planes in
        let buf = UnsafeMutablePointer<Float>.allocate(capacity: l.count)
        defer { buf.deallocate() }
        var offs = [Int](repeating: 0, count: taps), deltas = [Int32](repeating: 0, count: taps)
        for ky in 0..<k { for kx in 0..<k {
            offs[ky * k + kx] = l.tapOffset(ky, kx)
            deltas[ky * k + kx] = Int32(ky * w + kx)
        } }
        for pl in planes {
            l.load(x + pl * h * w, into: buf, fill: -.infinity, prefilled: pl != planes.lowerBound)
            let op = out + pl * oh * ow, ap = argmax + pl * oh * ow
            for oy in 0..<oh {
                let row = buf + oy * l.pw
                let base = (oy * s - p) * w - p
                var ox = 0
                while ox < vecW {
                    var best = SIMD8<Float>(repeating: -.infinity)
                    var at = SIMD8<Int32>(repeating: deltas[0])
                    for t in 0..<taps {
                        let v = load8(row + offs[t] + ox)
                        let win = (v .> best) .| (v .!= v)
                        best.replace(with: v, where: win)
                        at.replace(with: deltas[t], where: win)
                    }
                    store8(best, op + oy * ow + ox)
                    let idx = at &+ lane &+ Int32(base + ox * s)
                    UnsafeMutableRawPointer(ap + oy * ow + ox).storeBytes(of: idx, as: SIMD8<Int32>.self)
                    if any(best .== -.infinity) {
                        for j in 0..<8 where best[j] == -.infinity { ap[oy * ow + ox + j] = firstCell(oy, ox + j) }
                    }
                    ox += 8
                }
                while ox < ow {
                    var best = -Float.infinity
                    var at = deltas[0]
                    for t in 0..<taps {
                        let v = row[offs[t] + ox]
                        if v > best || v.isNaN { best = v; at = deltas[t] }
                    }
                    op[oy * ow + ox] = best
                    ap[oy * ow + ox] = best == -.infinity ? firstCell(oy, ox) : at + Int32(base + ox * s)
                    ox += 1
                }
            }
        }
    }
}

/// dx = scatter-add of dy to the winners; overwrites dx.
public func maxPoolBackward(_ g: PoolGeometry, dy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>,
                            dx: UnsafeMutablePointer<Float>) {
    let (ohow, hw) = (g.oh * g.ow, g.h * g.w)
    DartsCore.parallelFor(g.planes) { planes in
        for p in planes {
            let d = dx + p * hw
            d.update(repeating: 0, count: hw)
            for o in 0..<ohow { d[Int(argmax[p * ohow + o])] += dy[p * ohow + o] }
        }
    }
}

/// 1 / (number of in-bounds cells) of every output window (count_include_pad = false).
func avgPoolInverseCounts(_ g: PoolGeometry) -> [Float] {
    var inv = [Float](repeating: 0, count: g.oh * g.ow)
    for oy in 0..<g.oh { for ox in 0..<g.ow {
        inv[oy * g.ow + ox] = 1 / Float(g.window(oy, g.h).count * g.window(ox, g.w).count)
    } }
    return inv
}

/// out = average over the in-bounds cells of each window.
public func avgPoolForward(_ g: PoolGeometry, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
    let l = g.phaseLayout
    let (oh, ow, h, w, k) = (g.oh, g.ow, g.h, g.w, g.kernel)
    let taps = k * k
    let inv = avgPoolInverseCounts(g)
    DartsCore.parallelFor(g.planes) { planes in
        let buf = UnsafeMutablePointer<Float>.allocate(capacity: l.count)
        let offs = UnsafeMutablePointer<Int>.allocate(capacity: taps)
        let ones = UnsafeMutablePointer<Float>.allocate(capacity: taps)
        defer { buf.deallocate(); offs.deallocate(); ones.deallocate() }
        for ky in 0..<k { for kx in 0..<k { offs[ky * k + kx] = l.tapOffset(ky, kx) } }
        ones.update(repeating: 1, count: taps)
        inv.withUnsafeBufferPointer { iv in
            for pl in planes {
                l.load(x + pl * h * w, into: buf, prefilled: pl != planes.lowerBound)
                let op = out + pl * oh * ow
                correlatePlane(buf, pitch: l.pw, offs: offs, ws: ones, taps: taps, out: op, oh: oh, ow: ow)
                for i in 0..<(oh * ow) { op[i] *= iv[i] }
            }
        }
    }
}

/// dx of average pooling; overwrites dx.
public func avgPoolBackward(_ g: PoolGeometry, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
    let u = DilatedGradLayout(h: g.h, w: g.w, oh: g.oh, ow: g.ow, k: g.kernel, stride: g.stride,
                              padding: g.padding, dilation: 1)
    let (oh, ow, h, w, k) = (g.oh, g.ow, g.h, g.w, g.kernel)
    let taps = k * k
    let inv = avgPoolInverseCounts(g)
    DartsCore.parallelFor(g.planes) { planes in
        let buf = UnsafeMutablePointer<Float>.allocate(capacity: u.count)
        let scaled = UnsafeMutablePointer<Float>.allocate(capacity: oh * ow)
        let offs = UnsafeMutablePointer<Int>.allocate(capacity: taps)
        let ones = UnsafeMutablePointer<Float>.allocate(capacity: taps)
        defer { buf.deallocate(); scaled.deallocate(); offs.deallocate(); ones.deallocate() }
        for ky in 0..<k { for kx in 0..<k { offs[ky * k + kx] = ky * u.pitch + kx } }
        ones.update(repeating: 1, count: taps)
        inv.withUnsafeBufferPointer { iv in
            for pl in planes {
                let d = dy + pl * oh * ow
                for i in 0..<(oh * ow) { scaled[i] = d[i] * iv[i] }
                u.load(scaled, into: buf, prefilled: pl != planes.lowerBound)
                correlatePlane(buf, pitch: u.pitch, offs: offs, ws: ones, taps: taps, out: dx + pl * h * w,
                               oh: h, ow: w)
            }
        }
    }
}
