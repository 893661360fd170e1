// Element-wise activations and row-wise (last axis) softmax / log-softmax.
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

extension Tape {
    /// max(x, 0). Recorded once per input node: a second relu of the same x returns the first.
    public func relu(_ x: Var) -> Var {
        if let r = reluOf[x.id], !released[r.id] { return r }
        let vx = value(x)
        let y = vx.withUnsafeBufferPointer { src in
            Tensor.build(vx.shape) { dst in
                DartsCore.parallelFor(src.count, minChunk: elementwiseChunk) { r in
                    reluForward(src.baseAddress! + r.lowerBound, dst.baseAddress! + r.lowerBound, r.count)
                }
            }
        }
        let out = record(y, inputs: [x]) {
            { g, s in
                y.withUnsafeBufferPointer { py in
                    let yb = py.baseAddress!
                    s.update(x, from: g) { d, src, off, n, acc in reluBackward(d, src, yb + off, n, accumulate: acc) }
                }
            }
        }
        if recording { reluOf[x.id] = out }
        return out
    }

    public func sigmoid(_ x: Var) -> Var {
        let y = value(x).map { 1 / (1 + expf(-$0)) }
        return record(y, inputs: [x]) { { g, s in s.add(x, zipMap(g, y) { $0 * $1 * (1 - $1) }) } }
    }

    public func tanh(_ x: Var) -> Var {
        let y = value(x).map { tanhf($0) }
        return record(y, inputs: [x]) { { g, s in s.add(x, zipMap(g, y) { $0 * (1 - $1 * $1) }) } }
    }

    /// min(max(x, lo), hi); gradient passes where lo ≤ x ≤ hi (PyTorch's clamp), else 0.
    public func clamp(_ x: Var, min lo: Float, max hi: Float) -> Var {
        let vx = value(x)
        return record(clampValues(vx, min: lo, max: hi), inputs: [x]) {
            { g, s in s.add(x, clampBackward(gradient: g, input: vx, min: lo, max: hi)) }
        }
    }

    /// Softmax along the last axis (`softmaxLastAxis`, the one definition of its numbers).
    public func softmax(_ x: Var) -> Var {
        let y = softmaxLastAxis(value(x))
        return record(y, inputs: [x]) {
            { g, s in s.add(x, softmaxLastAxisBackward(gradient: g, output: y)) }
        }
    }

    /// Log-softmax along the last axis.
    public func logSoftmax(_ x: Var) -> Var {
        let vx = value(x)
        let k = vx.shape.last ?? 1
        if k >= wideRowMinimum { return wideLogSoftmax(x, vx, k) }
        let y = rowwise(vx, k) { src, dst in
            let lse = logSumExp(src, k)
            for j in 0..<k { dst[j] = src[j] - lse }
        }
        return record(y, inputs: [x]) {
            { g, s in
                let dx = rowwise2(g, y, k) { pg, py, dst in
                    var d: Double = 0
                    for j in 0..<k { d += Double(pg[j]) }
                    let df = Float(d)
                    for j in 0..<k { dst[j] = pg[j] - expf(py[j]) * df }
                }
                s.add(x, dx)
            }
        }
    }
}

extension Tape {
    /// `logSoftmax` of rows of at least `wideRowMinimum` (WideRows.swift), rows across the workers.
    func wideLogSoftmax(_ x: Var, _ vx: Tensor, _ k: Int) -> Var {
        let rows = vx.count / k
        let y = vx.withUnsafeBufferPointer { src in
            Tensor.build(vx.shape) { dst in
                forEachWideRow(rows, k) { r in
                    let p = src.baseAddress! + r * k
                    let lse = SIMD8<Float>(repeating: wideLogSumExp(p, k))
                    wideRowMap(p, dst.baseAddress! + r * k, k) { $0 - lse }
                }
            }
        }
        return record(y, inputs: [x]) {
            { g, s in
                // dx = g − exp(y)·Σ g, per row.
                let dx = g.withUnsafeBufferPointer { pg in
                    y.withUnsafeBufferPointer { py in
                        Tensor.build(g.shape) { dst in
                            forEachWideRow(rows, k) { r in
                                let (gr, yr, d) = (pg.baseAddress! + r * k, py.baseAddress! + r * k, dst.baseAddress! + r * k)
                                let total = SIMD8<Float>(repeating: Float(wideRowSum(gr, k) { $0 }))
                                var j = 0
                                while j + 8 <= k { store8(load8(gr + j) - vectorExp(load8(yr + j)) * total, d + j); j += 8 }
                                if j < k {
                                    let n = k - j
                                    storePartial8(loadPartial8(gr + j, n) - vectorExp(loadPartial8(yr + j, n)) * total, d + j, n)
                                }
                            }
                        }
                    }
                }
                s.add(x, dx)
            }
        }
    }
}

