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
        // Each row costs n·H sigmoids and activations: chunks of ~4k of them are worth a thread.
        // Rows are independent (weight gradients are summed per row), so any split gives the same bits.
        let rowsPerChunk = Swift.max(1, (elementwiseChunk / 16) / (n * h))
        let out = withBasePointers(vs[...], []) { ps in
            vg.withUnsafeBufferPointer { pg in
                Tensor.build(sShape) { dst in
                    DartsCore.parallelFor(b, minChunk: rowsPerChunk) { rows in
                        for r in rows {
                            let d = dst.baseAddress! + r * h
                            for i in 0..<h { d[i] = 0 }
                            for j in 0..<n {
                                gatedMixtureRow(mix[j], s: ps[j] + r * h, gates: pg.baseAddress! + (j * b + r) * 2 * h, h, into: d)
                            }
                        }
                    }
                }
            }
        }
        let stateFlags = states.map { needs[$0.id] }
        let (ng, nw) = (needs[gates.id], needs[weights.id])
        let wShape = vw.shape
        return record(out, inputs: states + [gates, weights]) {
            { g, s in
                // Every state's gradient in one (n·B, H) buffer, handed out per state below.
                var dStates: Tensor? = stateFlags.contains(true) ? Tensor.build([n * b, h]) { _ in } : nil
                var dGates = ng ? Tensor.build(vg.shape) { _ in } : nil
                // Per row and state, the weight gradient of each activation (summed in Double per
                // row, rows added in order: the same bits for any thread count).
                var dw = [Double](repeating: 0, count: nw ? b * n * 4 : 0)
                withBasePointers(vs[...], []) { ps in
                    withOptionalPointer(&dStates) { pds in withOptionalPointer(&dGates) { pdg in
                        vg.withUnsafeBufferPointer { pg in g.withUnsafeBufferPointer { pgr in
                            dw.withUnsafeMutableBufferPointer { pdw in
                                DartsCore.parallelFor(b, minChunk: rowsPerChunk) { rows in
                                    for r in rows {
                                        for j in 0..<n {
                                            let base = (j * b + r) * 2 * h
                                            gatedMixtureRowBackward(
                                                mix[j], s: ps[j] + r * h, gates: pg.baseAddress! + base, h,
                                                grad: pgr.baseAddress! + r * h, dState: pds.map { $0 + (j * b + r) * h },
                                                dGates: pdg.map { $0 + base },
                                                dWeights: nw ? pdw.baseAddress! + (r * n + j) * 4 : nil)
                                        }
                                    }
                                }
                            }
                        } }
                    } }
                }
                if let dStates {
                    dStates.withUnsafeBufferPointer { src in
                        for (j, x) in states.enumerated() where stateFlags[j] {
                            s.add(x, Tensor.build(sShape) { d in d.baseAddress!.update(from: src.baseAddress! + j * b * h, count: b * h) })
                        }
                    }
                }
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
    var any: Bool { active != .zero }
}

@inline(__always) func logistic(_ x: Float) -> Float { 1 / (1 + expf(-x)) }

/// d[i] += Σ_k w_k·(s + σ(c)·(f_k(h) − s)) over one row of H elements.
@inline(__always)
func gatedMixtureRow(_ m: GateWeights, s: UnsafePointer<Float>, gates: UnsafePointer<Float>, _ h: Int,
                     into d: UnsafeMutablePointer<Float>) {
    guard m.any else { return }
    let (t, re, sg, id) = (m.active[0] != 0, m.active[1] != 0, m.active[2] != 0, m.active[3] != 0)
    let w = m.w
    for i in 0..<h {
        let sv = s[i], sig = logistic(gates[i]), x = gates[h + i]
        var acc: Float = 0
        if t { acc += w[0] * (sv + sig * (tanhf(x) - sv)) }
        if re { acc += w[1] * (sv + sig * (Swift.max(x, 0) - sv)) }
        if sg { acc += w[2] * (sv + sig * (logistic(x) - sv)) }
        if id { acc += w[3] * (sv + sig * (x - sv)) }
        d[i] += acc
    }
}

/// One row's backward: writes dState and dGates (overwriting) and the weight gradients of the
/// four slots (Σ over the row of grad·(s + σ(c)·(f_k(h) − s)), in Double).
@inline(__always)
func gatedMixtureRowBackward(_ m: GateWeights, s: UnsafePointer<Float>, gates: UnsafePointer<Float>, _ h: Int,
                             grad: UnsafePointer<Float>, dState: UnsafeMutablePointer<Float>?,
                             dGates: UnsafeMutablePointer<Float>?, dWeights: UnsafeMutablePointer<Double>?) {
    let (t, re, sg, id) = (m.active[0] != 0, m.active[1] != 0, m.active[2] != 0, m.active[3] != 0)
    let w = m.w
    let total = (t ? w[0] : 0) + (re ? w[1] : 0) + (sg ? w[2] : 0) + (id ? w[3] : 0)
    var dw = SIMD4<Double>.zero
    for i in 0..<h {
        let g = grad[i], sv = s[i], sig = logistic(gates[i]), x = gates[h + i]
        var mixF: Float = 0, mixDF: Float = 0  // Σ w_k f_k(h), Σ w_k f_k'(h)
        if t { let f = tanhf(x); mixF += w[0] * f; mixDF += w[0] * (1 - f * f); if dWeights != nil { dw[0] += Double(g * (sv + sig * (f - sv))) } }
        if re { let f = Swift.max(x, 0); mixF += w[1] * f; if x > 0 { mixDF += w[1] }; if dWeights != nil { dw[1] += Double(g * (sv + sig * (f - sv))) } }
        if sg { let f = logistic(x); mixF += w[2] * f; mixDF += w[2] * f * (1 - f); if dWeights != nil { dw[2] += Double(g * (sv + sig * (f - sv))) } }
        if id { mixF += w[3] * x; mixDF += w[3]; if dWeights != nil { dw[3] += Double(g * (sv + sig * (x - sv))) } }
        dState?[i] = g * total * (1 - sig)
        if let dGates {
            dGates[i] = g * sig * (1 - sig) * (mixF - total * sv)
            dGates[h + i] = g * sig * mixDF
        }
    }
    if let dWeights { for k in 0..<4 { dWeights[k] = dw[k] } }
}
