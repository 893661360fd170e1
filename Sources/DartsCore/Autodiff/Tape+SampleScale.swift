// Per-sample scaling on the tape: y[n, …] = factors[n] · x[n, …], the op behind drop path
// (SPEC §6: each sample of an op's output is zeroed or scaled by 1/(1 − p)).

extension Tape {
    /// Multiplies every element of sample n of x (N, …) by `factors[n]`.
    ///
    /// The factors are constants (a drop-path mask already scaled by 1/keep), so only x gets a
    /// gradient: dx[n, …] = factors[n] · dy[n, …]. A factor of 0 writes zeros rather than
    /// multiplying, so a dropped sample is exactly zero even where x is not finite.
    public func scaleSamples(_ x: Var, by factors: [Float]) -> Var {
        let vx = value(x)
        // x: (N, …), factors: (N)
        precondition(vx.rank >= 1 && vx.shape[0] == factors.count,
                     "scaleSamples: \(factors.count) factors for shape \(vx.shape)")
        let per = factors.isEmpty ? 0 : vx.count / factors.count
        let out = vx.withUnsafeBufferPointer { src in
            Tensor.build(vx.shape) { dst in
                DartsCore.parallelFor(dst.count, minChunk: elementwiseChunk) { r in
                    scaleSamplesRange(dst.baseAddress! + r.lowerBound, src.baseAddress! + r.lowerBound, factors, per,
                                      offset: r.lowerBound, count: r.count, accumulate: false)
                }
            }
        }
        return record(out, inputs: [x]) {
            { g, s in
                s.update(x, from: g) { d, src, offset, n, acc in
                    scaleSamplesRange(d, src, factors, per, offset: offset, count: n, accumulate: acc)
                }
            }
        }
    }
}

/// d[i] (+)= factors[sample] · s[i] for the flat elements offset..<offset+count of a sample-major
/// layout with `per` elements per sample; `d` and `s` are already advanced by `offset`
/// (GradStore.update's chunk convention). A zero factor writes zeros (adds nothing).
@inline(__always)
func scaleSamplesRange(_ d: UnsafeMutablePointer<Float>, _ s: UnsafePointer<Float>, _ factors: [Float], _ per: Int,
                       offset: Int, count: Int, accumulate: Bool) {
    guard per > 0 else { return }
    factors.withUnsafeBufferPointer { f in
        var i = 0
        while i < count {
            let sample = (offset &+ i) / per
            let end = Swift.min(count, (sample &+ 1) &* per &- offset)
            let k = f[sample]
            if accumulate {
                if k != 0 { while i < end { d[i] += k * s[i]; i &+= 1 } } else { i = end }
            } else if k == 0 {
                (d + i).update(repeating: 0, count: end &- i)
                i = end
            } else {
                while i < end { d[i] = k * s[i]; i &+= 1 }
            }
        }
    }
}
