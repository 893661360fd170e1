// Dense layers: linear (x Wᵀ + b), matmul, and embedding lookup.

extension Tape {
    /// x (N, in), weight (out, in), bias (out) → (N, out).
    public func linear(_ x: Var, weight: Var, bias: Var?) -> Var {
        let vx = value(x), vw = value(weight)
        precondition(vx.rank == 2 && vw.rank == 2 && vx.shape[1] == vw.shape[1],
                     "linear: x \(vx.shape) and weight \(vw.shape) do not fit")
        let (n, fin, fout) = (vx.shape[0], vx.shape[1], vw.shape[0])
        let vb = bias.map { value($0) }
        if let vb { precondition(vb.count == fout, "linear: bias \(vb.shape) for \(fout) outputs") }
        let out = Tensor.build([n, fout]) { dst in
            vx.withUnsafeBufferPointer { px in vw.withUnsafeBufferPointer { pw in
                blockedGemm(transB: true, m: n, n: fout, k: fin, a: px.baseAddress!, b: pw.baseAddress!, c: dst.baseAddress!)
            } }
            vb?.withUnsafeBufferPointer { pb in
                DartsCore.parallelFor(n, minChunk: Swift.max(1, elementwiseChunk / Swift.max(1, fout))) { rows in
                    for i in rows { addRow(pb.baseAddress!, into: dst.baseAddress! + i * fout, fout) }
                }
            }
        }
        let (nx, nw) = (needs[x.id], needs[weight.id])
        let nb = bias.map { needs[$0.id] } ?? false
        let inputs = [x, weight] + (bias.map { [$0] } ?? [])
        return record(out, inputs: inputs) {
            { g, s in
                g.withUnsafeBufferPointer { pg in
                    if nx {
                        let dx = Tensor.build([n, fin]) { d in vw.withUnsafeBufferPointer { pw in
                            blockedGemm(m: n, n: fin, k: fout, a: pg.baseAddress!, b: pw.baseAddress!, c: d.baseAddress!)
                        } }
                        s.add(x, dx)
                    }
                    if nw {
                        let dw = Tensor.build([fout, fin]) { d in vx.withUnsafeBufferPointer { px in
                            blockedGemm(transA: true, m: fout, n: fin, k: n, a: pg.baseAddress!, b: px.baseAddress!, c: d.baseAddress!)
                        } }
                        s.add(weight, dw)
                    }
                    if nb, let bias {
                        // Split by column: every column still sums its rows in row order.
                        s.accumulate(bias, shape: [fout]) { d in
                            DartsCore.parallelFor(fout, minChunk: Swift.max(1, elementwiseChunk / Swift.max(1, n))) { cols in
                                for i in 0..<n { addRow(pg.baseAddress! + i * fout + cols.lowerBound, into: d.baseAddress! + cols.lowerBound, cols.count) }
                            }
                        }
                    }
                }
            }
        }
    }

    /// (M, K) × (K, N) → (M, N).
    public func matmul(_ a: Var, _ b: Var) -> Var {
        let va = value(a), vb = value(b)
        precondition(va.rank == 2 && vb.rank == 2 && va.shape[1] == vb.shape[0],
                     "matmul: \(va.shape) × \(vb.shape) do not fit")
        let (m, k, n) = (va.shape[0], va.shape[1], vb.shape[1])
        let out = Tensor.build([m, n]) { d in
            va.withUnsafeBufferPointer { pa in vb.withUnsafeBufferPointer { pb in
                blockedGemm(m: m, n: n, k: k, a: pa.baseAddress!, b: pb.baseAddress!, c: d.baseAddress!)
            } }
        }
        let (na, nb) = (needs[a.id], needs[b.id])
        return record(out, inputs: [a, b]) {
            { g, s in
                g.withUnsafeBufferPointer { pg in
                    if na {
                        s.add(a, Tensor.build([m, k]) { d in vb.withUnsafeBufferPointer { pb in
                            blockedGemm(transB: true, m: m, n: k, k: n, a: pg.baseAddress!, b: pb.baseAddress!, c: d.baseAddress!)
                        } })
                    }
                    if nb {
                        s.add(b, Tensor.build([k, n]) { d in va.withUnsafeBufferPointer { pa in
                            blockedGemm(transA: true, m: k, n: n, k: m, a: pa.baseAddress!, b: pg.baseAddress!, c: d.baseAddress!)
                        } })
                    }
                }
            }
        }
    }

