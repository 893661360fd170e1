// Reductions to a scalar: sum, mean, sum of squares, Frobenius norm.

extension Tape {
    public func sum(_ x: Var) -> Var {
        let vx = value(x)
        let t = sumDouble(vx)
        let xShape = vx.shape
        return record(Tensor(scalar: Float(t)), inputs: [x]) {
            { g, s in s.add(x, Tensor(shape: xShape, repeating: g.scalar)) }
        }
    }

    public func mean(_ x: Var) -> Var {
        let vx = value(x)
        let n = Swift.max(1, vx.count)
        let t = sumDouble(vx) / Double(n)
        let xShape = vx.shape
        return record(Tensor(scalar: Float(t)), inputs: [x]) {
            { g, s in s.add(x, Tensor(shape: xShape, repeating: g.scalar / Float(n))) }
        }
    }

    public func sumOfSquares(_ x: Var) -> Var {
        let vx = value(x)
        let t = dot(vx, vx)
        return record(Tensor(scalar: t), inputs: [x]) {
            { g, s in let k = 2 * g.scalar; s.add(x, vx.map { $0 * k }) }
        }
    }

    /// sqrt(Σ x²); its gradient x/‖x‖ is taken as 0 at x = 0.
    public func frobeniusNorm(_ x: Var) -> Var {
        let vx = value(x)
        let norm = Float(Double(dot(vx, vx)).squareRoot())
        return record(Tensor(scalar: norm), inputs: [x]) {
            { g, s in
                let k = norm > 0 ? g.scalar / norm : 0
                s.add(x, vx.map { $0 * k })
            }
        }
    }
}

/// Σ t in Double, sequential (deterministic).
func sumDouble(_ t: Tensor) -> Double {
    t.withUnsafeBufferPointer { p in
        var s = 0.0
        for v in p { s += Double(v) }
        return s
    }
}
