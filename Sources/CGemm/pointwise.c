// The 1×1 conv's forward and input-gradient product on one image (DartsCore/Kernels/Pointwise.swift)
// on 16 AVX-512 lanes: y (m × hw) = A (m × k) · x (k × hw). Each output is the Swift kernel's
// sum, 0 + A(r,0)·x(0,p) + A(r,1)·x(1,p) + …, one rounded multiply and one rounded add per term in
// order j = 0, 1, … (no FMA: the file is built with -ffp-contract=off), so the bits equal those of
// the 8-lane Swift kernel that AVX2 machines run; only the tiles (8 rows × 32 pixels) are wider.
#include "CGemm.h"
#include <immintrin.h>

#define PW_ROWS 8
#define PW_COLS 32

// Rows [0, rows) × one column block of the packed x (k × 32), `halves` 16-lane halves, the last one
// stored through `last` when `masked`. Called with constant shapes, so the accumulators stay in
// registers.
__attribute__((target("avx512f"), always_inline))
static inline void pw_tile(const int rows, const int halves, const int masked, int k,
                           const float *a, long rowStride, long colStride, const float *pack,
                           float *y, long hw, __mmask16 last) {
    __m512 c0[PW_ROWS], c1[PW_ROWS];
    for (int r = 0; r < rows; r++) { c0[r] = _mm512_setzero_ps(); c1[r] = _mm512_setzero_ps(); }
    for (int j = 0; j < k; j++) {
        const __m512 x0 = _mm512_loadu_ps(pack + j * PW_COLS);
        const __m512 x1 = halves == 2 ? _mm512_loadu_ps(pack + j * PW_COLS + 16) : x0;
        const float *aj = a + j * colStride;
        for (int r = 0; r < rows; r++) {
            const __m512 w = _mm512_set1_ps(aj[r * rowStride]);
            c0[r] = _mm512_add_ps(c0[r], _mm512_mul_ps(w, x0));
            if (halves == 2) c1[r] = _mm512_add_ps(c1[r], _mm512_mul_ps(w, x1));
        }
    }
    for (int r = 0; r < rows; r++) {
        float *yr = y + r * hw;
        if (halves == 1) {
            if (masked) _mm512_mask_storeu_ps(yr, last, c0[r]); else _mm512_storeu_ps(yr, c0[r]);
        } else {
            _mm512_storeu_ps(yr, c0[r]);
            if (masked) _mm512_mask_storeu_ps(yr + 16, last, c1[r]); else _mm512_storeu_ps(yr + 16, c1[r]);
        }
    }
}

#define PW_CASE(R) case R: pw_tile(R, halves, masked, k, a, rowStride, colStride, pack, y, hw, last); break;
#define PW_SHAPE(H, M) { const int halves = H, masked = M; \
    switch (rows) { PW_CASE(1) PW_CASE(2) PW_CASE(3) PW_CASE(4) PW_CASE(5) PW_CASE(6) PW_CASE(7) PW_CASE(8) } }

// One block of `rows` ≤ 8 rows and `width` ≤ 32 pixels, dispatched to a specialised body.
__attribute__((target("avx512f")))
static void pw_block(int rows, int width, int k, const float *a, long rowStride, long colStride,
                     const float *pack, float *y, long hw) {
    const int rest = width > 16 ? width - 16 : width;
    const __mmask16 last = rest >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << rest) - 1);
    if (width == 32) PW_SHAPE(2, 0)
    else if (width > 16) PW_SHAPE(2, 1)
    else if (width == 16) PW_SHAPE(1, 0)
    else PW_SHAPE(1, 1)
}
#undef PW_SHAPE
#undef PW_CASE

__attribute__((target("avx512f")))
void dp_pointwise_product_avx512(int m, int k, int hw, const float *a, long rowStride, long colStride,
                                 const float *x, float *y, float *pack) {
    for (int p = 0; p < hw; p += PW_COLS) {
        const int width = hw - p < PW_COLS ? hw - p : PW_COLS;
        // The k × width block of x is packed contiguously first: at hw = 1024 its rows are 4 KB
        // apart, all in one L1 set. Lanes past `width` are zeros that are never stored.
        const __mmask16 m0 = width >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << width) - 1);
        const __mmask16 m1 = width >= 32 ? (__mmask16)0xFFFF : width > 16 ? (__mmask16)((1u << (width - 16)) - 1) : 0;
        for (int j = 0; j < k; j++) {
            const float *xj = x + (long)j * hw + p;
            _mm512_storeu_ps(pack + j * PW_COLS, _mm512_maskz_loadu_ps(m0, xj));
            _mm512_storeu_ps(pack + j * PW_COLS + 16, _mm512_maskz_loadu_ps(m1, xj + 16));
        }
        for (int r = 0; r < m; r += PW_ROWS) {
            const int rows = m - r < PW_ROWS ? m - r : PW_ROWS;
            pw_block(rows, width, k, a + r * rowStride, rowStride, colStride, pack, y + (long)r * hw + p, hw);
        }
    }
}
