// The plain 1×1 conv's products, in CGemm (pointwise.c, transpose.c), under the chain GEMM's contract:
// every output element is one fused multiply-add chain over its sum's terms in order, started from
// 0, so AVX-512, AVX2 and scalar machines, and any thread count, give the same bits.
// - forward and input gradient, one image: y (M × HW) = A (M × K) · x (K × HW), A read through
//   strides so that Aᵀ needs no copy. In the supernet and the evaluation network M, K = 16–256 and
//   HW = 64–1024: per-image sgemm calls spent as much time zeroing C and packing both operands as
//   multiplying; this kernel broadcasts A from memory and packs only a K × 32 block of x.
// - weight gradient over the batch: dW (Cout × Cin) = Σ_n dy_n · x_nᵀ, each element 16 chains over
//   (n, p ≡ lane mod 16) summed by a fixed tree, so dy's and x's rows are read as they lie (one
//   chain over (n, p) needed x packed transposed, and ran at a third of the forward's speed at
//   32 × 32); C's columns or rows split across the workers (per-image products into slots, summed
//   afterwards, cost a second pass over Cout × Cin × N floats).

import CGemm

/// Floats of the per-worker scratch `pointwiseProduct` needs for a K of `k`.
func pointwiseScratchCount(k: Int) -> Int { Int(dp_pointwise_scratch_count(Int32(k))) }

/// y[r·hw + p] = Σ_{j<k} A(r, j) · x[j·hw + p] with A(r, j) = a[r·rowStride + j·colStride], one FMA
/// chain per element; overwrites y (m × hw). `pack` is caller-owned scratch of
/// `pointwiseScratchCount(k:)` floats, one per worker reused across images.
@inline(__always)
func pointwiseProduct(m: Int, k: Int, hw: Int, a: UnsafePointer<Float>, rowStride: Int, colStride: Int,
                      x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, pack: UnsafeMutablePointer<Float>,
                      isa: VectorISA = .current) {
    dp_pointwise_product(isa.code, Int32(m), Int32(k), Int32(hw), a, rowStride, colStride, x, y, pack)
}

/// c (m × n, packed) = Σ_{t<terms} A_t · B_tᵀ with A_t = a + t·aTermStride (m × k, packed) and
/// B_t = b + t·bTermStride (n × k, packed). Element (i, j) is 16 FMA chains from 0, chain l over
/// the p ≡ l (mod 16) of t = 0, 1, … in order, then summed pairwise at distance 8, 4, 2, 1
/// (include/CGemm.h): the same bits on every instruction set and thread count. For the 1×1 conv's
/// weight gradient t is the image, A_t its dy, B_t its x.
public func chainSumOfProducts(m: Int, n: Int, k: Int, terms: Int, a: UnsafePointer<Float>, aTermStride: Int,
                               b: UnsafePointer<Float>, bTermStride: Int, c: UnsafeMutablePointer<Float>,
                               isa: VectorISA = .current) {
    if m == 0 || n == 0 { return }
    DartsCore.configureThreads()
    let code = isa.code
    let split = pointwiseWeightGradientSplit(m: m, n: n, workers: DartsCore.threadCount)
    DartsCore.parallelFor(split.units) { range in
        let scratch = UnsafeMutablePointer<Float>.allocate(capacity: Int(dp_pointwise_weight_gradient_scratch_count()))
        defer { scratch.deallocate() }
        let (rows, columns) = split.block(range)
        dp_pointwise_weight_gradient(code, Int32(rows.lowerBound), Int32(rows.upperBound), Int32(columns.lowerBound),
                                     Int32(columns.upperBound), Int32(n), Int32(k), Int32(terms),
                                     a, aTermStride, b, bTermStride, c, scratch)
    }
}

/// How the workers share C: in whole tiles of the kernel (4 rows × 6 columns on AVX-512, 4 × 3 on
/// AVX2), by columns or by rows, whichever leaves the largest worker the fewest elements (columns
/// on a tie). Neither changes a bit: each element is computed whole by one worker.
struct PointwiseWeightGradientSplit {
    let m: Int, n: Int, byColumns: Bool
    static let columnUnit = 6, rowUnit = 4
    var units: Int { byColumns ? (n + Self.columnUnit - 1) / Self.columnUnit : (m + Self.rowUnit - 1) / Self.rowUnit }

    func block(_ units: Range<Int>) -> (rows: Range<Int>, columns: Range<Int>) {
        if byColumns { return (0..<m, units.lowerBound * Self.columnUnit..<min(n, units.upperBound * Self.columnUnit)) }
        return (units.lowerBound * Self.rowUnit..<min(m, units.upperBound * Self.rowUnit), 0..<n)
    }
}

func pointwiseWeightGradientSplit(m: Int, n: Int, workers: Int) -> PointwiseWeightGradientSplit {
    // The largest of `workers` contiguous chunks of `count` in units (parallelFor's partition).
    func largest(_ count: Int, _ unit: Int) -> Int {
        let units = (count + unit - 1) / unit, k = max(1, min(workers, units))
        return min(count, ((units + k - 1) / k) * unit)
    }
    let columns = PointwiseWeightGradientSplit.columnUnit, rows = PointwiseWeightGradientSplit.rowUnit
    return PointwiseWeightGradientSplit(m: m, n: n, byColumns: m * largest(n, columns) <= largest(m, rows) * n)
}
