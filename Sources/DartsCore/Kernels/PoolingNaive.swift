// Naive pooling (max and average, forward and backward): the test oracles of Pooling.swift,
// plane by plane with clipped windows, single-threaded.

/// out = max pool of x; argmax[i] = index within its plane of the winning input cell.
public func maxPoolForwardNaive(_ g: PoolGeometry, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>,
                                argmax: UnsafeMutablePointer<Int32>) {
    let (oh, ow, h, w) = (g.oh, g.ow, g.h, g.w)
    do {
        for p in 0..<g.planes {
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
public func maxPoolBackwardNaive(_ g: PoolGeometry, dy: UnsafePointer<Float>, argmax: UnsafePointer<Int32>,
                                 dx: UnsafeMutablePointer<Float>) {
    let (ohow, hw) = (g.oh * g.ow, g.h * g.w)
    do {
        for p in 0..<g.planes {
            let d = dx + p * hw
            d.update(repeating: 0, count: hw)
            for o in 0..<ohow { d[Int(argmax[p * ohow + o])] += dy[p * ohow + o] }
        }
    }
}

/// out = average over the in-bounds cells of each window.
public func avgPoolForwardNaive(_ g: PoolGeometry, x: UnsafePointer<Float>, out: UnsafeMutablePointer<Float>) {
    let (oh, ow, h, w) = (g.oh, g.ow, g.h, g.w)
    do {
        for p in 0..<g.planes {
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
public func avgPoolBackwardNaive(_ g: PoolGeometry, dy: UnsafePointer<Float>, dx: UnsafeMutablePointer<Float>) {
    let (oh, ow, h, w) = (g.oh, g.ow, g.h, g.w)
    do {
        for p in 0..<g.planes {
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
