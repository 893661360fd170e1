// The depthwise conv's plane correlation on AVX-512 (CGemm/correlate.c) against the 8-lane Swift
// loops it stands in for: the same bits for every plane width around the 8-, 16- and 32-lane blocks
// and the scalar tail, every band height around 1, 2, 4 and 8 rows, 3 × 3 and 5 × 5 taps (the
// dilated ones spread wider), pitches past the width, and inputs holding ±0, ±∞, NaN and products
// past Float's range.
@testable import DartsCore
import Testing

private func bits(_ v: Float) -> UInt32 { v.isNaN ? Float.nan.bitPattern : v.bitPattern }

@Test("the AVX-512 plane correlation gives the bits of the 8-lane one",
      arguments: [1, 3, 7, 8, 9, 15, 16, 17, 24, 31, 32, 33, 40, 47, 48, 64, 65])
func avx512CorrelationMatchesTheEightLaneLoops(_ ow: Int) {
    // A CPU without AVX-512 runs only the 8-lane loops: there is nothing to compare.
    guard VectorISA.widest(on: .current) == .avx512 else { return }
    var rng = PhiloxRandom(seed: 900 + UInt64(ow))
    for (kernel, dilation) in [(3, 1), (5, 1), (3, 2)] {
        let span = dilation * (kernel - 1)
        let pitch = ((ow + span + 7) & ~7) + 8
        let taps = kernel * kernel
        var offs = [Int](repeating: 0, count: taps), ws = [Float](repeating: 0, count: taps)
        for ky in 0..<kernel { for kx in 0..<kernel {
            offs[ky * kernel + kx] = ky * dilation * pitch + kx * dilation
            ws[ky * kernel + kx] = rng.nextUniformFloat() * 2 - 1
        } }
        ws[1] = -0.0
        for oh in [1, 2, 3, 5, 8, 9, 13] {
            var src = (0..<((oh + span) * pitch)).map { _ in rng.nextUniformFloat() * 2 - 1 }
            src[0] = 0; src[1] = -0.0; src[2] = .nan; src[3] = .infinity; src[4] = 3e38; src[pitch + 1] = -3e38
            var wide = [Float](repeating: 7, count: oh * ow), narrow = [Float](repeating: 7, count: oh * ow)
            correlatePlane(src, pitch: pitch, offs: offs, ws: ws, taps: taps, out: &wide, oh: oh, ow: ow, isa: .avx512)
            correlatePlane(src, pitch: pitch, offs: offs, ws: ws, taps: taps, out: &narrow, oh: oh, ow: ow, isa: .avx2)
            #expect(wide.map(bits) == narrow.map(bits), "\(kernel)×\(kernel) dilation \(dilation), \(oh) × \(ow)")
        }
    }
}
