// The depthwise conv's plane correlation on AVX-512 (DartsCore/Kernels/Depthwise.swift,
// `correlatePlane`): out[oy·ow + ox] = Σ_t ws[t] · src[offs[t] + oy·pitch + ox], each output summed
// from +0 over t = 0, 1, … as a separately rounded product then sum (no FMA: CGemm builds with
// -ffp-contract=off), exactly as the 8-lane Swift code does, so the bits are the same. The Swift
// code keeps eight 8-lane accumulators; here they are 16 lanes wide, so each tap's loads, products
// and sums cover twice the outputs per instruction (the forward, the reverse pass's recomputed
// output and the input gradient of every separable and dilated conv go through it).
#include "CGemm.h"
#include <immintrin.h>

// Rows [0, R) × 16-lane blocks [0, B) of outputs with R·B ≤ 8 accumulators, the top-left at src
// and out. Called with constant R, B, so the accumulators stay in registers.
__attribute__((target("avx512f"), always_inline))
static inline void corr512_tile(const int R, const int B, const float *src, long pitch, const long *offs,
                                const float *ws, int taps, float *out, long ow) {
    __m512 a[8];
    for (int i = 0; i < R * B; i++) a[i] = _mm512_setzero_ps();
    for (int t = 0; t < taps; t++) {
        const __m512 w = _mm512_set1_ps(ws[t]);
        const float *q = src + offs[t];
        for (int r = 0; r < R; r++)
            for (int b = 0; b < B; b++)
                a[r * B + b] = _mm512_add_ps(a[r * B + b], _mm512_mul_ps(w, _mm512_loadu_ps(q + r * pitch + b * 16)));
    }
    for (int r = 0; r < R; r++)
        for (int b = 0; b < B; b++) _mm512_storeu_ps(out + r * ow + b * 16, a[r * B + b]);
}

// The same with 8-lane blocks: R rows, one block (R ≤ 8).
__attribute__((target("avx2"), always_inline))
static inline void corr256_tile(const int R, const float *src, long pitch, const long *offs, const float *ws,
                                int taps, float *out, long ow) {
    __m256 a[8];
    for (int i = 0; i < R; i++) a[i] = _mm256_setzero_ps();
    for (int t = 0; t < taps; t++) {
        const __m256 w = _mm256_set1_ps(ws[t]);
        const float *q = src + offs[t];
        for (int r = 0; r < R; r++) a[r] = _mm256_add_ps(a[r], _mm256_mul_ps(w, _mm256_loadu_ps(q + r * pitch)));
    }
    for (int r = 0; r < R; r++) _mm256_storeu_ps(out + r * ow, a[r]);
}

static inline void corr_scalar(const float *src, const long *offs, const float *ws, int taps, float *out) {
    float acc = 0;
    for (int t = 0; t < taps; t++) acc += ws[t] * src[offs[t]];
    *out = acc;
}

// Rows [0, rows) (rows = 8 / B, or fewer at the bottom) of the plane from column 0: 32-column
// steps of two blocks, a 16-column block, an 8-lane block, then scalars.
#define CORR512_ROWS(R) do { \
    long ox = 0; \
    for (; ox + 32 <= ow; ox += 32) corr512_tile(R, 2, src + ox, pitch, offs, ws, taps, out + ox, ow); \
    if (ox + 16 <= ow) { corr512_tile(R, 1, src + ox, pitch, offs, ws, taps, out + ox, ow); ox += 16; } \
    if (ox + 8 <= ow) { corr256_tile(R, src + ox, pitch, offs, ws, taps, out + ox, ow); ox += 8; } \
    for (; ox < ow; ox++) \
        for (int r = 0; r < (R); r++) corr_scalar(src + r * pitch + ox, offs, ws, taps, out + r * ow + ox); \
} while (0)

__attribute__((target("avx512f,avx2")))
static void corr512_band(int rows, const float *src, long pitch, const long *offs, const float *ws, int taps,
                         float *out, long ow) {
    switch (rows) {
    case 8: CORR512_ROWS(8); break;
    case 4: CORR512_ROWS(4); break;
    case 2: CORR512_ROWS(2); break;
    default: CORR512_ROWS(1); break;
    }
}
#undef CORR512_ROWS

void dp_correlate_plane_avx512(const float *src, long pitch, const long *offs, const float *ws, int taps,
                               float *out, int oh, int ow) {
    // Four rows of two blocks on planes 32 wide or more, eight rows of one block on narrower
    // ones: eight accumulators either way, enough chains to hide the adds' latency.
    const int band = ow >= 32 ? 4 : 8;
    int oy = 0;
    for (; oy + band <= oh; oy += band) corr512_band(band, src + (long)oy * pitch, pitch, offs, ws, taps, out + (long)oy * ow, ow);
    for (int r = band / 2; r >= 1; r /= 2)
        if (oy + r <= oh) { corr512_band(r, src + (long)oy * pitch, pitch, offs, ws, taps, out + (long)oy * ow, ow); oy += r; }
}
