// The 1×1 conv's weight gradient over a batch (DartsCore/Kernels/Pointwise.swift):
// C (m × n) = Σ_t A_t · B_tᵀ, t the image, A_t its dy (m × k), B_t its x (n × k), k its pixels.
// Contract (include/CGemm.h): element (i, j) is 16 fused multiply-add chains, chain l over the
// pixels p ≡ l (mod 16) of image 0, 1, … in order from 0, summed by a fixed tree (l + l+8, then
// + 4, + 2, + 1). Lanes of a 512-bit register are those chains, so A's and B's rows are read as
// they lie (no transposed pack), and AVX-512, AVX2 (one 8-lane half at a time) and scalar code give the
// same bits, whichever rows and columns a worker computes.
//
// Blocking: at 32 × 32 an image's 36 rows are 4 KB apart and the batch's dy and x are 28 MB, so
// the chains of a block of C (≤ PWG_BLOCK elements) stay in a scratch in L2 while the images pass
// once: per image, every 4 × 6 tile of the block continues its 24 chains from the scratch over
// that image's rows (A's 4 rows stay in L1 across the block's tiles, B's stream from L2). On small
// planes a group of images runs per scratch visit, so reloading the chains stays rare.
#include "CGemm.h"
#include <immintrin.h>
#include <math.h>
#include <string.h>

#define PWG_LANES 16
// Elements of C whose chains one scratch holds (256 KB of a 1 MB L2).
#define PWG_BLOCK 4096
// Pixels per scratch visit, at least: image groups on small planes.
#define PWG_MIN_RUN 256

#define PWG512_ROWS 4
#define PWG512_COLS 6
// Which rows of the next image a tile asks L2 for while it computes (once per row: A's with the
// block's first column tile, B's with its first row tile), and whether images follow this group.
enum { PWG_FETCH_A = 1, PWG_FETCH_B = 2, PWG_FETCH_MORE = 4 };

#define PWG256_ROWS 4
#define PWG256_COLS 3

long dp_pointwise_weight_gradient_scratch_count(void) { return (long)PWG_BLOCK * PWG_LANES; }

// The fixed tree over one element's 16 chains.
static inline float pwg_tree(const float *l) {
    float h8[8], h4[4];
    for (int i = 0; i < 8; i++) h8[i] = l[i] + l[i + 8];
    for (int i = 0; i < 4; i++) h4[i] = h8[i] + h8[i + 4];
    return (h4[0] + h4[2]) + (h4[1] + h4[3]);
}

// ---- AVX-512 -------------------------------------------------------------------------------------

// Tile rows [0, R) of A × rows [0, S) of B over `images` images; chains (r, c) at acc + (r·accStride + c)·16,
// started from 0 when `first`. Called with constant R, S, so the 24 chains stay in registers.
__attribute__((target("avx512f"), always_inline))
static inline void pwg512_tile(const int R, const int S, int k, int images, const float *a, long aTerm,
                               const float *b, long bTerm, float *acc, long accStride, int first, int fetch) {
    __m512 s[PWG512_ROWS][PWG512_COLS];
    for (int r = 0; r < R; r++)
        for (int c = 0; c < S; c++)
            s[r][c] = first ? _mm512_setzero_ps() : _mm512_loadu_ps(acc + (r * accStride + c) * PWG_LANES);
    const int full = k / PWG_LANES, rest = k % PWG_LANES;
    const __mmask16 tail = (__mmask16)((1u << rest) - 1);
    for (int t = 0; t < images; t++) {
        const float *at = a + t * aTerm, *bt = b + t * bTerm;
        const int fetchA = (fetch & PWG_FETCH_A) && (t + 1 < images || (fetch & PWG_FETCH_MORE));
        const int fetchB = (fetch & PWG_FETCH_B) && (t + 1 < images || (fetch & PWG_FETCH_MORE));
        for (int v = 0; v < full; v++) {
            if (fetchA) for (int r = 0; r < R; r++) _mm_prefetch((const char *)(at + aTerm + (long)r * k + v * PWG_LANES), _MM_HINT_T1);
            if (fetchB) for (int c = 0; c < S; c++) _mm_prefetch((const char *)(bt + bTerm + (long)c * k + v * PWG_LANES), _MM_HINT_T1);
            __m512 x[PWG512_ROWS];
            for (int r = 0; r < R; r++) x[r] = _mm512_loadu_ps(at + (long)r * k + v * PWG_LANES);
            for (int c = 0; c < S; c++) {
                const __m512 y = _mm512_loadu_ps(bt + (long)c * k + v * PWG_LANES);
                for (int r = 0; r < R; r++) s[r][c] = _mm512_fmadd_ps(x[r], y, s[r][c]);
            }
        }
        if (rest) {
            // Lanes past the plane are left alone (not fma(0, 0, s), which turns −0 into +0).
            __m512 x[PWG512_ROWS];
            for (int r = 0; r < R; r++) x[r] = _mm512_maskz_loadu_ps(tail, at + (long)r * k + full * PWG_LANES);
            for (int c = 0; c < S; c++) {
                const __m512 y = _mm512_maskz_loadu_ps(tail, bt + (long)c * k + full * PWG_LANES);
                for (int r = 0; r < R; r++) s[r][c] = _mm512_mask3_fmadd_ps(x[r], y, s[r][c], tail);
            }
        }
    }
    for (int r = 0; r < R; r++)
        for (int c = 0; c < S; c++) _mm512_storeu_ps(acc + (r * accStride + c) * PWG_LANES, s[r][c]);
}

