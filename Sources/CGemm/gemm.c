// dartsprime's own SGEMM (see include/CGemm.h). BLIS-style: op(B) is packed once into column
// panels of NR per K block, op(A) per block of MC rows into row panels of MR, and a register tile
// of MR × NR accumulates one FMA per k. K blocks continue each element's chain from the value the
// previous block stored, which is exact (the accumulator is a float either way), so blocking never
// changes a bit. AVX-512 edge tiles store through lane masks; the others, and transposed stores,
// run on a zero-padded copy.
#include "CGemm.h"
#include "transpose.h"
#include <immintrin.h>
#include <math.h>
#include <string.h>

// Tiles: AVX-512 12 rows × 32 columns (24 zmm accumulators), AVX2 6 × 16 (12 ymm accumulators).
#define MR512 12
#define NR512 32
#define MR256 6
#define NR256 16
#define MC 96          // rows of op(A) per packed block (a multiple of both MRs)
#define NC_PANELS 24   // column panels per pass over a packed A block: about 1 MB of packed B
#define KC_MAX 384     // longest K block; blocks are even: ceil(k / ceil(k / KC_MAX))

static int mr_of(int isa) { return isa == DP_GEMM_AVX512 ? MR512 : MR256; }
static int nr_of(int isa) { return isa == DP_GEMM_AVX512 ? NR512 : NR256; }

static int k_blocks(int k) { return (k + KC_MAX - 1) / KC_MAX; }
static int k_block_size(int k) { int nb = k_blocks(k); return (k + nb - 1) / nb; }

int dp_gemm_panels(int isa, int n) { int nr = nr_of(isa); return (n + nr - 1) / nr; }

long dp_gemm_packed_b_count(int isa, int k, int n) {
    return (long)k * dp_gemm_panels(isa, n) * nr_of(isa);
}

long dp_gemm_workspace_count(int isa) { (void)isa; return (long)MC * KC_MAX + 64; }

// Layout: K block kb (rows kb·kc…), then its panels, each kcb × NR row-major.
void dp_gemm_pack_b(int isa, int transB, int k, int n, const float *b, long ldb,
                    int panelBegin, int panelEnd, float *packed) {
    const int nr = nr_of(isa), kc = k_block_size(k), panels = dp_gemm_panels(isa, n);
    for (int p0 = 0; p0 < k; p0 += kc) {
        const int kcb = k - p0 < kc ? k - p0 : kc;
        float *block = packed + (long)p0 * panels * nr;
        for (int jp = panelBegin; jp < panelEnd; jp++) {
            float *dst = block + (long)jp * kcb * nr;
            const int j0 = jp * nr, width = n - j0 < nr ? n - j0 : nr;
            if (transB) { dp_pack_transposed(nr, width, kcb, b + (long)j0 * ldb + p0, ldb, dst); continue; }
            for (int p = 0; p < kcb; p++) {
                float *row = dst + (long)p * nr;
                memcpy(row, b + (long)(p0 + p) * ldb + j0, sizeof(float) * width);
                for (int j = width; j < nr; j++) row[j] = 0;
            }
        }
    }
}

// Rows [i0, i0+mc) and columns [p0, p0+kcb) of op(A) as panels of MR rows: panel ip holds, for
// each p, its MR values contiguously (rows past mc are 0).
static void pack_a(int mr, int transA, int i0, int mc, int p0, int kcb, const float *a, long lda,
                   const float *const *aRows, float *dst) {
    for (int ip = 0; ip * mr < mc; ip++) {
        float *panel = dst + (long)ip * kcb * mr;
        const int r0 = ip * mr, height = mc - r0 < mr ? mc - r0 : mr;
        if (!transA) {
            // Row by row would scatter the stores MR floats apart; k by k writes each panel row once.
            const float *src[MR512];
            for (int r = 0; r < height; r++) src[r] = (aRows ? aRows[i0 + r0 + r] : a + (long)(i0 + r0 + r) * lda) + p0;
            int p = 0;
            if (height == mr) {
                // Four k at a time: 4 × 4 blocks transposed in SSE registers, rows past a multiple of 4 one by one.
                for (; p + 4 <= kcb; p += 4) {
                    for (int g = 0; g + 4 <= mr; g += 4) {
                        __m128 r0 = _mm_loadu_ps(src[g] + p), r1 = _mm_loadu_ps(src[g + 1] + p);
                        __m128 r2 = _mm_loadu_ps(src[g + 2] + p), r3 = _mm_loadu_ps(src[g + 3] + p);
                        _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
                        _mm_storeu_ps(panel + (long)p * mr + g, r0);
                        _mm_storeu_ps(panel + (long)(p + 1) * mr + g, r1);
                        _mm_storeu_ps(panel + (long)(p + 2) * mr + g, r2);
                        _mm_storeu_ps(panel + (long)(p + 3) * mr + g, r3);
                    }
                    for (int r = mr / 4 * 4; r < mr; r++)
                        for (int q = 0; q < 4; q++) panel[(long)(p + q) * mr + r] = src[r][p + q];
                }
            }
            for (; p < kcb; p++)
                for (int r = 0; r < height; r++) panel[(long)p * mr + r] = src[r][p];
        } else {
            for (int p = 0; p < kcb; p++) {
                const float *src = (aRows ? aRows[p0 + p] : a + (long)(p0 + p) * lda) + i0 + r0;
                for (int r = 0; r < height; r++) panel[(long)p * mr + r] = src[r];
            }
        }
        for (int r = height; r < mr; r++)
            for (int p = 0; p < kcb; p++) panel[(long)p * mr + r] = 0;
    }
}

