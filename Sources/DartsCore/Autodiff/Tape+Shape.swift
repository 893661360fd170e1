// Shape ops: channel concat/slice (dim 1), strided spatial slice, reshape.

extension Tape {
    /// Concatenation along dim 1 (any rank ≥ 2; other dims must agree).
    public func concatChannels(_ xs: [Var]) -> Var {
        precondition(!xs.isEmpty, "concatChannels of an empty list")
        let vals = xs.map { value($0) }
        let s0 = vals[0].shape
        precondition(s0.count >= 2, "concatChannels needs rank ≥ 2, got \(s0)")
        for v in vals {
            precondition(v.rank == s0.count && v.shape[0] == s0[0] && Array(v.shape[2...]) == Array(s0[2...]),
                         "concatChannels: shape \(v.shape) does not match \(s0) outside dim 1")
        }
        let n = s0[0]
        let inner = s0[2...].reduce(1, *)
        let blocks = vals.map { $0.shape[1] * inner }
        let total = blocks.reduce(0, +)
        var outShape = s0
        outShape[1] = vals.reduce(0) { $0 + $1.shape[1] }
        let offsets = blocks.indices.map { blocks[..<$0].reduce(0, +) }
        let out = Tensor.build(outShape) { dst in
            DartsCore.parallelFor(n) { images in  // disjoint rows per image
                for (j, v) in vals.enumerated() {
                    let b = blocks[j]
                    v.withUnsafeBufferPointer { src in
                        for i in images {
                            (dst.baseAddress! + i * total + offsets[j]).update(from: src.baseAddress! + i * b, count: b)
                        }
                    }
                }
            }
        }
        let flags = xs.map { needs[$0.id] }
        let shapes = vals.map { $0.shape }
        return record(out, inputs: xs) {
            { g, s in
                g.withUnsafeBufferPointer { src in
                    var off = 0
                    for (j, x) in xs.enumerated() {
                        let b = blocks[j]
                        if flags[j] {
                            let piece = Tensor.build(shapes[j]) { dst in
                                DartsCore.parallelFor(n) { images in  // disjoint rows per image
                                    for i in images {
                                        (dst.baseAddress! + i * b).update(from: src.baseAddress! + i * total + off, count: b)
                                    }
                                }
                            }
                            s.add(x, piece)
                        }
                        off += b
                    }
                }
            }
        }
    }

    /// x[:, range] along dim 1.
    public func sliceChannels(_ x: Var, _ range: Range<Int>) -> Var {
        let vx = value(x)
        precondition(vx.rank >= 2 && range.lowerBound >= 0 && range.upperBound <= vx.shape[1],
                     "sliceChannels: \(range) out of \(vx.shape)")
        let n = vx.shape[0], c = vx.shape[1]
        let inner = vx.shape[2...].reduce(1, *)
        let b = range.count * inner, full = c * inner, off = range.lowerBound * inner
        var outShape = vx.shape
        outShape[1] = range.count
        let out = vx.withUnsafeBufferPointer { src in
            Tensor.build(outShape) { dst in
                if b == 0 { return }
                for i in 0..<n {
                    (dst.baseAddress! + i * b).update(from: src.baseAddress! + i * full + off, count: b)
                }
            }
        }
        let xShape = vx.shape
        return record(out, inputs: [x]) {
            { g, s in
                s.accumulate(x, shape: xShape) { dst in
                    g.withUnsafeBufferPointer { src in
                        for i in 0..<n {
                            for j in 0..<b { dst[i * full + off + j] += src[i * b + j] }
                        }
                    }
                }
            }
        }
    }

    /// x[:, :, rowStart::step, colStart::step] of an (N, C, H, W) node.
    public func spatialSlice(_ x: Var, rowStart: Int, colStart: Int, step: Int) -> Var {
        let vx = value(x)
        precondition(vx.rank == 4 && step > 0 && rowStart >= 0 && colStart >= 0,
                     "spatialSlice: bad arguments for shape \(vx.shape)")
        let (n, c, h, w) = (vx.shape[0], vx.shape[1], vx.shape[2], vx.shape[3])
        let oh = Swift.max(0, (h - rowStart + step - 1) / step)
        let ow = Swift.max(0, (w - colStart + step - 1) / step)
        let out = vx.withUnsafeBufferPointer { src in
            Tensor.build([n, c, oh, ow]) { dst in
                DartsCore.parallelFor(n * c, minChunk: 16) { planes in  // disjoint planes
                    for p in planes { for i in 0..<oh { for j in 0..<ow {
                        dst[(p * oh + i) * ow + j] = src[(p * h + rowStart + i * step) * w + colStart + j * step]
                    } } }
                }
            }
        }
        let xShape = vx.shape
        return record(out, inputs: [x]) {
            { g, s in
                s.accumulate(x, shape: xShape) { dst in
                    g.withUnsafeBufferPointer { src in
                        DartsCore.parallelFor(n * c, minChunk: 16) { planes in  // each element of dst once
                            for p in planes { for i in 0..<oh { for j in 0..<ow {
                                dst[(p * h + rowStart + i * step) * w + colStart + j * step] += src[(p * oh + i) * ow + j]
                            } } }
                        }
                    }
                }
            }
        }
    }

    public func reshape(_ x: Var, _ newShape: [Int]) -> Var {
        let vx = value(x)
        let xShape = vx.shape
        return record(vx.reshaped(newShape), inputs: [x]) {
            { g, s in s.add(x, g.reshaped(xShape)) }
        }
    }
}