    /// Rows `indices` of weight (V, D) → (indices.count, D); gradient scatter-added in order.
    public func embedding(_ weight: Var, indices: [Int]) -> Var {
        let vw = value(weight)
        precondition(vw.rank == 2, "embedding: weight must be (V, D), got \(vw.shape)")
        let (v, d) = (vw.shape[0], vw.shape[1])
        for i in indices { precondition(i >= 0 && i < v, "embedding: index \(i) outside vocabulary of \(v)") }
        let out = vw.withUnsafeBufferPointer { pw in
            Tensor.build([indices.count, d]) { dst in
                for (r, i) in indices.enumerated() {
                    (dst.baseAddress! + r * d).update(from: pw.baseAddress! + i * d, count: d)
                }
            }
        }
        let wShape = vw.shape
        return record(out, inputs: [weight]) {
            { g, s in
                s.accumulate(weight, shape: wShape) { dst in
                    g.withUnsafeBufferPointer { pg in
                        for (r, i) in indices.enumerated() {
                            for j in 0..<d { dst[i * d + j] += pg[r * d + j] }
                        }
                    }
                }
            }
        }
    }
}

/// d[j] += p[j] for j < n, 8 lanes at a time (element-wise, so the bits are the scalar loop's).
@inline(__always)
func addRow(_ p: UnsafePointer<Float>, into d: UnsafeMutablePointer<Float>, _ n: Int) {
    var j = 0
    while j + 8 <= n { store8(load8(d + j) + load8(p + j), d + j); j += 8 }
    while j < n { d[j] += p[j]; j += 1 }
}

extension Tape {
    /// `matmul(concatRows(xs), w)` without building the stacked matrix: a large product runs the
    /// chain GEMM by row blocks (its bits do not depend on how the rows are stored), and each x_j
    /// gets its gradient rows directly; a small one is that composition itself. The recurrent
    /// cell's nodes multiply every earlier state by one W_i this way.
    /// `minimumWork` moves the chain GEMM's threshold (tests run it on shapes small enough for
    /// finite differences).
    public func matmulStacked(_ xs: [Var], _ w: Var, minimumWork: Int = blockedGemmMinimumWork) -> Var {
        precondition(!xs.isEmpty, "matmulStacked of no blocks")
        if xs.count == 1 { return matmul(xs[0], w) }
        let vals = xs.map { value($0) }, vw = value(w)
        precondition(vw.rank == 2, "matmulStacked: weight must be (K, N), got \(vw.shape)")
        let (k, n) = (vw.shape[0], vw.shape[1])
        for v in vals { precondition(v.rank == 2 && v.shape[1] == k, "matmulStacked: block \(v.shape) × \(vw.shape) do not fit") }
        let rows = vals.map { $0.shape[0] }
        let m = rows.reduce(0, +)
        // The same choice blockedGemm makes for the stacked product (and its two backward products).
        guard m * n * k >= minimumWork else { return matmul(concatRows(xs), w) }
        let out = Tensor.build([m, n]) { d in
            withBasePointers(vals[...], []) { ps in
                vw.withUnsafeBufferPointer { pw in
                    var offset = 0
                    let blocks = (0..<xs.count).map { j -> (a: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, rows: Int) in
                        defer { offset += rows[j] }
                        return (ps[j], d.baseAddress! + offset * n, rows[j])
                    }
                    chainGemmRowBlocks(blocks: blocks, n: n, k: k, b: pw.baseAddress!)
                }
            }
        }
        let flags = xs.map { needs[$0.id] }, nw = needs[w.id]
        return record(out, inputs: xs + [w]) {
            { g, s in
                g.withUnsafeBufferPointer { pg in
                    if flags.contains(true) {
                        // dX_j = dG_j · wᵀ, written straight into the blocks' own gradient tensors.
                        let wanted = (0..<xs.count).filter { flags[$0] }
                        let starts = rows.reduce(into: [0]) { $0.append($0.last! + $1) }
                        let grads = buildTensors(wanted.map { [rows[$0], k] }[...], []) { dst in
                            vw.withUnsafeBufferPointer { pw in
                                let blocks = wanted.enumerated().map { i, j in
                                    (a: UnsafePointer(pg.baseAddress! + starts[j] * n), c: dst[i], rows: rows[j])
                                }
                                chainGemmRowBlocks(transB: true, blocks: blocks, n: k, k: n, b: pw.baseAddress!)
                            }
                        }
                        for (i, j) in wanted.enumerated() { s.add(xs[j], grads[i]) }
                    }
                    if nw {
                        s.add(w, Tensor.build([k, n]) { d in
                            withBasePointers(vals[...], []) { ps in
                                chainGemmStackedTransposed(aBlocks: (0..<xs.count).map { (ps[$0], rows[$0]) }, m: k, n: n,
                                                           b: pg.baseAddress!, c: d.baseAddress!)
                            }
                        })
                    }
                }
            }
        }
    }
}

/// Tensors of `shapes`, built together: `body` gets every one's storage at once.
func buildTensors(_ shapes: ArraySlice<[Int]>, _ acc: [UnsafeMutablePointer<Float>],
                  _ body: ([UnsafeMutablePointer<Float>]) -> Void) -> [Tensor] {
    guard let first = shapes.first else { body(acc); return [] }
    var rest: [Tensor] = []
    let t = Tensor.build(first) { d in rest = buildTensors(shapes.dropFirst(), acc + [d.baseAddress!], body) }
    return [t] + rest
}
