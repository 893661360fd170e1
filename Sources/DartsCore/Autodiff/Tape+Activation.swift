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
        let y = vx.map { Swift.min(Swift.max($0, lo), hi) }
        return record(y, inputs: [x]) {
            { g, s in s.add(x, zipMap(g, vx) { ($1 >= lo && $1 <= hi) ? $0 : 0 }) }
        }
    }

    /// Softmax along the last axis.
    public func softmax(_ x: Var) -> Var {
        let vx = value(x)
        let k = vx.shape.last ?? 1
        let y = rowwise(vx, k) { src, dst in
            var m = -Float.infinity
            for j in 0..<k { m = Swift.max(m, src[j]) }
            var z: Double = 0
            for j in 0..<k { let e = expf(src[j] - m); dst[j] = e; z += Double(e) }
            let inv = Float(1 / z)
            for j in 0..<k { dst[j] *= inv }
        }
        return record(y, inputs: [x]) {
            { g, s in
                let dx = rowwise2(g, y, k) { pg, py, dst in
                    var d: Double = 0
                    for j in 0..<k { d += Double(pg[j] * py[j]) }
                    let df = Float(d)
                    for j in 0..<k { dst[j] = py[j] * (pg[j] - df) }
                }
                s.add(x, dx)
            }
        }
    }

    /// Log-softmax along the last axis.
    public func logSoftmax(_ x: Var) -> Var {
        let vx = value(x)
        let k = vx.shape.last ?? 1
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
