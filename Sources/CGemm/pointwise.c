// The 1×1 conv's forward and input-gradient product on one image (DartsCore/Kernels/Pointwise.swift):
// y (m × hw) = A (m × k) · x (k × hw). Each output is one fused multiply-add chain over j = 0, 1, …
// started from 0, the chain GEMM's contract (include/CGemm.h), so AVX-512 (8 rows × 32 pixels),
// AVX2 (6 rows × 16 pixels) and scalar (fmaf) give the same bits, and the same bits as `chainGemm`
// of the same product. A(r, j) = a[r·rowStride + j·colStride], so Aᵀ needs no copy. The k × width
// column block of x is packed contiguously first: at hw = 1024 its rows are 4 KB apart, all in one
// L1 set. Lanes past the width compute on zeros and are never stored.
#include "CGemm.h"
#include <immintrin.h>
#include <math.h>

#define PW512_ROWS 8
#define PW512_COLS 32
#define PW256_ROWS 6
#define PW256_COLS 16

// Column blocks ahead that x's and y's rows are prefetched: at 32 × 32 the k rows of x and m rows of
// y are 4 KB apart, more streams than the hardware prefetchers follow.
#define PW_PREFETCH_BLOCKS 2

long dp_pointwise_scratch_count(int k) { return (long)k * PW512_COLS; }

// ---- AVX-512 -------------------------------------------------------------------------------------

// Rows [0, rows) × one packed column block, `halves` 16-lane halves, the last one loaded and stored
// through `last` when `masked`. Called with constant shapes, so the accumulators stay in registers.
__attribute__((target("avx512f"), always_inline))
static inline void pw512_tile(const int rows, const int halves, const int masked, int k,
                              const float *a, long rowStride, long colStride, const float *pack,
                              float *y, long ldy, __mmask16 last) {
    __m512 c0[PW512_ROWS], c1[PW512_ROWS];
    for (int r = 0; r < rows; r++) { c0[r] = _mm512_setzero_ps(); c1[r] = _mm512_setzero_ps(); }
    for (int j = 0; j < k; j++) {
        const __m512 x0 = _mm512_loadu_ps(pack + j * PW512_COLS);
        const __m512 x1 = halves == 2 ? _mm512_loadu_ps(pack + j * PW512_COLS + 16) : x0;
        const float *aj = a + j * colStride;
        for (int r = 0; r < rows; r++) {
            const __m512 w = _mm512_set1_ps(aj[r * rowStride]);
            c0[r] = _mm512_fmadd_ps(w, x0, c0[r]);
            if (halves == 2) c1[r] = _mm512_fmadd_ps(w, x1, c1[r]);
        }
    }
    for (int r = 0; r < rows; r++) {
        float *yr = y + r * ldy;
        if (halves == 1) {
            if (masked) _mm512_mask_storeu_ps(yr, last, c0[r]); else _mm512_storeu_ps(yr, c0[r]);
        } else {
            _mm512_storeu_ps(yr, c0[r]);
            if (masked) _mm512_mask_storeu_ps(yr + 16, last, c1[r]); else _mm512_storeu_ps(yr + 16, c1[r]);
        }
    }
}

#define PW512_CASE(R) case R: pw512_tile(R, halves, masked, k, a, rowStride, colStride, pack, y, ldy, last); break;
#define PW512_SHAPE(H, M) { const int halves = H, masked = M; \
    switch (rows) { PW512_CASE(1) PW512_CASE(2) PW512_CASE(3) PW512_CASE(4) PW512_CASE(5) PW512_CASE(6) \
                    PW512_CASE(7) PW512_CASE(8) } }

// One block of `rows` ≤ 8 rows and `width` ≤ 32 pixels, dispatched to a specialised body.
__attribute__((target("avx512f")))
static void pw512_block(int rows, int width, int k, const float *a, long rowStride, long colStride,
                        const float *pack, float *y, long ldy) {
    const int rest = width > 16 ? width - 16 : width;
    const __mmask16 last = rest >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << rest) - 1);
    if (width == 32) PW512_SHAPE(2, 0)
    else if (width > 16) PW512_SHAPE(2, 1)
    else if (width == 16) PW512_SHAPE(1, 0)
    else PW512_SHAPE(1, 1)
}
#undef PW512_SHAPE
#undef PW512_CASE

__attribute__((target("avx512f")))
static void pw512(int m, int k, int hw, const float *a, long rowStride, long colStride,
                  const float *x, float *y, float *pack) {
    for (int p = 0; p < hw; p += PW512_COLS) {
        const int width = hw - p < PW512_COLS ? hw - p : PW512_COLS;
        const __mmask16 m0 = width >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << width) - 1);
        const __mmask16 m1 = width >= 32 ? (__mmask16)0xFFFF : width > 16 ? (__mmask16)((1u << (width - 16)) - 1) : 0;
        const int ahead = p + PW_PREFETCH_BLOCKS * PW512_COLS < hw;
        for (int j = 0; j < k; j++) {
            const float *xj = x + (long)j * hw + p;
            if (ahead) { __builtin_prefetch(xj + PW_PREFETCH_BLOCKS * PW512_COLS, 0, 3); __builtin_prefetch(xj + PW_PREFETCH_BLOCKS * PW512_COLS + 16, 0, 3); }
            _mm512_storeu_ps(pack + j * PW512_COLS, _mm512_maskz_loadu_ps(m0, xj));
            _mm512_storeu_ps(pack + j * PW512_COLS + 16, _mm512_maskz_loadu_ps(m1, xj + 16));
        }
        if (ahead)
            for (int r = 0; r < m; r++) {
                float *yr = y + (long)r * hw + p + PW_PREFETCH_BLOCKS * PW512_COLS;
                __builtin_prefetch(yr, 1, 3); __builtin_prefetch(yr + 16, 1, 3);
            }
        for (int r = 0; r < m; r += PW512_ROWS) {
            const int rows = m - r < PW512_ROWS ? m - r : PW512_ROWS;
            pw512_block(rows, width, k, a + r * rowStride, rowStride, colStride, pack, y + (long)r * hw + p, hw);
        }
    }
}

