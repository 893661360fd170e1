// The recurrent cell's fused node (SPEC §7): a weighted sum of highway updates of several
// states, s_j + σ(c_j)⊙(f_k(h_j) − s_j), in one pass without a tape node per op and state.
//
// Composed from elementwise tape ops, one node would record ~10 tensors per (state, op); fused,
// the closure keeps only the states and the gate GEMM's output it was given and recomputes σ
// and f_k in backward, so a time step's tape holds the GEMM inputs and outputs alone.
#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif
import CGemm

/// The candidate activation f of one op of a gated mixture.
public enum GateActivation: Sendable, Equatable {
    case tanh, relu, sigmoid, identity
}

extension Tape {
    /// Σ_j Σ_k w[firstRow + j, column_k] · (s_j + σ(c_j) ⊙ (f_k(h_j) − s_j)) over the n `states`
    /// (each (B, H)). `gates` is (n·B, 2H): rows j·B..<(j+1)·B belong to state j, columns
    /// 0..<H are c and H..<2H are h (the split of `[c, h] = s_j·W`). `weights` is a (rows,
    /// cols) matrix, e.g. activated α; `columns` pairs each used column with its f (each f at
    /// most once). `skipNonPositive` (CRB) leaves out entries whose weight is ≤ 0: no value,
    /// no gradient, as a pruned op is never computed.
    public func gatedMixture(states: [Var], gates: Var, weights: Var, firstRow: Int,
                             columns: [(column: Int, activation: GateActivation)],
                             skipNonPositive: Bool = false) -> Var {
        precondition(!states.isEmpty, "gatedMixture of no states")
        let vs = states.map { value($0) }
        let sShape = vs[0].shape
        precondition(sShape.count == 2, "gatedMixture: states must be (B, H), got \(sShape)")
        for v in vs { precondition(v.shape == sShape, "gatedMixture: state \(v.shape) differs from \(sShape)") }
        let (b, h, n) = (sShape[0], sShape[1], vs.count)
        precondition(b > 0 && h > 0, "gatedMixture: empty states \(sShape)")
        let vg = value(gates)
        precondition(vg.shape == [n * b, 2 * h], "gatedMixture: gates \(vg.shape) for \(n) states of \(sShape)")
        let vw = value(weights)
        precondition(vw.rank == 2 && firstRow >= 0 && firstRow + n <= vw.shape[0],
                     "gatedMixture: rows \(firstRow)..<\(firstRow + n) outside weights \(vw.shape)")
        let cols = vw.shape[1]
        for c in columns { precondition(c.column >= 0 && c.column < cols, "gatedMixture: column \(c.column) outside \(cols)") }
        // Per state: the weight of each activation (0 when absent or skipped) and which take part.
        var mix = [GateWeights](repeating: GateWeights(), count: n)
        for j in 0..<n {
            for c in columns {
                let w = vw[flat: (firstRow + j) * cols + c.column]
                if skipNonPositive && w <= 0 { continue }
                mix[j].set(c.activation, w)
            }
        }
        // Each row costs n·H sigmoids and activations (8 lanes at a time): chunks of ~1k of them
        // are worth a thread, so even one (64, 64) state splits. Rows are independent (weight
        // gradients are summed per row), so any split gives the same bits.
        let rowsPerChunk = Swift.max(1, 1024 / (n * h))
        // Claimed as the workers finish, eight grains per worker at the cell's sizes.
        let grain = Swift.max(rowsPerChunk, b / (8 * DartsCore.threadCount))
        // AVX-512 machines run the rows in C on 16 lanes (CGemm/gated_mixture.c), with the bits of
        // the 8-lane Swift rows below.
        let wide = VectorISA.current == .avx512
        let flatWeights = mix.flatMap { [$0.w[0], $0.w[1], $0.w[2], $0.w[3]] }
        let activeBits = mix.map(\.activeBits)
        let out = withBasePointers(vs[...], []) { ps in
            vg.withUnsafeBufferPointer { pg in
                Tensor.build(sShape) { dst in
                    DartsCore.parallelClaim(b, grain: grain) { claim in
                        while let rows = claim() { for r in rows {
                            let d = dst.baseAddress! + r * h
                            for i in 0..<h { d[i] = 0 }
                            for j in 0..<n {
                                let (sj, gj) = (ps[j] + r * h, pg.baseAddress! + (j * b + r) * 2 * h)
                                if wide {
                                    flatWeights.withUnsafeBufferPointer { pw in
                                        dp_gated_mixture_row_avx512(pw.baseAddress! + 4 * j, activeBits[j], sj, gj, Int32(h), d)
                                    }
                                } else {
                                    gatedMixtureRow(mix[j], s: sj, gates: gj, h, into: d)
                                }
                            }
                        } }
                    }
                }
            }
        }
        let stateFlags = states.map { needs[$0.id] }
        let (ng, nw) = (needs[gates.id], needs[weights.id])
        let wShape = vw.shape
        return record(out, inputs: states + [gates, weights]) {
            { g, s in
                // Each wanted state's gradient written in place (the others are not computed).
                let wanted = (0..<n).filter { stateFlags[$0] }
                var dGates = ng ? Tensor.build(vg.shape) { _ in } : nil
                // Per row and state, the weight gradient of each activation (summed in Double per
                // row, rows added in order: the same bits for any thread count).
                var dw = [Double](repeating: 0, count: nw ? b * n * 4 : 0)
                let dStates = buildTensors(wanted.map { _ in sShape }[...], []) { dst in
                let dStatePointers = (0..<n).map { j in wanted.firstIndex(of: j).map { dst[$0] } }
                withBasePointers(vs[...], []) { ps in
                    withOptionalPointer(&dGates) { pdg in
                        vg.withUnsafeBufferPointer { pg in g.withUnsafeBufferPointer { pgr in
                            dw.withUnsafeMutableBufferPointer { pdw in
                                DartsCore.parallelClaim(b, grain: grain) { claim in
                                    while let rows = claim() { for r in rows {
                                        for j in 0..<n {
                                            let base = (j * b + r) * 2 * h
                                            let (sj, gj, gr) = (ps[j] + r * h, pg.baseAddress! + base, pgr.baseAddress! + r * h)
                                            let (dsj, dgj) = (dStatePointers[j].map { $0 + r * h }, pdg.map { $0 + base })
                                            let dwj = nw ? pdw.baseAddress! + (r * n + j) * 4 : nil
                                            if wide {
                                                flatWeights.withUnsafeBufferPointer { pw in
                                                    dp_gated_mixture_row_backward_avx512(pw.baseAddress! + 4 * j, activeBits[j], sj, gj, Int32(h),
                                                                                         gr, dsj, dgj, dwj)
                                                }
                                            } else {
                                                gatedMixtureRowBackward(mix[j], s: sj, gates: gj, h, grad: gr, dState: dsj,
                                                                        dGates: dgj, dWeights: dwj)
                                            }
                                        }
                                    } }
                                }
                            }
                        } }
                    }
                }
                }
                for (i, j) in wanted.enumerated() { s.add(states[j], dStates[i]) }
                if let dGates { s.add(gates, dGates) }
                if nw {
                    s.accumulate(weights, shape: wShape) { buf in
                        for j in 0..<n {
                            for c in columns where mix[j].takesPart(c.activation) {
                                var sum = 0.0
                                for r in 0..<b { sum += dw[(r * n + j) * 4 + c.activation.slot] }
                                buf[(firstRow + j) * cols + c.column] += Float(sum)
                            }
                        }
                    }
                }
            }
        }
    }
}

