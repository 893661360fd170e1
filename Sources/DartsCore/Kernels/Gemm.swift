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
public let blockedGemmMinimumWork = 1 << 21

/// The product of packed matrices across the workers. Large ones run `chainGemm` (one FMA chain
/// per element: the same bits on AVX-512 and AVX2 machines and for any thread count, and the
/// AVX-512 kernel where the CPU has it); small ones, below `blockedGemmMinimumWork`, run as one
/// OpenBLAS call.
public func blockedGemm(transA: Bool = false, transB: Bool = false, m: Int, n: Int, k: Int,
                        a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>) {
    guard m * n * k >= blockedGemmMinimumWork, k > 0 else {
        gemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, b: b, c: c)
        return
    }
    chainGemm(transA: transA, transB: transB, m: m, n: n, k: k, a: a, b: b, c: c)
}