// The AVX-512 register tile, one body for every case; the constant arguments specialise it:
// `rows` (≤ 12) and `halves` (16-lane halves of the 32 columns) shrink an edge tile, and `masked`
// loads and stores C's lanes through m0/m1 (an edge tile written straight into C). Every element
// runs the same FMA chain whichever is chosen; lanes past the width compute on the packing's
// zeros and are never stored.
__attribute__((target("avx512f"), always_inline))
static inline void tile512_body(const int rows, const int halves, const int masked, int kcb,
                                const float *a, const float *b, float *c, long ldc, int first,
                                __mmask16 m0, __mmask16 m1) {
    __m512 c0[MR512], c1[MR512];
    for (int r = 0; r < rows; r++) {
        if (first) { c0[r] = _mm512_setzero_ps(); c1[r] = _mm512_setzero_ps(); continue; }
        c0[r] = masked ? _mm512_maskz_loadu_ps(m0, c + r * ldc) : _mm512_loadu_ps(c + r * ldc);
        if (halves == 2) c1[r] = masked ? _mm512_maskz_loadu_ps(m1, c + r * ldc + 16) : _mm512_loadu_ps(c + r * ldc + 16);
    }
    for (int p = 0; p < kcb; p++) {
        const __m512 b0 = _mm512_load_ps(b);
        const __m512 b1 = halves == 2 ? _mm512_load_ps(b + 16) : b0;
        for (int r = 0; r < rows; r++) {
            const __m512 ar = _mm512_set1_ps(a[r]);
            c0[r] = _mm512_fmadd_ps(ar, b0, c0[r]);
            if (halves == 2) c1[r] = _mm512_fmadd_ps(ar, b1, c1[r]);
        }
        a += MR512; b += NR512;
    }
    for (int r = 0; r < rows; r++) {
        if (masked) _mm512_mask_storeu_ps(c + r * ldc, m0, c0[r]); else _mm512_storeu_ps(c + r * ldc, c0[r]);
        if (halves == 2) {
            if (masked) _mm512_mask_storeu_ps(c + r * ldc + 16, m1, c1[r]); else _mm512_storeu_ps(c + r * ldc + 16, c1[r]);
        }
    }
}

__attribute__((target("avx512f")))
static void tile512(int kcb, const float *a, const float *b, float *c, long ldc, int first) {
    tile512_body(MR512, 2, 0, kcb, a, b, c, ldc, first, 0, 0);
}

#define EDGE_CASE(R) case R: \
    if (halves == 2) tile512_body(R, 2, 1, kcb, a, b, c, ldc, first, m0, m1); \
    else tile512_body(R, 1, 1, kcb, a, b, c, ldc, first, m0, 0); \
    break;

// An edge tile (`rows` ≤ 12, `width` ≤ 32) written straight into C through lane masks, one
// specialised body per height so the accumulators stay in registers.
__attribute__((target("avx512f")))
static void tile512_edge(int rows, int width, int kcb, const float *a, const float *b, float *c, long ldc, int first) {
    const int halves = width > 16 ? 2 : 1;
    const __mmask16 m0 = width >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << width) - 1);
    const __mmask16 m1 = width >= 32 ? (__mmask16)0xFFFF : width > 16 ? (__mmask16)((1u << (width - 16)) - 1) : 0;
    switch (rows) {
        EDGE_CASE(1) EDGE_CASE(2) EDGE_CASE(3) EDGE_CASE(4) EDGE_CASE(5) EDGE_CASE(6)
        EDGE_CASE(7) EDGE_CASE(8) EDGE_CASE(9) EDGE_CASE(10) EDGE_CASE(11) EDGE_CASE(12)
    }
}
#undef EDGE_CASE

