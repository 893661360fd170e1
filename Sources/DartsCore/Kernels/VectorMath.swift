// exp, tanh and the logistic function on 8 Float lanes, for the recurrent model's hot loops
// (the cell's gates, the wide log-softmax of the decoder). glibc's expf/tanhf are scalar calls
// and were a third of a recurrent step; these are branch-free and a few ulp from them.
//
// Deterministic everywhere: plain IEEE lane operations in a fixed order (Swift does not
// contract them into FMAs), no table lookups and no libm, so every x86-64 machine, every
// thread count and the portable build give the same bits. NaN passes through (the clamps are
// comparisons, which NaN fails), so a diverged run still stops on a non-finite loss.

/// e^x per lane, Cephes expf: x = n·ln2 + r with |r| ≤ ln2/2, a degree-6 polynomial for e^r,
/// and 2^n from the exponent bits. Inputs are clamped to [−87, 88], where 2^n stays normal:
/// e^88 ≈ 1.65e38 stands for overflow and e^−87 ≈ 1.6e−38 for underflow.
@inline(__always)
public func vectorExp(_ x: SIMD8<Float>) -> SIMD8<Float> {
    var x = x.replacing(with: 88, where: x .> 88)
    x = x.replacing(with: -87, where: x .< -87)
    // n = round(x·log2 e): adding 1.5·2^23 leaves n in the low mantissa bits.
    let shifter = SIMD8<Float>(repeating: 12_582_912)
    let shifted = x * 1.442_695_040_888_963_4 + shifter
    let n = shifted - shifter
    // r = x − n·ln2, ln2 in two parts (Cody–Waite) so n·0.693359375 is exact.
    let r = (x - n * 0.693_359_375) + n * 2.121_944_400_546_905_8e-4
    var p = SIMD8<Float>(repeating: 1.987_569_150_0e-4)
    p = p * r + 1.398_199_950_7e-3
    p = p * r + 8.333_451_907_3e-3
    p = p * r + 4.166_579_589_4e-2
    p = p * r + 1.666_666_545_9e-1
    p = p * r + 5.000_000_120_1e-1
    p = p * (r * r) + r + 1
    let exponent = unsafeBitCast(shifted, to: SIMD8<Int32>.self) &- unsafeBitCast(shifter, to: SIMD8<Int32>.self)
    return p * unsafeBitCast((exponent &+ 127) &<< 23, to: SIMD8<Float>.self)
}

/// tanh per lane: x + x³·P(x²) for |x| < 0.625 (Cephes tanhf), else ±(1 − 2/(e^{2|x|} + 1)).
@inline(__always)
public func vectorTanh(_ x: SIMD8<Float>) -> SIMD8<Float> {
    let bits = unsafeBitCast(x, to: SIMD8<UInt32>.self)
    let sign = bits & 0x8000_0000
    let a = unsafeBitCast(bits & 0x7FFF_FFFF, to: SIMD8<Float>.self)
    let large = 1 - 2 / (vectorExp(a + a) + 1)
    let signedLarge = unsafeBitCast(unsafeBitCast(large, to: SIMD8<UInt32>.self) | sign, to: SIMD8<Float>.self)
    let z = x * x
    var p = SIMD8<Float>(repeating: -5.704_988_727_45e-3)
    p = p * z + 2.063_908_879_54e-2
    p = p * z - 5.373_971_555_31e-2
    p = p * z + 1.333_144_220_36e-1
    p = p * z - 3.333_328_194_22e-1
    let small = p * z * x + x
    return small.replacing(with: signedLarge, where: a .>= 0.625)
}

/// 1/(1 + e^−x) per lane.
@inline(__always)
public func vectorLogistic(_ x: SIMD8<Float>) -> SIMD8<Float> {
    1 / (1 + vectorExp(-x))
}

/// Loads p[0..<count] (count ≤ 8) into the low lanes, zeros above: the tail of a row goes
/// through the same lane arithmetic as its body, so an element's bits do not depend on where
/// in the row it sits.
@inline(__always)
func loadPartial8(_ p: UnsafePointer<Float>, _ count: Int) -> SIMD8<Float> {
    var v = SIMD8<Float>(repeating: 0)
    for l in 0..<count { v[l] = p[l] }
    return v
}

@inline(__always)
func storePartial8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
    for l in 0..<count { p[l] = v[l] }
}

/// count (≤ 8) lanes from p: a full load or `loadPartial8`.
@inline(__always)
func loadLanes8(_ p: UnsafePointer<Float>, _ count: Int) -> SIMD8<Float> {
    count == 8 ? load8(p) : loadPartial8(p, count)
}

/// count (≤ 8) lanes to p: a full store or `storePartial8`.
@inline(__always)
func storeLanes8(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>, _ count: Int) {
    if count == 8 { store8(v, p) } else { storePartial8(v, p, count) }
}
