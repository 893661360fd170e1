// im2col / col2im for one image and one group, and the valid-index helper shared by the
// direct (depthwise, pooling) loops.

/// Output indices `o` in 0..<outSize with 0 <= o*stride + offset < inSize, as a range.
@inline(__always)
func validOutputRange(outSize: Int, stride: Int, offset: Int, inSize: Int) -> Range<Int> {
    let lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride
    let last = inSize - 1 - offset
    let hi = last < 0 ? 0 : min(outSize, last / stride + 1)
    return lo < hi ? lo..<hi : lo..<lo
}

/// col ((Cin/g)·kh·kw, OH·OW) from one group's input planes xg ((Cin/g), H, W); zero padding.
func im2col(_ g: ConvGeometry, xg: UnsafePointer<Float>, col: UnsafeMutablePointer<Float>) {
    let (oh, ow, h, w, s) = (g.oh, g.ow, g.h, g.w, g.stride)
    let ohow = oh * ow
    var r = 0
    for ci in 0..<g.cinPerGroup {
        let plane = xg + ci * h * w
        for ky in 0..<g.kh {
            let yOff = ky * g.dilation - g.padding
            let ys = validOutputRange(outSize: oh, stride: s, offset: yOff, inSize: h)
            for kx in 0..<g.kw {
                let xOff = kx * g.dilation - g.padding
                let xs = validOutputRange(outSize: ow, stride: s, offset: xOff, inSize: w)
                let dst = col + r * ohow
                dst.update(repeating: 0, count: ohow)
                for oy in ys {
                    let src = plane + (oy * s + yOff) * w + xOff
                    let d = dst + oy * ow
                    if s == 1 {
                        for ox in xs { d[ox] = src[ox] }
                    } else {
                        for ox in xs { d[ox] = src[ox &* s] }
                    }
                }
                r += 1
            }
        }
    }
}

/// dxg ((Cin/g), H, W) += col2im(dcol); the adjoint of `im2col`.
func col2imAdd(_ g: ConvGeometry, dcol: UnsafePointer<Float>, dxg: UnsafeMutablePointer<Float>) {
    let (oh, ow, h, w, s) = (g.oh, g.ow, g.h, g.w, g.stride)
    let ohow = oh * ow
    var r = 0
    for ci in 0..<g.cinPerGroup {
        let plane = dxg + ci * h * w
        for ky in 0..<g.kh {
            let yOff = ky * g.dilation - g.padding
            let ys = validOutputRange(outSize: oh, stride: s, offset: yOff, inSize: h)
            for kx in 0..<g.kw {
                let xOff = kx * g.dilation - g.padding
                let xs = validOutputRange(outSize: ow, stride: s, offset: xOff, inSize: w)
                let src = dcol + r * ohow
                for oy in ys {
                    let d = plane + (oy * s + yOff) * w + xOff
                    let sr = src + oy * ow
                    if s == 1 {
                        for ox in xs { d[ox] += sr[ox] }
                    } else {
                        for ox in xs { d[ox &* s] += sr[ox] }
                    }
                }
                r += 1
            }
        }
    }
}
