// Element-wise arithmetic ops: add, sub, mul, addN, scale, dropout, mulScalar, weightedSum.

extension Tape {
    func checkSameShape(_ a: Var, _ b: Var, _ op: String) {
        precondition(shape(a) == shape(b), "\(op): shapes \(shape(a)) and \(shape(b)) differ")
    }

    public func add(_ a: Var, _ b: Var) -> Var {
        checkSameShape(a, b, "add")
        let out = zipLanes(value(a), value(b), .add)
        let (na, nb) = (needs[a.id], needs[b.id])
        return record(out, inputs: [a, b]) {
            { g, s in
                if na { s.add(a, g) }
                if nb { s.add(b, g) }
            }
        }
    }

    public func sub(_ a: Var, _ b: Var) -> Var {
        checkSameShape(a, b, "sub")
        let out = zipLanes(value(a), value(b), .sub)
        let (na, nb) = (needs[a.id], needs[b.id])
        return record(out, inputs: [a, b]) {
            { g, s in
                if na { s.add(a, g) }
                if nb { s.add(b, g.map { -$0 }) }
            }
        }
    }

    /// Element-wise product of same-shape nodes.
    public func mul(_ a: Var, _ b: Var) -> Var {
        checkSameShape(a, b, "mul")
        let (va, vb) = (value(a), value(b))
        let out = zipLanes(va, vb, .mul)
        let (na, nb) = (needs[a.id], needs[b.id])
        return record(out, inputs: [a, b]) {
            { g, s in
                if na { s.add(a, zipLanes(g, vb, .mul)) }
                if nb { s.add(b, zipLanes(g, va, .mul)) }
            }
        }
    }

    /// Sum of same-shape nodes (summed in list order).
    public func addN(_ xs: [Var]) -> Var {
        precondition(!xs.isEmpty, "addN of an empty list")
        for x in xs.dropFirst() { checkSameShape(xs[0], x, "addN") }
        let first = value(xs[0])
        let rest = xs.dropFirst().map { value($0) }
        let out = first.withUnsafeBufferPointer { f in
            Tensor.build(first.shape) { dst in
                DartsCore.parallelFor(dst.count, minChunk: elementwiseChunk) { r in
                    let d = dst.baseAddress! + r.lowerBound
                    d.update(from: f.baseAddress! + r.lowerBound, count: r.count)
                    for t in rest {  // in list order, as before
                        t.withUnsafeBufferPointer { addInto(d, $0.baseAddress! + r.lowerBound, r.count) }
                    }
                }
            }
        }
        let flags = xs.map { needs[$0.id] }
        return record(out, inputs: xs) {
            { g, s in for (x, f) in zip(xs, flags) where f { s.add(x, g) } }
        }
    }

    public func scale(_ x: Var, by k: Float) -> Var {
        let out = value(x).map { $0 * k }
        return record(out, inputs: [x]) { { g, s in s.add(x, g.map { $0 * k }) } }
    }

    /// x ⊙ mask, with the mask already scaled by 1/keep.
    public func dropout(_ x: Var, mask: Tensor) -> Var {
        precondition(mask.count == value(x).count, "dropout: mask \(mask.shape) does not fit \(shape(x))")
        let out = zipLanes(value(x), mask, .mul)
        return record(out, inputs: [x]) { { g, s in s.add(x, zipLanes(g, mask, .mul)) } }
    }

    /// x · scalars.flat[index].
    public func mulScalar(_ x: Var, scalars: Var, at index: Int) -> Var {
        let vx = value(x)
        let k = value(scalars)[flat: index]
        let out = vx.map { $0 * k }
        let (nx, ns) = (needs[x.id], needs[scalars.id])
        let sShape = shape(scalars)
        return record(out, inputs: [x, scalars]) {
            { g, s in
                if nx { s.add(x, g.map { $0 * k }) }
                if ns {
                    let d = dot(g, vx)
                    s.accumulate(scalars, shape: sShape) { $0[index] += d }
                }
            }
        }
    }

