// See transpose.h. Four rows × four k at a time through SSE transposes: element by element the
// strided gathers cost more than the products the packed panel feeds.
#include "transpose.h"
#include <immintrin.h>

void dp_pack_transposed(int ld, int width, int kcb, const float *src, long srcStride, float *dst) {
    int j = 0;
    for (; j + 4 <= width; j += 4) {
        const float *s0 = src + (long)j * srcStride, *s1 = s0 + srcStride, *s2 = s1 + srcStride, *s3 = s2 + srcStride;
        int p = 0;
        for (; p + 4 <= kcb; p += 4) {
            __m128 r0 = _mm_loadu_ps(s0 + p), r1 = _mm_loadu_ps(s1 + p);
            __m128 r2 = _mm_loadu_ps(s2 + p), r3 = _mm_loadu_ps(s3 + p);
            _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
            _mm_storeu_ps(dst + (long)p * ld + j, r0);
            _mm_storeu_ps(dst + (long)(p + 1) * ld + j, r1);
            _mm_storeu_ps(dst + (long)(p + 2) * ld + j, r2);
            _mm_storeu_ps(dst + (long)(p + 3) * ld + j, r3);
        }
        for (; p < kcb; p++) {
            float *d = dst + (long)p * ld + j;
            d[0] = s0[p]; d[1] = s1[p]; d[2] = s2[p]; d[3] = s3[p];
        }
    }
    for (; j < width; j++)
        for (int p = 0; p < kcb; p++) dst[(long)p * ld + j] = src[(long)j * srcStride + p];
    for (int p = 0; p < kcb; p++)
        for (int q = width; q < ld; q++) dst[(long)p * ld + q] = 0;
}