extension GateActivation {
    /// Fixed position of this activation in per-state weight and gradient slots.
    var slot: Int {
        switch self {
        case .tanh: return 0
        case .relu: return 1
        case .sigmoid: return 2
        case .identity: return 3
        }
    }
}

/// One state's weights per activation slot and which slots take part.
struct GateWeights {
    var w: SIMD4<Float> = .zero
    var active: SIMD4<Float> = .zero

    mutating func set(_ a: GateActivation, _ value: Float) {
        precondition(active[a.slot] == 0, "gatedMixture: activation \(a) listed twice")
        w[a.slot] = value
        active[a.slot] = 1
    }

    func takesPart(_ a: GateActivation) -> Bool { active[a.slot] != 0 }
    /// The slots taking part as bits 1, 2, 4, 8 (the C rows' `active`).
    var activeBits: Int32 { (0..<4).reduce(0) { $0 | (active[$1] != 0 ? 1 << Int32($1) : 0) } }
    var any: Bool { active != .zero }
}

/// d[i] += Σ_k w_k·(s + σ(c)·(f_k(h) − s)) over one row of H elements, 8 lanes at a time
/// (VectorMath.swift; the row's tail goes through the same lanes).
@inline(__always)
func gatedMixtureRow(_ m: GateWeights, s: UnsafePointer<Float>, gates: UnsafePointer<Float>, _ h: Int,
                     into d: UnsafeMutablePointer<Float>) {
    guard m.any else { return }
    let (t, re, sg, id) = (m.active[0] != 0, m.active[1] != 0, m.active[2] != 0, m.active[3] != 0)
    let (w0, w1, w2, w3) = (SIMD8<Float>(repeating: m.w[0]), SIMD8<Float>(repeating: m.w[1]),
                            SIMD8<Float>(repeating: m.w[2]), SIMD8<Float>(repeating: m.w[3]))
    var i = 0
    while i < h {
        let count = Swift.min(8, h - i)
        let (sv, c, x) = (loadLanes8(s + i, count), loadLanes8(gates + i, count), loadLanes8(gates + h + i, count))
        let sig = vectorLogistic(c)
        var acc = SIMD8<Float>(repeating: 0)
        if t { acc += w0 * (sv + sig * (vectorTanh(x) - sv)) }
        if re { acc += w1 * (sv + sig * (x.replacing(with: 0, where: x .< 0) - sv)) }
        if sg { acc += w2 * (sv + sig * (vectorLogistic(x) - sv)) }
        if id { acc += w3 * (sv + sig * (x - sv)) }
        storeLanes8(loadLanes8(d + i, count) + acc, d + i, count)
        i += 8
    }
}