__attribute__((target("avx2,fma")))
static void tile256(int kcb, const float *a, const float *b, float *c, long ldc, int first) {
    __m256 c0[MR256], c1[MR256];
    for (int r = 0; r < MR256; r++) {
        if (first) { c0[r] = _mm256_setzero_ps(); c1[r] = _mm256_setzero_ps(); }
        else { c0[r] = _mm256_loadu_ps(c + r * ldc); c1[r] = _mm256_loadu_ps(c + r * ldc + 8); }
    }
    for (int p = 0; p < kcb; p++) {
        const __m256 b0 = _mm256_load_ps(b), b1 = _mm256_load_ps(b + 8);
        for (int r = 0; r < MR256; r++) {
            const __m256 ar = _mm256_broadcast_ss(a + r);
            c0[r] = _mm256_fmadd_ps(ar, b0, c0[r]);
            c1[r] = _mm256_fmadd_ps(ar, b1, c1[r]);
        }
        a += MR256; b += NR256;
    }
    for (int r = 0; r < MR256; r++) { _mm256_storeu_ps(c + r * ldc, c0[r]); _mm256_storeu_ps(c + r * ldc + 8, c1[r]); }
}

// Machines without AVX2: the same chains through fmaf (correct rounding, slow).
static void tile_scalar(int kcb, const float *a, const float *b, float *c, long ldc, int first) {
    float acc[MR256][NR256];
    for (int r = 0; r < MR256; r++)
        for (int j = 0; j < NR256; j++) acc[r][j] = first ? 0 : c[r * ldc + j];
    for (int p = 0; p < kcb; p++, a += MR256, b += NR256)
        for (int r = 0; r < MR256; r++)
            for (int j = 0; j < NR256; j++) acc[r][j] = fmaf(a[r], b[j], acc[r][j]);
    for (int r = 0; r < MR256; r++)
        for (int j = 0; j < NR256; j++) c[r * ldc + j] = acc[r][j];
}

static void tile(int isa, int kcb, const float *a, const float *b, float *c, long ldc, int first) {
    if (isa == DP_GEMM_AVX512) tile512(kcb, a, b, c, ldc, first);
    else if (isa == DP_GEMM_AVX2) tile256(kcb, a, b, c, ldc, first);
    else tile_scalar(kcb, a, b, c, ldc, first);
}

void dp_gemm_rows(int isa, int transA, int rowBegin, int rowEnd, int n, int k,
                  const float *a, long lda, const float *const *aRows, const float *packedB,
                  float *c, long rowStride, long colStride, float *workspace) {
    const int mr = mr_of(isa), nr = nr_of(isa), kc = k_block_size(k), panels = dp_gemm_panels(isa, n);
    float *packedA = workspace;
    float edge[MR512 * NR512] __attribute__((aligned(64)));
    for (int p0 = 0; p0 < k; p0 += kc) {
        const int kcb = k - p0 < kc ? k - p0 : kc, first = p0 == 0;
        const float *bBlock = packedB + (long)p0 * panels * nr;
        for (int jc = 0; jc < panels; jc += NC_PANELS) {
        const int jcEnd = panels - jc < NC_PANELS ? panels : jc + NC_PANELS;
        for (int i0 = rowBegin; i0 < rowEnd; i0 += MC) {
            const int mc = rowEnd - i0 < MC ? rowEnd - i0 : MC;
            pack_a(mr, transA, i0, mc, p0, kcb, a, lda, aRows, packedA);
            for (int jp = jc; jp < jcEnd; jp++) {
                const float *bPanel = bBlock + (long)jp * kcb * nr;
                const int j0 = jp * nr, width = n - j0 < nr ? n - j0 : nr;
                for (int ip = 0; ip * mr < mc; ip++) {
                    const float *aPanel = packedA + (long)ip * kcb * mr;
                    const int r0 = i0 + ip * mr, height = mc - ip * mr < mr ? mc - ip * mr : mr;
                    float *ct = c + (long)r0 * rowStride + (long)j0 * colStride;
                    if (colStride == 1 && height == mr && width == nr) {
                        tile(isa, kcb, aPanel, bPanel, ct, rowStride, first);
                        continue;
                    }
                    if (colStride == 1 && isa == DP_GEMM_AVX512) {
                        tile512_edge(height, width, kcb, aPanel, bPanel, ct, rowStride, first);
                        continue;
                    }
                    // Transposed store (or an AVX2/scalar edge): through a zero-padded MR × NR copy.
                    if (!first)
                        for (int r = 0; r < mr; r++)
                            for (int j = 0; j < nr; j++)
                                edge[r * nr + j] = r < height && j < width ? ct[(long)r * rowStride + (long)j * colStride] : 0;
                    tile(isa, kcb, aPanel, bPanel, edge, nr, first);
                    for (int r = 0; r < height; r++)
                        for (int j = 0; j < width; j++)
                            ct[(long)r * rowStride + (long)j * colStride] = edge[r * nr + j];
                }
            }
        }
        }
    }
}

long dp_claim(long *counter, long grain) { return __atomic_fetch_add(counter, grain, __ATOMIC_RELAXED); }