    /// Mixed edge: Σ_i weights.flat[indices[i]] · xs[i], fused; gradients to xs and weights.
    public func weightedSum(_ xs: [Var], weights: Var, indices: [Int]) -> Var {
        precondition(!xs.isEmpty && xs.count == indices.count,
                     "weightedSum: \(xs.count) inputs but \(indices.count) indices")
        for x in xs.dropFirst() { checkSameShape(xs[0], x, "weightedSum") }
        let wv = value(weights)
        let ks = indices.map { wv[flat: $0] }
        let inputs = xs.map { value($0) }
        // One pass over all inputs (not one read-modify-write of the output per input); each
        // element sums k·x over the inputs in list order from 0, the same sums as the scalar loop.
        let out = withBasePointers(inputs[...], []) { srcs in
            Tensor.build(inputs[0].shape) { dst in
                DartsCore.parallelFor(dst.count, minChunk: elementwiseChunk) { r in
                    weightedSumInto(dst.baseAddress! + r.lowerBound, srcs, ks, offset: r.lowerBound, r.count)
                }
            }
        }
        let flags = xs.map { needs[$0.id] }
        let nw = needs[weights.id]
        let wShape = wv.shape
        // The inputs are only needed for the weight (α) gradient: don't keep them otherwise.
        let kept = nw ? inputs : []
        return record(out, inputs: xs + [weights]) {
            { g, s in
                for (i, x) in xs.enumerated() where flags[i] {
                    let k = ks[i]
                    s.update(x, from: g) { d, src, _, n, acc in scaleInto(d, src, n, k, accumulate: acc) }
                }
                if nw {
                    let ds = kept.map { dot(g, $0) }
                    s.accumulate(weights, shape: wShape) { buf in
                        for (i, j) in indices.enumerated() { buf[j] += ds[i] }
                    }
                }
            }
        }
    }
}

/// Calls `body` with the base address of every tensor's storage, all valid for the call.
func withBasePointers<R>(_ ts: ArraySlice<Tensor>, _ acc: [UnsafePointer<Float>],
                         _ body: ([UnsafePointer<Float>]) -> R) -> R {
    guard let first = ts.first else { return body(acc) }
    return first.withUnsafeBufferPointer { b in
        withBasePointers(ts.dropFirst(), acc + [b.baseAddress ?? UnsafePointer(bitPattern: 16)!], body)
    }
}

/// d[i] = Σ_t k[t]·srcs[t][offset + i] for i < n, t in order, accumulated from 0 in Float.
@inline(__always)
func weightedSumInto(_ d: UnsafeMutablePointer<Float>, _ srcs: [UnsafePointer<Float>], _ ks: [Float],
                     offset: Int, _ n: Int) {
    srcs.withUnsafeBufferPointer { ps in
        ks.withUnsafeBufferPointer { kb in
            let m = ps.count
            let z = SIMD8<Float>(repeating: 0)
            var i = 0
            while i + 16 <= n {
                var a = z, b = z
                for t in 0..<m {
                    let kv = SIMD8<Float>(repeating: kb[t]), p = ps[t] + offset + i
                    a += kv * load8(p); b += kv * load8(p + 8)
                }
                store8(a, d + i); store8(b, d + i + 8)
                i += 16
            }
            while i < n {
                var a: Float = 0
                for t in 0..<m { a += kb[t] * ps[t][offset + i] }
                d[i] = a
                i += 1
            }
        }
    }
}

/// Elements per chunk below which element-wise loops stay on one thread.
let elementwiseChunk = 1 << 16

/// f applied element-wise to two same-size tensors (shape of `a`).
@inline(__always)
func zipMap(_ a: Tensor, _ b: Tensor, _ f: (Float, Float) -> Float) -> Tensor {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            precondition(pa.count == pb.count, "element-wise op on \(pa.count) and \(pb.count) elements")
            return Tensor.build(a.shape) { d in
                DartsCore.parallelFor(pa.count, minChunk: elementwiseChunk) { r in
                    for i in r { d[i] = f(pa[i], pb[i]) }
                }
            }
        }
    }
}

