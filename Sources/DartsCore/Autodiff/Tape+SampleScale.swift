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

extension Tape {
    /// ta + tb, where t = scaleSamples(x, by: factors) for a term with factors and x itself for
    /// one without: a cell node's two op outputs under drop path, in one pass over the batch
    /// instead of three (each scaled term written and read back, 14 MB per pass at the paper's
    /// stage 1). The same bits, values and gradients as `add(scaleSamples(a, by: fa), …)`: each
    /// term is the same product (a zero factor gives +0), summed a + b; the gradients are
    /// scaleSamples' backward of g, or g itself for an unscaled term.
    public func addScaledSamples(_ a: Var, by fa: [Float]?, _ b: Var, by fb: [Float]?) -> Var {
        checkSameShape(a, b, "addScaledSamples")
        let (va, vb) = (value(a), value(b))
        for f in [fa, fb] {
            if let f {
                precondition(va.rank >= 1 && va.shape[0] == f.count,
                             "addScaledSamples: \(f.count) factors for shape \(va.shape)")
            }
        }
        let per = va.rank == 0 || va.shape[0] == 0 ? 0 : va.count / va.shape[0]
        let out = va.withUnsafeBufferPointer { pa in
            vb.withUnsafeBufferPointer { pb in
                Tensor.build(va.shape) { dst in
                    DartsCore.parallelFor(dst.count, minChunk: elementwiseChunk) { r in
                        addScaledSamplesRange(dst.baseAddress! + r.lowerBound, pa.baseAddress! + r.lowerBound, fa,
                                              pb.baseAddress! + r.lowerBound, fb, per, offset: r.lowerBound, count: r.count)
                    }
                }
            }
        }
        let (na, nb) = (needs[a.id], needs[b.id])
        return record(out, inputs: [a, b]) {
            { g, s in
                for (x, f, wanted) in [(a, fa, na), (b, fb, nb)] where wanted {
                    guard let f else { s.add(x, g); continue }
                    s.update(x, from: g) { d, src, offset, n, acc in
                        scaleSamplesRange(d, src, f, per, offset: offset, count: n, accumulate: acc)
                    }
                }
            }
        }
    }
}

/// One term of `addScaledSamplesRange` for a sample: the element itself, +0, or factor × element.
private enum SampleTerm {
    case same, zero, scaled(Float)

    init(_ factors: UnsafeBufferPointer<Float>?, sample: Int) {
        guard let factors else { self = .same; return }
        let k = factors[sample]
        self = k == 0 ? .zero : .scaled(k)
    }

    @inline(__always) func lanes(_ x: UnsafePointer<Float>) -> SIMD8<Float> {
        switch self {
        case .same: return load8(x)
        case .zero: return SIMD8(repeating: 0)
        case .scaled(let k): return SIMD8(repeating: k) * load8(x)
        }
    }

    @inline(__always) func scalar(_ x: Float) -> Float {
        switch self {
        case .same: return x
        case .zero: return 0
        case .scaled(let k): return k * x
        }
    }
}

/// d[i] = term_a(a[i]) + term_b(b[i]) over flat elements offset..<offset+count (sample-major,
/// `per` elements per sample; pointers already advanced by `offset`).
@inline(__always)
private func addScaledSamplesRange(_ d: UnsafeMutablePointer<Float>, _ a: UnsafePointer<Float>, _ fa: [Float]?,
                                   _ b: UnsafePointer<Float>, _ fb: [Float]?, _ per: Int, offset: Int, count: Int) {
    guard per > 0 else { return }
    func withFactors<R>(_ f: [Float]?, _ body: (UnsafeBufferPointer<Float>?) -> R) -> R {
        guard let f else { return body(nil) }
        return f.withUnsafeBufferPointer { body($0) }
    }
    withFactors(fa) { ka in
        withFactors(fb) { kb in
            var i = 0
            while i < count {
                let sample = (offset &+ i) / per
                let end = Swift.min(count, (sample &+ 1) &* per &- offset)
                let (ta, tb) = (SampleTerm(ka, sample: sample), SampleTerm(kb, sample: sample))
                while i &+ 8 <= end { store8(ta.lanes(a + i) + tb.lanes(b + i), d + i); i &+= 8 }
                while i < end { d[i] = ta.scalar(a[i]) + tb.scalar(b[i]); i &+= 1 }
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
