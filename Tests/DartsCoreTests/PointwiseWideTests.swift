// The 1×1 conv's AVX-512 product (CGemm/pointwise.c) against the 8-lane Swift kernel it stands in
// for: the same bits for row counts around the 8-row tile, pixel counts around both lane widths and
// the 32-pixel block, both ways of reading A (the forward's W and the input gradient's Wᵀ), and
// inputs holding ±0, NaN and values whose products overflow (NaNs compare as NaN: which payload an
// add of two NaNs keeps depends on the operand order the compiler chose).
@testable import DartsCore
import CGemm
import Testing

@Test("AVX-512 1×1 products give the 8-lane Swift kernel's bits",
      .enabled(if: VectorISA.widest(on: .current) == .avx512, "this CPU has no AVX-512: its machines run the Swift kernel only"),
      arguments: [1, 4, 15, 16, 17, 31, 32, 33, 48, 64, 100])
func widePointwiseProductMatchesTheSwiftKernel(_ hw: Int) {
    var rng = PhiloxRandom(seed: UInt64(hw))
    func values(_ n: Int) -> [Float] {
        var v = (0..<n).map { _ in rng.nextUniformFloat() * 2 - 1 }
        if n > 4 { v[0] = 0; v[1] = -0.0; v[2] = 3e38; v[3] = -3e38 }  // ±0, and products past Float's range
        return v
    }
    func bits(_ v: Float) -> UInt32 { v.isNaN ? Float.nan.bitPattern : v.bitPattern }
    for m in [1, 2, 3, 5, 7, 8, 9, 12, 16, 17, 36] {
        for k in [1, 2, 7, 36] {
            let a = values(m * k)
            var x = values(k * hw)
            if k * hw > 6 { x[5] = .nan }
            for transposed in [false, true] {
                let (rowStride, colStride) = transposed ? (1, m) : (k, 1)
                var ySwift = [Float](repeating: 7, count: m * hw), yWide = ySwift
                var pack = [Float](repeating: 0, count: pointwiseScratchCount(k: k))
                pointwiseProduct(m: m, k: k, hw: hw, a: a, rowStride: rowStride, colStride: colStride, x: x, y: &ySwift, pack: &pack)
                dp_pointwise_product_avx512(Int32(m), Int32(k), Int32(hw), a, rowStride, colStride, x, &yWide, &pack)
                #expect(ySwift.map(bits) == yWide.map(bits), "m \(m), k \(k), hw \(hw), transposed \(transposed)")
            }
        }
    }
}
