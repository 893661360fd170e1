// Row kernels for wide last axes (a decoder's vocabulary): log Σ exp, row sums and the
// exponentials on 8 lanes (VectorMath.swift), each row summed in blocks of 64 elements whose
// Float lane sums are added in Double, in a fixed order. Rows are independent, so callers split
// them across the workers without changing a bit.

#if canImport(Glibc)
import Glibc
#else
import Darwin
#endif

/// Rows at least this wide take these kernels; narrower ones (the CNN's 10 or 100 classes)
/// keep the scalar ones and their recorded bits.
public let wideRowMinimum = 512

/// Lanes of a block sum handed to Double one by one, in lane order.
@inline(__always)
private func addLanes(_ v: SIMD8<Float>, to total: inout Double) {
    for l in 0..<8 { total += Double(v[l]) }
}

/// max of p[0..<k] (NaN is absorbed here but not in the sum that follows).
@inline(__always)
func wideRowMax(_ p: UnsafePointer<Float>, _ k: Int) -> Float {
    var mv = SIMD8<Float>(repeating: -.infinity)
    var i = 0
    while i + 8 <= k { let v = load8(p + i); mv = mv.replacing(with: v, where: v .> mv); i += 8 }
    var m = mv.max()
    while i < k { m = Swift.max(m, p[i]); i += 1 }
    return m
}

/// Σ f(p[i]) over p[0..<k] for a lane function f, in blocks of 64.
@inline(__always)
func wideRowSum(_ p: UnsafePointer<Float>, _ k: Int, _ f: (SIMD8<Float>) -> SIMD8<Float>) -> Double {
    var total = 0.0
    var i = 0
    while i < k {
        let end = Swift.min(k, i + 64)
        var block = SIMD8<Float>(repeating: 0)
        while i + 8 <= end { block += f(load8(p + i)); i += 8 }
        if i < end {
            let count = end - i
            let v = f(loadPartial8(p + i, count))
            for l in 0..<count { block[l] += v[l] }
            i = end
        }
        addLanes(block, to: &total)
    }
    return total
}

/// log Σ exp(p[0..<k]), stable (max subtracted first).
@inline(__always)
public func wideLogSumExp(_ p: UnsafePointer<Float>, _ k: Int) -> Float {
    let m = wideRowMax(p, k)
    let mv = SIMD8<Float>(repeating: m)
    return m + Float(log(wideRowSum(p, k) { vectorExp($0 - mv) }))
}

/// q[i] = f(p[i]) over 0..<k.
@inline(__always)
func wideRowMap(_ p: UnsafePointer<Float>, _ q: UnsafeMutablePointer<Float>, _ k: Int,
                _ f: (SIMD8<Float>) -> SIMD8<Float>) {
    var i = 0
    while i + 8 <= k { store8(f(load8(p + i)), q + i); i += 8 }
    if i < k { storePartial8(f(loadPartial8(p + i, k - i)), q + i, k - i) }
}

/// Runs `body(row)` for rows 0..<rows of width k across the workers.
@inline(__always)
func forEachWideRow(_ rows: Int, _ k: Int, _ body: (Int) -> Void) {
    DartsCore.parallelFor(rows, minChunk: Swift.max(1, (1 << 16) / Swift.max(1, k))) { range in
        for r in range { body(r) }
    }
}
