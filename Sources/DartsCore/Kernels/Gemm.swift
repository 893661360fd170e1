// Matrix multiply: OpenBLAS's cblas_sgemm (BLAS/OpenBLAS.swift) behind a small row-major wrapper, plus its naive oracle.

/// C (M×N) = alpha · op(A) · op(B) + beta · C, all row-major; op transposes when asked.
/// `lda`, `ldb`, `ldc` default to the packed row length of each stored matrix.
@inline(__always)
public func gemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                 alpha: Float = 1, a: UnsafePointer<Float>, lda: Int? = nil,
                 b: UnsafePointer<Float>, ldb: Int? = nil,
                 beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int? = nil) {
    if m == 0 || n == 0 { return }
    if k == 0 {
        // BLAS leaves C untouched only when beta == 1; be explicit for the empty sum.
        for i in 0..<(m * (ldc ?? n)) { c[i] *= beta }
        return
    }
    DartsCore.configureThreads()
    OpenBLAS.sgemm(transA: transA, transB: transB, m: Int32(m), n: Int32(n), k: Int32(k), alpha: alpha,
                   a: a, lda: Int32(lda ?? (transA ? m : k)),
                   b: b, ldb: Int32(ldb ?? (transB ? k : n)),
                   beta: beta, c: c, ldc: Int32(ldc ?? n))
}

/// Naive triple loop with the same contract as `gemm` (packed layouts), accumulating in Double.
public func gemmNaive(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                      alpha: Float = 1, a: UnsafePointer<Float>, b: UnsafePointer<Float>,
                      beta: Float = 0, c: UnsafeMutablePointer<Float>) {
    for i in 0..<m {
        for j in 0..<n {
            var s = 0.0
            for p in 0..<k {
                let av = transA ? a[p * m + i] : a[i * k + p]
                let bv = transB ? b[j * k + p] : b[p * n + j]
                s += Double(av) * Double(bv)
            }
            let prev = beta == 0 ? 0 : beta * c[i * n + j]
            c[i * n + j] = alpha * Float(s) + prev
        }
    }
}

/// Products below this many multiply-adds run as one `gemm` call: the split would cost more than
/// it saves, and the small GEMMs of the CNN search (its classifier) keep their bits.
let blockedGemmMinimumWork = 1 << 21

/// The rows (or columns) per block when `blockedGemm` splits a dimension of `size`: about 16
/// blocks, at least 64 and a multiple of 16 (OpenBLAS's register tiles). A function of the size
/// alone, never of the thread count, so every thread count computes the same blocks.
func gemmBlockSize(_ size: Int) -> Int {
    max(64, ((size + 15) / 16 + 15) / 16 * 16)
}

/// `gemm` across the workers: C is cut into blocks of rows (when M ≥ N) or of columns, each one
/// `gemm` call over the full K, run by `parallelFor`. K is never split, so each element's sum
/// runs in one call, and the blocks depend on the shape alone: the same bits for any thread
/// count. Leading dimensions are those `gemm` defaults to (packed storage).
public func blockedGemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                        a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
    let (lda, ldb, ldc) = (transA ? m : k, transB ? k : n, n)
    guard m * n * k >= blockedGemmMinimumWork, k > 0 else {
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, lda: lda, b: b, ldb: ldb, c: c, ldc: ldc)
        return
    }
    let alongRows = m >= n
    let size = alongRows ? m : n
    let block = gemmBlockSize(size)
    let blocks = (size + block - 1) / block
    DartsCore.parallelFor(blocks) { range in
        for blockIndex in range {
            let start = blockIndex * block, count = min(block, size - start)
            if alongRows {
                // Rows start…start+count of op(A) and of C.
                gemm(transA: transA, transB: transB, m: count, n: n, k: k,
                     a: a + (transA ? start : start * lda), lda: lda, b: b, ldb: ldb,
                     c: c + start * ldc, ldc: ldc)
            } else {
                // Columns start…start+count of op(B) and of C.
                gemm(transA: transA, transB: transB, m: m, n: count, k: k, a: a, lda: lda,
                     b: b + (transB ? start * ldb : start), ldb: ldb, c: c + start, ldc: ldc)
            }
        }
    }
}