/// One row's backward: writes dState and dGates (overwriting) and the weight gradients of the
/// four slots (Σ over the row of grad·(s + σ(c)·(f_k(h) − s)): Float lanes, then Double).
@inline(__always)
func gatedMixtureRowBackward(_ m: GateWeights, s: UnsafePointer<Float>, gates: UnsafePointer<Float>, _ h: Int,
                             grad: UnsafePointer<Float>, dState: UnsafeMutablePointer<Float>?,
                             dGates: UnsafeMutablePointer<Float>?, dWeights: UnsafeMutablePointer<Double>?) {
    let (t, re, sg, id) = (m.active[0] != 0, m.active[1] != 0, m.active[2] != 0, m.active[3] != 0)
    let (w0, w1, w2, w3) = (SIMD8<Float>(repeating: m.w[0]), SIMD8<Float>(repeating: m.w[1]),
                            SIMD8<Float>(repeating: m.w[2]), SIMD8<Float>(repeating: m.w[3]))
    let total = SIMD8<Float>(repeating: (t ? m.w[0] : 0) + (re ? m.w[1] : 0) + (sg ? m.w[2] : 0) + (id ? m.w[3] : 0))
    let zero = SIMD8<Float>(repeating: 0)
    var (dw0, dw1, dw2, dw3) = (zero, zero, zero, zero)
    let wantWeights = dWeights != nil
    var i = 0
    while i < h {
        let count = Swift.min(8, h - i)
        let g = loadLanes8(grad + i, count)
        let (sv, c, x) = (loadLanes8(s + i, count), loadLanes8(gates + i, count), loadLanes8(gates + h + i, count))
        let sig = vectorLogistic(c)
        var mixF = zero, mixDF = zero  // Σ w_k f_k(h), Σ w_k f_k'(h)
        if t {
            let f = vectorTanh(x); mixF += w0 * f; mixDF += w0 * (1 - f * f)
            if wantWeights { dw0 += g * (sv + sig * (f - sv)) }
        }
        if re {
            let f = x.replacing(with: 0, where: x .< 0); mixF += w1 * f; mixDF += zero.replacing(with: w1, where: x .> 0)
            if wantWeights { dw1 += g * (sv + sig * (f - sv)) }
        }
        if sg {
            let f = vectorLogistic(x); mixF += w2 * f; mixDF += w2 * f * (1 - f)
            if wantWeights { dw2 += g * (sv + sig * (f - sv)) }
        }
        if id {
            mixF += w3 * x; mixDF += w3
            if wantWeights { dw3 += g * (sv + sig * (x - sv)) }
        }
        let ds = g * total * (1 - sig)
        let dc = g * sig * (1 - sig) * (mixF - total * sv)
        let dh = g * sig * mixDF
        if let dState { storeLanes8(ds, dState + i, count) }
        if let dGates { storeLanes8(dc, dGates + i, count); storeLanes8(dh, dGates + h + i, count) }
        i += 8
    }
    if let dWeights {
        for (k, lanes) in [dw0, dw1, dw2, dw3].enumerated() {
            var sum = 0.0
            for l in 0..<8 { sum += Double(lanes[l]) }
            dWeights[k] = sum
        }
    }
}
