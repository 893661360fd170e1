// Pooling on the tape: max / average k×k pooling and global average pooling.

extension Tape {
    func poolGeometry(_ x: Var, kernel: Int, stride: Int, padding: Int) -> PoolGeometry {
        let sh = shape(x)
        precondition(sh.count == 4, "pooling needs (N, C, H, W), got \(sh)")
        return PoolGeometry(planes: sh[0] * sh[1], h: sh[2], w: sh[3], kernel: kernel, stride: stride, padding: padding)
    }

    /// Max pooling; padded cells never win.
    public func maxPool2d(_ x: Var, kernel: Int, stride: Int, padding: Int) -> Var {
        let vx = value(x)
        let g = poolGeometry(x, kernel: kernel, stride: stride, padding: padding)
        var argmax = [Int32](repeating: 0, count: g.planes * g.oh * g.ow)
        let out = Tensor.build([vx.shape[0], vx.shape[1], g.oh, g.ow]) { dst in
            vx.withUnsafeBufferPointer { px in argmax.withUnsafeMutableBufferPointer { am in
                maxPoolForward(g, x: px.baseAddress!, out: dst.baseAddress!, argmax: am.baseAddress!)
            } }
        }
        let xShape = vx.shape
        return record(out, inputs: [x]) {
            { dy, s in
                let dx = Tensor.build(xShape) { d in
                    dy.withUnsafeBufferPointer { pdy in argmax.withUnsafeBufferPointer { am in
                        maxPoolBackward(g, dy: pdy.baseAddress!, argmax: am.baseAddress!, dx: d.baseAddress!)
                    } }
                }
                s.add(x, dx)
            }
        }
    }

    /// Average pooling; padded cells are not counted (count_include_pad = false).
    public func avgPool2d(_ x: Var, kernel: Int, stride: Int, padding: Int) -> Var {
        let vx = value(x)
        let g = poolGeometry(x, kernel: kernel, stride: stride, padding: padding)
        let out = Tensor.build([vx.shape[0], vx.shape[1], g.oh, g.ow]) { dst in
            vx.withUnsafeBufferPointer { px in avgPoolForward(g, x: px.baseAddress!, out: dst.baseAddress!) }
        }
        let xShape = vx.shape
        return record(out, inputs: [x]) {
            { dy, s in
                let dx = Tensor.build(xShape) { d in
                    dy.withUnsafeBufferPointer { pdy in avgPoolBackward(g, dy: pdy.baseAddress!, dx: d.baseAddress!) }
                }
                s.add(x, dx)
            }
        }
    }

    /// (N, C, H, W) → (N, C): mean over each plane.
    public func globalAvgPool(_ x: Var) -> Var {
        let vx = value(x)
        precondition(vx.rank == 4, "globalAvgPool needs (N, C, H, W), got \(vx.shape)")
        let planes = vx.shape[0] * vx.shape[1], hw = vx.shape[2] * vx.shape[3]
        let out = vx.withUnsafeBufferPointer { px in
            Tensor.build([vx.shape[0], vx.shape[1]]) { d in
                for p in 0..<planes {
                    var s = 0.0
                    for j in 0..<hw { s += Double(px[p * hw + j]) }
                    d[p] = Float(s / Double(hw))
                }
            }
        }
        let xShape = vx.shape
        return record(out, inputs: [x]) {
            { dy, s in
                let dx = dy.withUnsafeBufferPointer { pdy in
                    Tensor.build(xShape) { d in
                        for p in 0..<planes {
                            let v = pdy[p] / Float(hw)
                            for j in 0..<hw { d[p * hw + j] = v }
                        }
                    }
                }
                s.add(x, dx)
            }
        }
    }
}
