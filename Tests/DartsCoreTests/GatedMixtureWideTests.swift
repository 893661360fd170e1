// The gated mixture's AVX-512 rows (CGemm/gated_mixture.c) against the 8-lane Swift rows they
// stand in for: the same bits for every subset of activations, row lengths around both lane
// widths, values past exp's clamps, ±0 and NaN, forward and backward (weight gradients included).
@testable import DartsCore
import CGemm
import Testing

@Test("AVX-512 gated-mixture rows give the 8-lane rows' bits",
      .enabled(if: VectorISA.widest(on: .current) == .avx512, "this CPU has no AVX-512: its machines run the Swift rows only"),
      arguments: [1, 5, 8, 9, 15, 16, 17, 24, 40, 300])
func wideGatedMixtureRowsMatchTheSwiftRows(_ h: Int) throws {
    var rng = PhiloxRandom(seed: UInt64(h))
    func values(_ n: Int, scale: Float) -> [Float] {
        var v = (0..<n).map { _ in (rng.nextUniformFloat() * 2 - 1) * scale }
        if n > 3 { v[0] = 0; v[1] = -0.0; v[2] = 95; v[3] = -100 }  // ±0 and past the clamps
        return v
    }
    let (s, gates, grad) = (values(h, scale: 2), values(2 * h, scale: 6), values(h, scale: 1))
    var gatesWithNaN = gates
    if h > 5 { gatesWithNaN[h + 4] = .nan; gatesWithNaN[4] = .nan }
    for input in [gates, gatesWithNaN] {
        for active in 1..<16 {
            var m = GateWeights()
            let kinds: [GateActivation] = [.tanh, .relu, .sigmoid, .identity]
            for (slot, kind) in kinds.enumerated() where active & (1 << slot) != 0 {
                m.set(kind, rng.nextUniformFloat() - 0.3)
            }
            let w = [m.w[0], m.w[1], m.w[2], m.w[3]]
            let start = values(h, scale: 1)
            var (dSwift, dWide) = (start, start)
            gatedMixtureRow(m, s: s, gates: input, h, into: &dSwift)
            dp_gated_mixture_row_avx512(w, m.activeBits, s, input, Int32(h), &dWide)
            #expect(dSwift.map(\.bitPattern) == dWide.map(\.bitPattern), "forward, h \(h), activations \(active)")

            var (dsS, dgS, dwS) = ([Float](repeating: 7, count: h), [Float](repeating: 7, count: 2 * h), [Double](repeating: 7, count: 4))
            var (dsW, dgW, dwW) = (dsS, dgS, dwS)
            gatedMixtureRowBackward(m, s: s, gates: input, h, grad: grad, dState: &dsS, dGates: &dgS, dWeights: &dwS)
            dp_gated_mixture_row_backward_avx512(w, m.activeBits, s, input, Int32(h), grad, &dsW, &dgW, &dwW)
            #expect(dsS.map(\.bitPattern) == dsW.map(\.bitPattern), "dState, h \(h), activations \(active)")
            #expect(dgS.map(\.bitPattern) == dgW.map(\.bitPattern), "dGates, h \(h), activations \(active)")
            #expect(dwS.map(\.bitPattern) == dwW.map(\.bitPattern), "dWeights, h \(h), activations \(active)")
        }
    }
}
