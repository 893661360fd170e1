// Direct SIMD kernel for the 1×1 conv's forward and input-gradient products on one image:
// y (M × HW) = A (M × K) · x (K × HW), with A read through strides so that Aᵀ needs no copy.
// In the supernet M = K = 16–256 and HW = 64–1024: per-image sgemm calls spent as much time
// zeroing C (`sgemm_beta`) and packing both operands as multiplying. Here 4 rows × 16 pixels
// are accumulated in registers over K; A's entries are broadcast from memory. Each output sums
// its K products in order j = 0, 1, … in Float, whatever the blocking (deterministic; the
// naive GEMM is the oracle).

import CGemm

/// Floats of the per-worker scratch `pointwiseProductWidest` needs for a K of `k`.
func pointwiseScratchCount(k: Int) -> Int { k * 32 }

/// `pointwiseProduct` on the widest vectors this CPU has: AVX-512 machines run CGemm's 8 × 32-pixel
/// tiles (pointwise.c), which give the Swift kernel's bits; `pack` holds `pointwiseScratchCount(k:)`.
@inline(__always)
func pointwiseProductWidest(m: Int, k: Int, hw: Int, a: UnsafePointer<Float>, rowStride: Int, colStride: Int,
                            x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, pack: UnsafeMutablePointer<Float>) {
    if VectorISA.current == .avx512 {
        dp_pointwise_product_avx512(Int32(m), Int32(k), Int32(hw), a, rowStride, colStride, x, y, pack)
    } else {
        pointwiseProduct(m: m, k: k, hw: hw, a: a, rowStride: rowStride, colStride: colStride, x: x, y: y, pack: pack)
    }
}

/// y[r·hw + p] = Σ_{j<k} A(r, j) · x[j·hw + p] with A(r, j) = a[r·rowStride + j·colStride];
/// overwrites y (m × hw). `pack` is caller-owned scratch of at least k·16 floats, one per worker
/// reused across images, so the hot path does no heap allocation.
func pointwiseProduct(m: Int, k: Int, hw: Int, a: UnsafePointer<Float>, rowStride: Int, colStride: Int,
                      x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, pack: UnsafeMutablePointer<Float>) {
    let z = SIMD8<Float>(repeating: 0)
    let m4 = m & ~3
    // The K × 16 block of x is packed contiguously first: at HW = 1024 its rows are 4 KB apart,
    // all in one L1 set, and were evicted between the row blocks that reuse them.
    var p = 0
    // 16-pixel columns: 4 rows at a time (8 accumulators), then single rows.
    while p + 16 <= hw {
        for j in 0..<k {
            store8(load8(x + j * hw + p), pack + j * 16); store8(load8(x + j * hw + p + 8), pack + j * 16 + 8)
        }
        var r = 0
        while r < m4 {
            var a0 = z, a1 = z, a2 = z, a3 = z, b0 = z, b1 = z, b2 = z, b3 = z
            let ar = a + r * rowStride
            for j in 0..<k {
                let xr = pack + j * 16
                let x0 = load8(xr), x1 = load8(xr + 8)
                let aj = ar + j * colStride
                let w0 = SIMD8<Float>(repeating: aj[0]), w1 = SIMD8<Float>(repeating: aj[rowStride])
                let w2 = SIMD8<Float>(repeating: aj[2 * rowStride]), w3 = SIMD8<Float>(repeating: aj[3 * rowStride])
                a0 += w0 * x0; b0 += w0 * x1
                a1 += w1 * x0; b1 += w1 * x1
                a2 += w2 * x0; b2 += w2 * x1
                a3 += w3 * x0; b3 += w3 * x1
            }
            let yr = y + r * hw + p
            store8(a0, yr); store8(b0, yr + 8)
            store8(a1, yr + hw); store8(b1, yr + hw + 8)
            store8(a2, yr + 2 * hw); store8(b2, yr + 2 * hw + 8)
            store8(a3, yr + 3 * hw); store8(b3, yr + 3 * hw + 8)
            r += 4
        }
        while r < m {
            var a0 = z, b0 = z
            let ar = a + r * rowStride
            for j in 0..<k {
                let xr = pack + j * 16
                let w0 = SIMD8<Float>(repeating: ar[j * colStride])
                a0 += w0 * load8(xr); b0 += w0 * load8(xr + 8)
            }
            store8(a0, y + r * hw + p); store8(b0, y + r * hw + p + 8)
            r += 1
        }
        p += 16
    }
    // One 8-pixel column.
    if p + 8 <= hw {
        for r in 0..<m {
            var a0 = z
            let ar = a + r * rowStride
            for j in 0..<k { a0 += SIMD8<Float>(repeating: ar[j * colStride]) * load8(x + j * hw + p) }
            store8(a0, y + r * hw + p)
        }
        p += 8
    }
    // Scalar tail.
    while p < hw {
        for r in 0..<m {
            var s: Float = 0
            let ar = a + r * rowStride
            for j in 0..<k { s += ar[j * colStride] * x[j * hw + p] }
            y[r * hw + p] = s
        }
        p += 1
    }
}
