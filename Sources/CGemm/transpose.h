// The chain GEMM's transposed packing (gemm.c).
#ifndef DARTSPRIME_CGEMM_TRANSPOSE_H
#define DARTSPRIME_CGEMM_TRANSPOSE_H

/// dst[p·ld + j] = src[j·srcStride + p] for p < kcb, j < width, and 0 for width ≤ j < ld: `width`
/// rows of src, contiguous in p, become one panel of `ld` columns.
void dp_pack_transposed(int ld, int width, int kcb, const float *src, long srcStride, float *dst);

#endif
