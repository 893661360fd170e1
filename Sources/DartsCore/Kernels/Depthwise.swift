// Depthwise conv2d (one k×k filter per channel) by direct loops over kernel taps: for each tap
// the valid output span of a row is computed once, so the inner loop has no bounds checks.
// Forward and backward-input run in parallel over (image, channel) planes; backward-weight in
// parallel over channels with images summed in order.

func depthwiseForward(_ g: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                      out: UnsafeMutablePointer<Float>) {
    let (oh, ow, h, w, s, kh, kw) = (g.oh, g.ow, g.h, g.w, g.stride, g.kh, g.kw)
    DartsCore.parallelFor(g.n * g.cin) { planes in
        for p in planes {
            let c = p % g.cin
            let xp = x + p * h * w, op = out + p * oh * ow, wp = weight + c * kh * kw
            op.update(repeating: 0, count: oh * ow)
            for ky in 0..<kh {
                let yOff = ky * g.dilation - g.padding
                for oy in validOutputRange(outSize: oh, stride: s, offset: yOff, inSize: h) {
                    let orow = op + oy * ow
                    for kx in 0..<kw {
                        let xOff = kx * g.dilation - g.padding
                        let xrow = xp + (oy * s + yOff) * w + xOff
                        let wv = wp[ky * kw + kx]
                        let xs = validOutputRange(outSize: ow, stride: s, offset: xOff, inSize: w)
                        if s == 1 {
                            for ox in xs { orow[ox] += wv * xrow[ox] }
                        } else {
                            for ox in xs { orow[ox] += wv * xrow[ox &* s] }
                        }
                    }
                }
            }
        }
    }
}

func depthwiseBackwardInput(_ g: ConvGeometry, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                            dx: UnsafeMutablePointer<Float>) {
    let (oh, ow, h, w, s, kh, kw) = (g.oh, g.ow, g.h, g.w, g.stride, g.kh, g.kw)
    DartsCore.parallelFor(g.n * g.cin) { planes in
        for p in planes {
            let c = p % g.cin
            let dxp = dx + p * h * w, dyp = dy + p * oh * ow, wp = weight + c * kh * kw
            dxp.update(repeating: 0, count: h * w)
            for ky in 0..<kh {
                let yOff = ky * g.dilation - g.padding
                for oy in validOutputRange(outSize: oh, stride: s, offset: yOff, inSize: h) {
                    let dyrow = dyp + oy * ow
                    for kx in 0..<kw {
                        let xOff = kx * g.dilation - g.padding
                        let dxrow = dxp + (oy * s + yOff) * w + xOff
                        let wv = wp[ky * kw + kx]
                        let xs = validOutputRange(outSize: ow, stride: s, offset: xOff, inSize: w)
                        if s == 1 {
                            for ox in xs { dxrow[ox] += wv * dyrow[ox] }
                        } else {
                            for ox in xs { dxrow[ox &* s] += wv * dyrow[ox] }
                        }
                    }
                }
            }
        }
    }
}

func depthwiseBackwardWeight(_ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                             dw: UnsafeMutablePointer<Float>) {
    let (oh, ow, h, w, s, kh, kw) = (g.oh, g.ow, g.h, g.w, g.stride, g.kh, g.kw)
    DartsCore.parallelFor(g.cin) { channels in
        for c in channels {
            for ky in 0..<kh {
                let yOff = ky * g.dilation - g.padding
                let ys = validOutputRange(outSize: oh, stride: s, offset: yOff, inSize: h)
                for kx in 0..<kw {
                    let xOff = kx * g.dilation - g.padding
                    let xs = validOutputRange(outSize: ow, stride: s, offset: xOff, inSize: w)
                    var total: Double = 0
                    for n in 0..<g.n {
                        let p = n * g.cin + c
                        let xp = x + p * h * w, dyp = dy + p * oh * ow
                        var acc: Float = 0
                        for oy in ys {
                            let xrow = xp + (oy * s + yOff) * w + xOff
                            let dyrow = dyp + oy * ow
                            if s == 1 {
                                for ox in xs { acc += dyrow[ox] * xrow[ox] }
                            } else {
                                for ox in xs { acc += dyrow[ox] * xrow[ox &* s] }
                            }
                        }
                        total += Double(acc)
                    }
                    dw[(c * kh + ky) * kw + kx] = Float(total)
                }
            }
        }
    }
}
