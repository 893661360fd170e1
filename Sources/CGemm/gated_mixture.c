// The recurrent cell's gated mixture rows (DartsCore/Autodiff/Tape+GatedMixture.swift) on 16
// AVX-512 lanes: the same IEEE operations in the same order as the Swift 8-lane code and
// VectorMath.swift's exp/tanh/logistic, lane by lane, so the bits equal those of AVX2 machines.
// The one cross-lane step, the weight gradients' lane sums, keeps the 8-lane order: each 16-lane
// chunk adds its low half, then its high half (when the 8-lane code would have run that chunk).
#include "CGemm.h"
#include <immintrin.h>

#define T __attribute__((target("avx512f")))
typedef __m512 V;

static inline T V set1(float x) { return _mm512_set1_ps(x); }
static inline T V vadd(V a, V b) { return _mm512_add_ps(a, b); }
static inline T V vsub(V a, V b) { return _mm512_sub_ps(a, b); }
static inline T V vmul(V a, V b) { return _mm512_mul_ps(a, b); }
static inline T V vdiv(V a, V b) { return _mm512_div_ps(a, b); }
// Swift's prefix minus on SIMD lanes, whose NaNs keep their sign: 0 − a, not a sign flip (for the
// other inputs they differ only at ±0, where e^x is the same).
static inline T V vneg(V a) { return _mm512_sub_ps(_mm512_setzero_ps(), a); }

static inline T V v_exp(V x) {
    x = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, set1(88), _CMP_GT_OQ), x, set1(88));
    x = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, set1(-87), _CMP_LT_OQ), x, set1(-87));
    const V shifter = set1(12582912.0f);
    const V shifted = vadd(vmul(x, set1(1.4426950408889634f)), shifter);
    const V n = vsub(shifted, shifter);
    const V r = vadd(vsub(x, vmul(n, set1(0.693359375f))), vmul(n, set1(2.1219444005469058e-4f)));
    V p = set1(1.9875691500e-4f);
    p = vadd(vmul(p, r), set1(1.3981999507e-3f));
    p = vadd(vmul(p, r), set1(8.3334519073e-3f));
    p = vadd(vmul(p, r), set1(4.1665795894e-2f));
    p = vadd(vmul(p, r), set1(1.6666665459e-1f));
    p = vadd(vmul(p, r), set1(5.0000001201e-1f));
    p = vadd(vadd(vmul(p, vmul(r, r)), r), set1(1));
    const __m512i e = _mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_castps_si512(shifter));
    return vmul(p, _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(e, _mm512_set1_epi32(127)), 23)));
}

static inline T V v_tanh(V x) {
    const __m512i bits = _mm512_castps_si512(x);
    const __m512i sign = _mm512_and_si512(bits, _mm512_set1_epi32((int)0x80000000u));
    const V a = _mm512_castsi512_ps(_mm512_and_si512(bits, _mm512_set1_epi32(0x7FFFFFFF)));
    const V large = vsub(set1(1), vdiv(set1(2), vadd(v_exp(vadd(a, a)), set1(1))));
    const V signedLarge = _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(large), sign));
    const V z = vmul(x, x);
    V p = set1(-5.70498872745e-3f);
    p = vadd(vmul(p, z), set1(2.06390887954e-2f));
    p = vsub(vmul(p, z), set1(5.37397155531e-2f));
    p = vadd(vmul(p, z), set1(1.33314422036e-1f));
    p = vsub(vmul(p, z), set1(3.33332819422e-1f));
    const V small = vadd(vmul(vmul(p, z), x), x);
    return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, set1(0.625f), _CMP_GE_OQ), small, signedLarge);
}

static inline T V v_logistic(V x) { return vdiv(set1(1), vadd(set1(1), v_exp(vneg(x)))); }
static inline T V v_relu(V x) { return _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, _mm512_setzero_ps(), _CMP_LT_OQ), x, _mm512_setzero_ps()); }

static inline __mmask16 lanes(int count) { return count >= 16 ? (__mmask16)0xFFFF : (__mmask16)((1u << count) - 1); }