#define PWG512_CASE(R, S) case (R) * 8 + (S): pwg512_tile(R, S, k, images, a, aTerm, b, bTerm, acc, accStride, first, fetch); break;
#define PWG512_ROW(R) PWG512_CASE(R, 1) PWG512_CASE(R, 2) PWG512_CASE(R, 3) PWG512_CASE(R, 4) PWG512_CASE(R, 5) PWG512_CASE(R, 6)

__attribute__((target("avx512f")))
static void pwg512_block(int rows, int cols, int k, int images, const float *a, long aTerm, const float *b,
                         long bTerm, float *acc, long accStride, int first, int fetch) {
    switch (rows * 8 + cols) { PWG512_ROW(1) PWG512_ROW(2) PWG512_ROW(3) PWG512_ROW(4) }
}
#undef PWG512_ROW
#undef PWG512_CASE

// ---- AVX2 ----------------------------------------------------------------------------------------

// 4 rows × 3 columns of C, one 8-lane half of each element's 16 chains at a time: 12 accumulators,
// B's 3 rows and one A row in the other 4 of the 16 registers (7 loads per 12 FMAs; both halves at
// once allowed only 2 × 3 elements, 10 loads per 12). The second half runs over the same pixels
// while their lines are still in L1: over the whole image group when it is short, otherwise per
// chunk of PWG256_CHUNK 16-pixel blocks (7 rows × 2 KB).
#define PWG256_CHUNK 32

__attribute__((target("avx2,fma"), always_inline))
static inline void pwg256_half(const int R, const int S, const int h, int v0, int v1, int rest, const int *lanes,
                               const float *at, const float *bt, long k, __m256 s[PWG256_ROWS][PWG256_COLS]) {
    for (int v = v0; v < v1; v++) {
        const long o = (long)v * PWG_LANES + 8 * h;
        __m256 y[PWG256_COLS];
        for (int c = 0; c < S; c++) y[c] = _mm256_loadu_ps(bt + (long)c * k + o);
        for (int r = 0; r < R; r++) {
            const __m256 x = _mm256_loadu_ps(at + (long)r * k + o);
            for (int c = 0; c < S; c++) s[r][c] = _mm256_fmadd_ps(x, y[c], s[r][c]);
        }
    }
    if (rest > 8 * h) {
        // Lanes past the plane are left alone (not fma(0, 0, s), which turns −0 into +0).
        const long o = (long)v1 * PWG_LANES + 8 * h;
        const __m256i m = _mm256_loadu_si256((const __m256i *)(lanes + 8 * h));
        __m256 y[PWG256_COLS];
        for (int c = 0; c < S; c++) y[c] = _mm256_maskload_ps(bt + (long)c * k + o, m);
        for (int r = 0; r < R; r++) {
            const __m256 x = _mm256_maskload_ps(at + (long)r * k + o, m);
            for (int c = 0; c < S; c++)
                s[r][c] = _mm256_blendv_ps(s[r][c], _mm256_fmadd_ps(x, y[c], s[r][c]), _mm256_castsi256_ps(m));
        }
    }
}

__attribute__((target("avx2,fma"), always_inline))
static inline void pwg256_load(const int R, const int S, const int h, int zero, const float *acc, long accStride,
                               __m256 s[PWG256_ROWS][PWG256_COLS]) {
    for (int r = 0; r < R; r++)
        for (int c = 0; c < S; c++)
            s[r][c] = zero ? _mm256_setzero_ps() : _mm256_loadu_ps(acc + (r * accStride + c) * PWG_LANES + 8 * h);
}

