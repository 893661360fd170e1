// dartsprime's own single-precision GEMM for the large products (DartsCore/Kernels/ChainGemm.swift).
// Every element of C is one fused multiply-add chain over k = 0, 1, …, K−1 started from 0, so the
// result depends on neither the vector width (AVX2 or AVX-512), the tiles, the blocks nor the
// thread count: both instruction sets give the same bits on every machine.
#ifndef DARTSPRIME_CGEMM_H
#define DARTSPRIME_CGEMM_H

/// Instruction sets; SCALAR (no AVX2) computes the same chains with fmaf.
enum { DP_GEMM_AVX2 = 0, DP_GEMM_AVX512 = 1, DP_GEMM_SCALAR = 2 };

/// Floats the packed op(B) (k × n) takes for `isa`.
long dp_gemm_packed_b_count(int isa, int k, int n);
/// Packs op(B) columns of panels [panelBegin, panelEnd) into `packed` (64-byte aligned).
void dp_gemm_pack_b(int isa, int transB, int k, int n, const float *b, long ldb,
                    int panelBegin, int panelEnd, float *packed);
/// Number of column panels of op(B) for `isa`.
int dp_gemm_panels(int isa, int n);
/// Floats of the per-call workspace `dp_gemm_rows` needs.
long dp_gemm_workspace_count(int isa);
/// Rows [rowBegin, rowEnd) of C = op(A) · op(B) with op(B) packed by `dp_gemm_pack_b`; element
/// (i, j) of C is stored at c[i·rowStride + j·colStride]. `workspace` is 64-byte aligned. With
/// `aRows`, row r of A's storage is aRows[r] (a and lda unused): A stacked from separate blocks.
void dp_gemm_rows(int isa, int transA, int rowBegin, int rowEnd, int n, int k,
                  const float *a, long lda, const float *const *aRows, const float *packedB,
                  float *c, long rowStride, long colStride, float *workspace);

/// Atomically adds `grain` to *counter and returns its previous value: the workers' next units.
long dp_claim(long *counter, long grain);

/// The recurrent cell's gated mixture, one row (gated_mixture.c), on AVX-512: the bits of the
/// 8-lane Swift code. `w` holds the four activations' weights (tanh, relu, sigmoid, identity),
/// `active` their presence as bits 1, 2, 4, 8.
void dp_gated_mixture_row_avx512(const float *w, int active, const float *s, const float *gates, int h, float *d);
void dp_gated_mixture_row_backward_avx512(const float *w, int active, const float *s, const float *gates, int h,
                                          const float *grad, float *dState, float *dGates, double *dWeights);

/// Rows [rowBegin, rowEnd) × columns [colBegin, colEnd) of C (· × n, packed) = Σ_{t<terms} A_t · B_tᵀ
/// with A_t = a + t·aTermStride (· × k, packed) and B_t = b + t·bTermStride (n × k, packed)
/// (pointwise_weight_gradient.c): every element 16 FMA chains from 0, chain l over the p ≡ l (mod 16)
/// of t = 0, 1, … in order, then summed pairwise in a fixed tree (chain l + chain l+8, then the
/// same at distance 4, 2, 1); the same bits on every instruction set and for any block of C. The
/// 1×1 conv's weight gradient over a batch (t the image, A_t its dy, B_t its x). `scratch` holds
/// dp_pointwise_weight_gradient_scratch_count() floats, the caller's worker's own.
void dp_pointwise_weight_gradient(int isa, int rowBegin, int rowEnd, int colBegin, int colEnd, int n, int k, int terms,
                                  const float *a, long aTermStride, const float *b, long bTermStride,
                                  float *c, float *scratch);
long dp_pointwise_weight_gradient_scratch_count(void);

/// The same chains continued a group of images at a time, for a caller that walks the batch image
/// by image (the separable conv's backward pass): rows [0, m) of A (· × k) × rows [0, n) of B, over
/// `terms` more images, element (i, j)'s 16 chains at chains + (i·n + j)·16, started from 0 when
/// `first`. `fetchNext` asks L2 for the rows of A's image after the group. Then
/// dp_pointwise_weight_gradient_finish writes each element's tree sum to c[i·ldc + j]. The bits
/// equal dp_pointwise_weight_gradient's over the same images.
void dp_pointwise_weight_gradient_continue(int isa, int m, int n, int k, int terms, const float *a, long aTermStride,
                                           const float *b, long bTermStride, float *chains, int first, int fetchNext);
void dp_pointwise_weight_gradient_finish(int m, int n, const float *chains, float *c, long ldc);

/// The 1×1 conv's product on one image (pointwise.c): y (m × hw) = A · x (k × hw) with
/// A(r, j) = a[r·rowStride + j·colStride], each element one FMA chain over j from 0 (the chain
/// GEMM's bits on every instruction set). `pack` holds dp_pointwise_scratch_count(k) floats.
void dp_pointwise_product(int isa, int m, int k, int hw, const float *a, long rowStride, long colStride,
                          const float *x, float *y, float *pack);
long dp_pointwise_scratch_count(int k);

/// The depthwise conv's plane correlation (correlate.c) on AVX-512: out (oh × ow) with
/// out[oy·ow + ox] = Σ_t ws[t] · src[offs[t] + oy·pitch + ox], each output's separately rounded
/// products summed from +0 in tap order: the bits of DartsCore's 8-lane `correlatePlane`.
void dp_correlate_plane_avx512(const float *src, long pitch, const long *offs, const float *ws, int taps,
                               float *out, int oh, int ow);

/// Asks for `count` floats from p into the caches ahead of use (one prefetch per 64-byte line):
/// the kernels that walk one channel's planes image by image jump C·H·W floats between planes,
/// where the hardware prefetchers, which follow a stream, stall at every jump.
static inline void dp_prefetch(const float *p, long count) {
    for (long i = 0; i < count; i += 16) __builtin_prefetch(p + i, 0, 3);
}

#endif