T void dp_gated_mixture_row_avx512(const float *w, int active, const float *s, const float *gates, int h, float *d) {
    if (!active) return;
    const int t = active & 1, re = active & 2, sg = active & 4, id = active & 8;
    const V w0 = set1(w[0]), w1 = set1(w[1]), w2 = set1(w[2]), w3 = set1(w[3]);
    for (int i = 0; i < h; i += 16) {
        const __mmask16 m = lanes(h - i);
        const V sv = _mm512_maskz_loadu_ps(m, s + i), c = _mm512_maskz_loadu_ps(m, gates + i);
        const V x = _mm512_maskz_loadu_ps(m, gates + h + i);
        const V sig = v_logistic(c);
        V acc = _mm512_setzero_ps();
        if (t) acc = vadd(acc, vmul(w0, vadd(sv, vmul(sig, vsub(v_tanh(x), sv)))));
        if (re) acc = vadd(acc, vmul(w1, vadd(sv, vmul(sig, vsub(v_relu(x), sv)))));
        if (sg) acc = vadd(acc, vmul(w2, vadd(sv, vmul(sig, vsub(v_logistic(x), sv)))));
        if (id) acc = vadd(acc, vmul(w3, vadd(sv, vmul(sig, vsub(x, sv)))));
        _mm512_mask_storeu_ps(d + i, m, vadd(_mm512_maskz_loadu_ps(m, d + i), acc));
    }
}

static inline T __m256 low8(V v) { return _mm512_castps512_ps256(v); }
static inline T __m256 high8(V v) { return _mm256_castpd_ps(_mm512_extractf64x4_pd(_mm512_castps_pd(v), 1)); }

T void dp_gated_mixture_row_backward_avx512(const float *w, int active, const float *s, const float *gates, int h,
                                            const float *grad, float *dState, float *dGates, double *dWeights) {
    const int t = active & 1, re = active & 2, sg = active & 4, id = active & 8;
    const V w0 = set1(w[0]), w1 = set1(w[1]), w2 = set1(w[2]), w3 = set1(w[3]);
    const float totalScalar = (((t ? w[0] : 0) + (re ? w[1] : 0)) + (sg ? w[2] : 0)) + (id ? w[3] : 0);
    const V total = set1(totalScalar), one = set1(1), zero = _mm512_setzero_ps();
    __m256 dw[4] = {_mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps(), _mm256_setzero_ps()};
    const int want = dWeights != 0;
    for (int i = 0; i < h; i += 16) {
        const __mmask16 m = lanes(h - i);
        const int upper = i + 8 < h;
        const V g = _mm512_maskz_loadu_ps(m, grad + i);
        const V sv = _mm512_maskz_loadu_ps(m, s + i), c = _mm512_maskz_loadu_ps(m, gates + i);
        const V x = _mm512_maskz_loadu_ps(m, gates + h + i);
        const V sig = v_logistic(c);
        V mixF = zero, mixDF = zero;
#define ADD_DW(k, f) if (want) { const V u = vmul(g, vadd(sv, vmul(sig, vsub(f, sv)))); \
            dw[k] = _mm256_add_ps(dw[k], low8(u)); if (upper) dw[k] = _mm256_add_ps(dw[k], high8(u)); }
        if (t) {
            const V f = v_tanh(x); mixF = vadd(mixF, vmul(w0, f)); mixDF = vadd(mixDF, vmul(w0, vsub(one, vmul(f, f))));
            ADD_DW(0, f)
        }
        if (re) {
            const V f = v_relu(x); mixF = vadd(mixF, vmul(w1, f));
            mixDF = vadd(mixDF, _mm512_mask_blend_ps(_mm512_cmp_ps_mask(x, zero, _CMP_GT_OQ), zero, w1));
            ADD_DW(1, f)
        }
        if (sg) {
            const V f = v_logistic(x); mixF = vadd(mixF, vmul(w2, f)); mixDF = vadd(mixDF, vmul(vmul(w2, f), vsub(one, f)));
            ADD_DW(2, f)
        }
        if (id) {
            mixF = vadd(mixF, vmul(w3, x)); mixDF = vadd(mixDF, w3);
            ADD_DW(3, x)
        }
#undef ADD_DW
        const V ds = vmul(vmul(g, total), vsub(one, sig));
        const V dc = vmul(vmul(vmul(g, sig), vsub(one, sig)), vsub(mixF, vmul(total, sv)));
        const V dh = vmul(vmul(g, sig), mixDF);
        if (dState) _mm512_mask_storeu_ps(dState + i, m, ds);
        if (dGates) { _mm512_mask_storeu_ps(dGates + i, m, dc); _mm512_mask_storeu_ps(dGates + h + i, m, dh); }
    }
    if (dWeights) {
        for (int k = 0; k < 4; k++) {
            float lane[8];
            _mm256_storeu_ps(lane, dw[k]);
            double sum = 0;
            for (int l = 0; l < 8; l++) sum += (double)lane[l];
            dWeights[k] = sum;
        }
    }
}