// ---- AVX2 ----------------------------------------------------------------------------------------

// Rows [0, rows) × one packed block of 16 columns; an edge block (width < 16) goes through `edge`.
__attribute__((target("avx2,fma"), always_inline))
static inline void pw256_tile(const int rows, int k, const float *a, long rowStride, long colStride,
                              const float *pack, float *y, long ldy, int width) {
    __m256 c0[PW256_ROWS], c1[PW256_ROWS];
    for (int r = 0; r < rows; r++) { c0[r] = _mm256_setzero_ps(); c1[r] = _mm256_setzero_ps(); }
    for (int j = 0; j < k; j++) {
        const __m256 x0 = _mm256_loadu_ps(pack + j * PW256_COLS), x1 = _mm256_loadu_ps(pack + j * PW256_COLS + 8);
        const float *aj = a + j * colStride;
        for (int r = 0; r < rows; r++) {
            const __m256 w = _mm256_broadcast_ss(aj + r * rowStride);
            c0[r] = _mm256_fmadd_ps(w, x0, c0[r]);
            c1[r] = _mm256_fmadd_ps(w, x1, c1[r]);
        }
    }
    for (int r = 0; r < rows; r++) {
        float *yr = y + r * ldy;
        if (width == PW256_COLS) { _mm256_storeu_ps(yr, c0[r]); _mm256_storeu_ps(yr + 8, c1[r]); continue; }
        float edge[PW256_COLS];
        _mm256_storeu_ps(edge, c0[r]); _mm256_storeu_ps(edge + 8, c1[r]);
        for (int q = 0; q < width; q++) yr[q] = edge[q];
    }
}

#define PW256_CASE(R) case R: pw256_tile(R, k, a, rowStride, colStride, pack, y, ldy, width); break;

__attribute__((target("avx2,fma")))
static void pw256_block(int rows, int width, int k, const float *a, long rowStride, long colStride,
                        const float *pack, float *y, long ldy) {
    switch (rows) { PW256_CASE(1) PW256_CASE(2) PW256_CASE(3) PW256_CASE(4) PW256_CASE(5) PW256_CASE(6) }
}
#undef PW256_CASE

__attribute__((target("avx2,fma")))
static void pw256(int m, int k, int hw, const float *a, long rowStride, long colStride,
                  const float *x, float *y, float *pack) {
    for (int p = 0; p < hw; p += PW256_COLS) {
        const int width = hw - p < PW256_COLS ? hw - p : PW256_COLS;
        for (int j = 0; j < k; j++) {
            const float *xj = x + (long)j * hw + p;
            float *dst = pack + j * PW256_COLS;
            if (width == PW256_COLS) { _mm256_storeu_ps(dst, _mm256_loadu_ps(xj)); _mm256_storeu_ps(dst + 8, _mm256_loadu_ps(xj + 8)); }
            else for (int q = 0; q < PW256_COLS; q++) dst[q] = q < width ? xj[q] : 0;
        }
        for (int r = 0; r < m; r += PW256_ROWS) {
            const int rows = m - r < PW256_ROWS ? m - r : PW256_ROWS;
            pw256_block(rows, width, k, a + r * rowStride, rowStride, colStride, pack, y + (long)r * hw + p, hw);
        }
    }
}

// ---- scalar --------------------------------------------------------------------------------------

// Machines without AVX2: the same chains through fmaf (correct rounding, slow).
static void pw_scalar(int m, int k, int hw, const float *a, long rowStride, long colStride,
                      const float *x, float *y) {
    for (int r = 0; r < m; r++)
        for (int p = 0; p < hw; p++) {
            float s = 0;
            for (int j = 0; j < k; j++) s = fmaf(a[r * rowStride + j * colStride], x[(long)j * hw + p], s);
            y[(long)r * hw + p] = s;
        }
}

void dp_pointwise_product(int isa, int m, int k, int hw, const float *a, long rowStride, long colStride,
                          const float *x, float *y, float *pack) {
    if (m <= 0 || hw <= 0) return;
    if (isa == DP_GEMM_AVX512) pw512(m, k, hw, a, rowStride, colStride, x, y, pack);
    else if (isa == DP_GEMM_AVX2) pw256(m, k, hw, a, rowStride, colStride, x, y, pack);
    else pw_scalar(m, k, hw, a, rowStride, colStride, x, y);
}