__attribute__((target("avx2,fma"), always_inline))
static inline void pwg256_store(const int R, const int S, const int h, float *acc, long accStride,
                                __m256 s[PWG256_ROWS][PWG256_COLS]) {
    for (int r = 0; r < R; r++)
        for (int c = 0; c < S; c++) _mm256_storeu_ps(acc + (r * accStride + c) * PWG_LANES + 8 * h, s[r][c]);
}

// As pwg512_tile: rows [0, R) of A × rows [0, S) of B over `images` images, chains at acc.
__attribute__((target("avx2,fma"), always_inline))
static inline void pwg256_tile(const int R, const int S, int k, int images, const float *a, long aTerm,
                               const float *b, long bTerm, float *acc, long accStride, int first) {
    const int full = k / PWG_LANES, rest = k % PWG_LANES;
    int lanes[PWG_LANES];
    for (int l = 0; l < PWG_LANES; l++) lanes[l] = l < rest ? -1 : 0;
    __m256 s[PWG256_ROWS][PWG256_COLS];
    if (full < PWG256_CHUNK) {
        for (int h = 0; h < 2; h++) {
            pwg256_load(R, S, h, first, acc, accStride, s);
            for (int t = 0; t < images; t++)
                pwg256_half(R, S, h, 0, full, rest, lanes, a + t * aTerm, b + t * bTerm, k, s);
            pwg256_store(R, S, h, acc, accStride, s);
        }
        return;
    }
    for (int t = 0; t < images; t++)
        for (int v0 = 0; v0 < full; v0 += PWG256_CHUNK) {
            const int v1 = full - v0 < PWG256_CHUNK ? full : v0 + PWG256_CHUNK;
            for (int h = 0; h < 2; h++) {
                pwg256_load(R, S, h, first && t == 0 && v0 == 0, acc, accStride, s);
                pwg256_half(R, S, h, v0, v1, v1 == full ? rest : 0, lanes, a + t * aTerm, b + t * bTerm, k, s);
                pwg256_store(R, S, h, acc, accStride, s);
            }
        }
}

#define PWG256_CASE(R, S) case (R) * 8 + (S): pwg256_tile(R, S, k, images, a, aTerm, b, bTerm, acc, accStride, first); break;
#define PWG256_ROW(R) PWG256_CASE(R, 1) PWG256_CASE(R, 2) PWG256_CASE(R, 3)

__attribute__((target("avx2,fma")))
static void pwg256_block(int rows, int cols, int k, int images, const float *a, long aTerm, const float *b,
                         long bTerm, float *acc, long accStride, int first) {
    switch (rows * 8 + cols) { PWG256_ROW(1) PWG256_ROW(2) PWG256_ROW(3) PWG256_ROW(4) }
}
#undef PWG256_ROW
#undef PWG256_CASE

// ---- scalar --------------------------------------------------------------------------------------

// Machines without AVX2: the same 16 chains per element through fmaf.
static void pwg_scalar_element(int k, int images, const float *a, long aTerm, const float *b, long bTerm,
                               float *acc, int first) {
    if (first) memset(acc, 0, PWG_LANES * sizeof(float));
    for (int t = 0; t < images; t++) {
        const float *at = a + t * aTerm, *bt = b + t * bTerm;
        for (int p = 0; p < k; p++) acc[p % PWG_LANES] = fmaf(at[p], bt[p], acc[p % PWG_LANES]);
    }
}

// ---- blocks of C and the batch -------------------------------------------------------------------

// `count` split into equal parts of at most `most`, each rounded up to a multiple of `unit`.
static int pwg_part(int count, int most, int unit) {
    const int parts = (count + most - 1) / most;
    const int part = (count + parts - 1) / parts;
    return (part + unit - 1) / unit * unit;
}

