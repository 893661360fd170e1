// 2-D max and average pooling (square kernel, PyTorch floor output sizes), forward and
// backward. Max: padded cells never win. Average: padded cells are not counted
// (count_include_pad = false). Parallel over (image, channel) planes.

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

/// out = max pool of x; argmax[i] = index within its plane of the winning input cell.
public func maxPoolForward(_ g: PoolGeometry, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                           argmax: UnsafeMutablePointer<Int32>) {
    let (oh, ow, h, w) = (g.oh, g.ow, g.h, g.w)
    DartsCore.parallelFor(g.planes) { planes in
        for p in planes {
            let xp = x + p * h * w
            for oy in 0..<oh {
                let ys = g.window(oy, h)
                for ox in 0..<ow {
                    let xs = g.window(ox, w)
                    var best = -Float.infinity
                    var at = ys.lowerBound * w + xs.lowerBound
                    for iy in ys { for ix in xs {
                        let v = xp[iy * w + ix]
                        if v > best || v.isNaN { best = v; at = iy * w + ix }
                    } }
                    let o = (p * oh + oy) * ow + ox
                    out[o] = best
                    argmax[o] = Int32(at)
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

/// out = average over the in-bounds cells of each window.
public func avgPoolForward(_ g: PoolGeometry, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
    let (oh, ow, h, w) = (g.oh, g.ow, g.h, g.w)
    DartsCore.parallelFor(g.planes) { planes in
        for p in planes {
            let xp = x + p * h * w
            for oy in 0..<oh {
                let ys = g.window(oy, h)
                for ox in 0..<ow {
                    let xs = g.window(ox, w)
                    var s: Float = 0
                    for iy in ys { for ix in xs { s += xp[iy * w + ix] } }
                    out[(p * oh + oy) * ow + ox] = s / Float(ys.count * xs.count)
                }
            }
        }
    }
}

/// dx of average pooling; overwrites dx.
public func avgPoolBackward(_ g: PoolGeometry, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
    let (oh, ow, h, w) = (g.oh, g.ow, g.h, g.w)
    DartsCore.parallelFor(g.planes) { planes in
        for p in planes {
            let d = dx + p * h * w
            d.update(repeating: 0, count: h * w)
            for oy in 0..<oh {
                let ys = g.window(oy, h)
                for ox in 0..<ow {
                    let xs = g.window(ox, w)
                    let v = dy[(p * oh + oy) * ow + ox] / Float(ys.count * xs.count)
                    for iy in ys { for ix in xs { d[iy * w + ix] += v } }
                }
            }
        }
    }
}