/// log Σ exp(src[0..<k]), stable, summed in Double.
@inline(__always)
func logSumExp(_ src: UnsafePointer<Float>, _ k: Int) -> Float {
    var m = -Float.infinity
    for j in 0..<k { m = Swift.max(m, src[j]) }
    var z: Double = 0
    for j in 0..<k { z += Double(expf(src[j] - m)) }
    return m + Float(log(z))
}

/// Applies `f(row, outRow)` to every length-k row of `t`.
func rowwise(_ t: Tensor, _ k: Int,
             _ f: (UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Tensor {
    t.withUnsafeBufferPointer { src in
        Tensor.build(t.shape) { dst in
            guard let sb = src.baseAddress, let db = dst.baseAddress, k > 0 else { return }
            for r in 0..<(src.count / k) { f(sb + r * k, db + r * k) }
        }
    }
}

/// min(max(x, lo), hi) element-wise (the tape's clamp and CRB's act(α) alike).
public func clampValues(_ x: Tensor, min lo: Float, max hi: Float) -> Tensor {
    x.map { Swift.min(Swift.max($0, lo), hi) }
}

/// dL/dx of `clampValues`: the gradient where lo ≤ x ≤ hi, else 0 (PyTorch's clamp lets it
/// through at the bounds too).
public func clampBackward(gradient g: Tensor, input x: Tensor, min lo: Float, max hi: Float) -> Tensor {
    zipMap(g, x) { ($1 >= lo && $1 <= hi) ? $0 : 0 }
}

/// Softmax of every row of `x` along its last axis: exp(x − max) summed in Double, then each
/// entry multiplied by the rounded reciprocal of the sum. The tape's softmax and every plain
/// use (stored activations, projection, regularisers) call this one function, so act(α) has
/// the same bits everywhere.
public func softmaxLastAxis(_ x: Tensor) -> Tensor {
    let k = x.shape.last ?? 1
    return rowwise(x, k) { src, dst in
        var m = -Float.infinity
        for j in 0..<k { m = Swift.max(m, src[j]) }
        var z: Double = 0
        for j in 0..<k { let e = expf(src[j] - m); dst[j] = e; z += Double(e) }
        let inv = Float(1 / z)
        for j in 0..<k { dst[j] *= inv }
    }
}

/// dL/dx of `y = softmaxLastAxis(x)` given dL/dy: `y ⊙ (g − Σ_row g⊙y)`, the row sum of Float
/// products accumulated in Double.
public func softmaxLastAxisBackward(gradient g: Tensor, output y: Tensor) -> Tensor {
    precondition(g.shape == y.shape, "softmax backward: gradient \(g.shape) and output \(y.shape) differ")
    let k = y.shape.last ?? 1
    return rowwise2(g, y, k) { pg, py, dst in
        var d: Double = 0
        for j in 0..<k { d += Double(pg[j] * py[j]) }
        let df = Float(d)
        for j in 0..<k { dst[j] = py[j] * (pg[j] - df) }
    }
}

/// Applies `f(rowA, rowB, outRow)` to every pair of length-k rows.
func rowwise2(_ a: Tensor, _ b: Tensor, _ k: Int,
              _ f: (UnsafePointer<Float>, UnsafePointer<Float>, UnsafeMutablePointer<Float>) -> Void) -> Tensor {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            Tensor.build(a.shape) { dst in
                guard let ab = pa.baseAddress, let bb = pb.baseAddress, let db = dst.baseAddress, k > 0 else { return }
                for r in 0..<(pa.count / k) { f(ab + r * k, bb + r * k, db + r * k) }
            }
        }
    }
}