void dp_pointwise_weight_gradient(int isa, int rowBegin, int rowEnd, int colBegin, int colEnd, int n, int k, int terms,
                                  const float *a, long aTermStride, const float *b, long bTermStride,
                                  float *c, float *scratch) {
    if (rowBegin >= rowEnd || colBegin >= colEnd) return;
    if (k <= 0 || terms <= 0) {
        for (int i = rowBegin; i < rowEnd; i++) for (int j = colBegin; j < colEnd; j++) c[(long)i * n + j] = 0;
        return;
    }
    const int wide = isa == DP_GEMM_AVX512, vector = wide || isa == DP_GEMM_AVX2;
    const int tileRows = !vector ? 1 : wide ? PWG512_ROWS : PWG256_ROWS;
    const int tileCols = !vector ? 1 : wide ? PWG512_COLS : PWG256_COLS;
    const int blockRows = pwg_part(rowEnd - rowBegin, 64, tileRows);
    const int blockCols = pwg_part(colEnd - colBegin, PWG_BLOCK / blockRows / tileCols * tileCols, tileCols);
    const int group = k >= PWG_MIN_RUN ? 1 : (PWG_MIN_RUN + k - 1) / k;
    for (int i0 = rowBegin; i0 < rowEnd; i0 += blockRows) {
        const int i1 = rowEnd - i0 < blockRows ? rowEnd : i0 + blockRows;
        for (int j0 = colBegin; j0 < colEnd; j0 += blockCols) {
            const int j1 = colEnd - j0 < blockCols ? colEnd : j0 + blockCols;
            const long accStride = j1 - j0;
            for (int t0 = 0; t0 < terms; t0 += group) {
                const int images = terms - t0 < group ? terms - t0 : group;
                const float *at = a + t0 * aTermStride, *bt = b + t0 * bTermStride;
                const int more = t0 + images < terms;
                for (int i = i0; i < i1; i += tileRows) {
                    const int rows = i1 - i < tileRows ? i1 - i : tileRows;
                    for (int j = j0; j < j1; j += tileCols) {
                        const int cols = j1 - j < tileCols ? j1 - j : tileCols;
                        float *acc = scratch + ((i - i0) * accStride + (j - j0)) * PWG_LANES;
                        const float *ai = at + (long)i * k, *bj = bt + (long)j * k;
                        const int fetch = (j == j0 ? PWG_FETCH_A : 0) | (i == i0 ? PWG_FETCH_B : 0) | (more ? PWG_FETCH_MORE : 0);
                        if (wide) pwg512_block(rows, cols, k, images, ai, aTermStride, bj, bTermStride, acc, accStride, t0 == 0, fetch);
                        else if (vector) pwg256_block(rows, cols, k, images, ai, aTermStride, bj, bTermStride, acc, accStride, t0 == 0);
                        else pwg_scalar_element(k, images, ai, aTermStride, bj, bTermStride, acc, t0 == 0);
                    }
                }
            }
            for (int i = i0; i < i1; i++)
                for (int j = j0; j < j1; j++)
                    c[(long)i * n + j] = pwg_tree(scratch + ((i - i0) * accStride + (j - j0)) * PWG_LANES);
        }
    }
}

// ---- chains continued by the caller ----------------------------------------------------------------

void dp_pointwise_weight_gradient_continue(int isa, int m, int n, int k, int terms, const float *a, long aTermStride,
                                           const float *b, long bTermStride, float *chains, int first, int fetchNext) {
    if (m <= 0 || n <= 0 || terms <= 0) return;
    if (k <= 0) {
        if (first) memset(chains, 0, (size_t)m * n * PWG_LANES * sizeof(float));
        return;
    }
    const int wide = isa == DP_GEMM_AVX512, vector = wide || isa == DP_GEMM_AVX2;
    const int tileRows = !vector ? 1 : wide ? PWG512_ROWS : PWG256_ROWS;
    const int tileCols = !vector ? 1 : wide ? PWG512_COLS : PWG256_COLS;
    for (int i = 0; i < m; i += tileRows) {
        const int rows = m - i < tileRows ? m - i : tileRows;
        for (int j = 0; j < n; j += tileCols) {
            const int cols = n - j < tileCols ? n - j : tileCols;
            float *acc = chains + ((long)i * n + j) * PWG_LANES;
            const float *ai = a + (long)i * k, *bj = b + (long)j * k;
            // Only A's next image exists yet (B is the caller's, computed per group).
            const int fetch = j == 0 && fetchNext ? PWG_FETCH_A | PWG_FETCH_MORE : 0;
            if (wide) pwg512_block(rows, cols, k, terms, ai, aTermStride, bj, bTermStride, acc, n, first, fetch);
            else if (vector) pwg256_block(rows, cols, k, terms, ai, aTermStride, bj, bTermStride, acc, n, first);
            else pwg_scalar_element(k, terms, ai, aTermStride, bj, bTermStride, acc, first);
        }
    }
}

void dp_pointwise_weight_gradient_finish(int m, int n, const float *chains, float *c, long ldc) {
    for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) c[(long)i * ldc + j] = pwg_tree(chains + ((long)i * n + j) * PWG_LANES);
}
