// Naive direct convolution (forward, backward-input, backward-weight): the test oracle for
// the fast kernels in Conv2D.swift. Accumulates in Double; no threads, no BLAS.

/// out (N, Cout, OH, OW) = conv(x, weight).
public func conv2dForwardNaive(_ g: ConvGeometry, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                               out: UnsafeMutablePointer<Float>) {
    let (oh, ow, cig, cog) = (g.oh, g.ow, g.cinPerGroup, g.coutPerGroup)
    for n in 0..<g.n { for co in 0..<g.cout {
        let grp = co / cog
        for oy in 0..<oh { for ox in 0..<ow {
            var s = 0.0
            for ci in 0..<cig { for ky in 0..<g.kh { for kx in 0..<g.kw {
                let iy = oy * g.stride - g.padding + ky * g.dilation
                let ix = ox * g.stride - g.padding + kx * g.dilation
                if iy < 0 || iy >= g.h || ix < 0 || ix >= g.w { continue }
                let c = grp * cig + ci
                s += Double(x[((n * g.cin + c) * g.h + iy) * g.w + ix])
                    * Double(weight[((co * cig + ci) * g.kh + ky) * g.kw + kx])
            } } }
            out[((n * g.cout + co) * oh + oy) * ow + ox] = Float(s)
        } }
    } }
}

/// dx (N, Cin, H, W) = d loss / d x given dy; overwrites dx.
public func conv2dBackwardInputNaive(_ g: ConvGeometry, dy: UnsafePointer<Float>, weight: UnsafePointer<Float>,
                                     dx: UnsafeMutablePointer<Float>) {
    var acc = [Double](repeating: 0, count: g.inputCount)
    let (oh, ow, cig, cog) = (g.oh, g.ow, g.cinPerGroup, g.coutPerGroup)
    for n in 0..<g.n { for co in 0..<g.cout {
        let grp = co / cog
        for oy in 0..<oh { for ox in 0..<ow {
            let d = Double(dy[((n * g.cout + co) * oh + oy) * ow + ox])
            for ci in 0..<cig { for ky in 0..<g.kh { for kx in 0..<g.kw {
                let iy = oy * g.stride - g.padding + ky * g.dilation
                let ix = ox * g.stride - g.padding + kx * g.dilation
                if iy < 0 || iy >= g.h || ix < 0 || ix >= g.w { continue }
                let c = grp * cig + ci
                acc[((n * g.cin + c) * g.h + iy) * g.w + ix] +=
                    d * Double(weight[((co * cig + ci) * g.kh + ky) * g.kw + kx])
            } } }
        } }
    } }
    for i in 0..<acc.count { dx[i] = Float(acc[i]) }
}

/// dw (Cout, Cin/g, kh, kw) = d loss / d weight given dy; overwrites dw.
public func conv2dBackwardWeightNaive(_ g: ConvGeometry, x: UnsafePointer<Float>, dy: UnsafePointer<Float>,
                                      dw: UnsafeMutablePointer<Float>) {
    let (oh, ow, cig, cog) = (g.oh, g.ow, g.cinPerGroup, g.coutPerGroup)
    for co in 0..<g.cout {
        let grp = co / cog
        for ci in 0..<cig { for ky in 0..<g.kh { for kx in 0..<g.kw {
            var s = 0.0
            for n in 0..<g.n { for oy in 0..<oh { for ox in 0..<ow {
                let iy = oy * g.stride - g.padding + ky * g.dilation
                let ix = ox * g.stride - g.padding + kx * g.dilation
                if iy < 0 || iy >= g.h || ix < 0 || ix >= g.w { continue }
                let c = grp * cig + ci
                s += Double(x[((n * g.cin + c) * g.h + iy) * g.w + ix])
                    * Double(dy[((n * g.cout + co) * oh + oy) * ow + ox])
            } } }
            dw[((co * cig + ci) * g.kh + ky) * g.kw + kx] = Float(s)
        } } }
    }
}
