// First-axis ops for sequences laid out as (T·B, D) rows: stacking and slicing row blocks, and
// locked dropout (one mask per sequence and feature, repeated over the time steps).

extension Tape {
    /// Concatenation along dim 0 (the other dims must agree), e.g. (B, H) states → (n·B, H).
    public func concatRows(_ xs: [Var]) -> Var {
        precondition(!xs.isEmpty, "concatRows of an empty list")
        let vals = xs.map { value($0) }
        let inner = Array(vals[0].shape.dropFirst())
        for v in vals {
            precondition(v.rank >= 1 && Array(v.shape.dropFirst()) == inner,
                         "concatRows: shape \(v.shape) does not match \(vals[0].shape) outside dim 0")
        }
        let counts = vals.map(\.count)
        let out = Tensor.build([vals.reduce(0) { $0 + $1.shape[0] }] + inner) { dst in
            var off = 0
            for v in vals {
                v.withUnsafeBufferPointer { src in
                    if let s = src.baseAddress { (dst.baseAddress! + off).update(from: s, count: src.count) }
                }
                off += v.count
            }
        }
        let flags = xs.map { needs[$0.id] }
        let shapes = vals.map(\.shape)
        return record(out, inputs: xs) {
            { g, s in
                g.withUnsafeBufferPointer { src in
                    var off = 0
                    for (j, x) in xs.enumerated() {
                        if flags[j] {
                            let o = off
                            s.add(x, Tensor.build(shapes[j]) { d in
                                if counts[j] > 0 { d.baseAddress!.update(from: src.baseAddress! + o, count: counts[j]) }
                            })
                        }
                        off += counts[j]
                    }
                }
            }
        }
    }

    /// x[range] along dim 0, e.g. time step t's rows t·B..<(t+1)·B of a (T·B, D) node.
    public func sliceRows(_ x: Var, _ range: Range<Int>) -> Var {
        let vx = value(x)
        precondition(vx.rank >= 1 && range.lowerBound >= 0 && range.upperBound <= vx.shape[0],
                     "sliceRows: \(range) out of \(vx.shape)")
        let row = vx.shape.dropFirst().reduce(1, *)
        let off = range.lowerBound * row, n = range.count * row
        let out = vx.withUnsafeBufferPointer { src in
            Tensor.build([range.count] + vx.shape.dropFirst()) { dst in
                if n > 0 { dst.baseAddress!.update(from: src.baseAddress! + off, count: n) }
            }
        }
        let xShape = vx.shape
        return record(out, inputs: [x]) {
            { g, s in
                s.accumulate(x, shape: xShape) { dst in
                    g.withUnsafeBufferPointer { src in
                        if n > 0 { addInto(dst.baseAddress! + off, src.baseAddress!, n) }
                    }
                }
            }
        }
    }

    /// x ⊙ mask with the mask repeated over x's leading elements: x holds whole copies of the
    /// mask's shape (T time steps of a (B, D) mask), so every time step drops the same units.
    /// The mask is already scaled by 1/keep.
    public func lockedDropout(_ x: Var, mask: Tensor) -> Var {
        let vx = value(x)
        let m = mask.count
        precondition(m > 0 && vx.count % m == 0, "lockedDropout: mask \(mask.shape) does not repeat over \(vx.shape)")
        func apply(_ t: Tensor) -> Tensor {
            t.withUnsafeBufferPointer { src in mask.withUnsafeBufferPointer { pm in
                Tensor.build(t.shape) { dst in
                    for block in stride(from: 0, to: src.count, by: m) {
                        for i in 0..<m { dst[block + i] = src[block + i] * pm[i] }
                    }
                }
            } }
        }
        return record(apply(vx), inputs: [x]) { { g, s in s.add(x, apply(g)) } }
    }
}