/// The element-wise ops `zipLanes` runs 8 lanes at a time: each lane is the same IEEE operation
/// as the scalar one, so the bits are `zipMap`'s with the same operator.
enum LaneOp { case add, sub, mul }

/// a ⊕ b element-wise (shape of `a`) for ⊕ = +, − or ×. `zipMap` calls its closure once per
/// element from inside the workers' chunks (it is not inlined there: `perf` showed `add`'s closure
/// and `zipMap` at 3 % of a paper-size evaluation iteration, 2026-12-03).
func zipLanes(_ a: Tensor, _ b: Tensor, _ op: LaneOp) -> Tensor {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            precondition(pa.count == pb.count, "element-wise op on \(pa.count) and \(pb.count) elements")
            return Tensor.build(a.shape) { d in
                DartsCore.parallelFor(pa.count, minChunk: elementwiseChunk) { r in
                    let (x, y, z, n) = (pa.baseAddress! + r.lowerBound, pb.baseAddress! + r.lowerBound,
                                        d.baseAddress! + r.lowerBound, r.count)
                    switch op {
                    case .add: laneLoop(x, y, z, n, { $0 + $1 }, { $0 + $1 })
                    case .sub: laneLoop(x, y, z, n, { $0 - $1 }, { $0 - $1 })
                    case .mul: laneLoop(x, y, z, n, { $0 * $1 }, { $0 * $1 })
                    }
                }
            }
        }
    }
}

@inline(__always)
private func laneLoop(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ d: UnsafeMutablePointer<Float>, _ n: Int,
                      _ lanes: (SIMD8<Float>, SIMD8<Float>) -> SIMD8<Float>, _ scalar: (Float, Float) -> Float) {
    var i = 0
    while i + 8 <= n { store8(lanes(load8(a + i), load8(b + i)), d + i); i += 8 }
    while i < n { d[i] = scalar(a[i], b[i]); i += 1 }
}

/// Σ a·b: 8-lane Float partial sums per block of `dotBlock` elements, block sums added in
/// Double in block order. The blocks are fixed (not the thread partition), so the result is
/// bit-identical run to run and for any thread count; blocks run in parallel.
func dot(_ a: Tensor, _ b: Tensor) -> Float {
    a.withUnsafeBufferPointer { pa in
        b.withUnsafeBufferPointer { pb in
            let n = pa.count
            if n == 0 { return 0 }
            let blocks = (n + dotBlock - 1) / dotBlock
            if blocks <= 1 { return Float(blockDot(pa.baseAddress!, pb.baseAddress!, n)) }
            var partial = [Double](repeating: 0, count: blocks)
            partial.withUnsafeMutableBufferPointer { part in
                DartsCore.parallelFor(blocks) { r in
                    for i in r {
                        let lo = i * dotBlock
                        part[i] = blockDot(pa.baseAddress! + lo, pb.baseAddress! + lo, Swift.min(dotBlock, n - lo))
                    }
                }
            }
            var s = 0.0
            for v in partial { s += v }
            return Float(s)
        }
    }
}

let dotBlock = 1 << 14

/// Σ a·b over one block: 8 Float lanes per 256 elements, each 256-chunk summed into Double.
@inline(__always)
func blockDot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, _ n: Int) -> Double {
    var s = 0.0
    var i = 0
    while i < n {
        let e = Swift.min(n, i + 256)
        var v = SIMD8<Float>(repeating: 0)
        while i + 8 <= e { v += load8(a + i) * load8(b + i); i += 8 }
        var f: Float = 0
        while i < e { f += a[i] * b[i]; i += 1 }
        s += Double(v.sum() + f)
    }
    return s
}
