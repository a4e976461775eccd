// The AVX-512 tiles of the matrix product (see include/CWideProduct.h).

#include "CWideProduct.h"

#if defined(__x86_64__)
#include <immintrin.h>

#define WIDE __attribute__((target("avx512f")))

/// Rows i ..< i + rows, columns column ..< column + 16 · width of C: rows × width accumulators,
/// each row's A value broadcast once per p. `rows` and `width` are constants where it is inlined.
static inline __attribute__((always_inline)) WIDE void tile(
    const int rows, const int width, ptrdiff_t i, ptrdiff_t column, ptrdiff_t n, ptrdiff_t k,
    const float *a, ptrdiff_t rowStride, ptrdiff_t columnStride, const float *b, const float *start,
    float *c, int accumulate)
{
    __m512 sums[12][2];
    for (int r = 0; r < rows; r++) {
        for (int w = 0; w < width; w++) {
            sums[r][w] = start ? _mm512_loadu_ps(start + (i + r) * n + column + 16 * w) : _mm512_setzero_ps();
        }
    }
    const float *pa = a + i * rowStride, *pb = b + column;
    for (ptrdiff_t p = 0; p < k; p++) {
        __m512 b0 = _mm512_loadu_ps(pb), b1 = width > 1 ? _mm512_loadu_ps(pb + 16) : b0;
        for (int r = 0; r < rows; r++) {
            __m512 x = _mm512_set1_ps(pa[r * rowStride]);
            sums[r][0] = _mm512_fmadd_ps(x, b0, sums[r][0]);
            if (width > 1) sums[r][1] = _mm512_fmadd_ps(x, b1, sums[r][1]);
        }
        pa += columnStride;
        pb += n;
    }
    for (int r = 0; r < rows; r++) {
        for (int w = 0; w < width; w++) {
            float *out = c + (i + r) * n + column + 16 * w;
            _mm512_storeu_ps(out, accumulate ? _mm512_add_ps(sums[r][w], _mm512_loadu_ps(out)) : sums[r][w]);
        }
    }
}

/// Every tile of the columns column ..< column + 16 · width.
static inline __attribute__((always_inline)) WIDE void columnBlock(
    const int width, ptrdiff_t column, ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a,
    ptrdiff_t rowStride, ptrdiff_t columnStride, const float *b, const float *start, float *c, int accumulate)
{
    ptrdiff_t i = 0;
    // A short C in eights (a weight gradient's 32 rows, or its 16 on each of two threads): 12 + 4
    // would leave a third of the work to 4-row tiles, whose 8 sums are too few to hide the latency.
    if (m % 8 == 0 && m <= 64) for (; i + 8 <= m; i += 8) tile(8, width, i, column, n, k, a, rowStride, columnStride, b, start, c, accumulate);
    for (; i + 12 <= m; i += 12) tile(12, width, i, column, n, k, a, rowStride, columnStride, b, start, c, accumulate);
    for (; i + 4 <= m; i += 4) tile(4, width, i, column, n, k, a, rowStride, columnStride, b, start, c, accumulate);
    for (; i < m; i++) tile(1, width, i, column, n, k, a, rowStride, columnStride, b, start, c, accumulate);
}

/// `e^x` of each lane for x in [0, 18]: Loops/Tanh.swift's `exp`, the same operations on 16 lanes.
static inline __attribute__((always_inline)) WIDE __m512 exp16(__m512 x) {
    const float magic = 12582912.0f;   // 1.5 · 2²³
    const __m512 shifted = _mm512_fmadd_ps(x, _mm512_set1_ps(1.44269504088896341f), _mm512_set1_ps(magic));
    const __m512 n = _mm512_sub_ps(shifted, _mm512_set1_ps(magic));
    const __m512 r = _mm512_fmadd_ps(n, _mm512_set1_ps(2.12194440e-4f), _mm512_fmadd_ps(n, _mm512_set1_ps(-0.693359375f), x));
    __m512 p = _mm512_set1_ps(1.9875691500e-4f);
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.3981999507e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(8.3334519073e-3f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(4.1665795894e-2f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(1.6666665459e-1f));
    p = _mm512_fmadd_ps(p, r, _mm512_set1_ps(5.0000001201e-1f));
    const __m512 y = _mm512_add_ps(_mm512_fmadd_ps(p, _mm512_mul_ps(r, r), r), _mm512_set1_ps(1));
    const __m512i integerN = _mm512_sub_epi32(_mm512_castps_si512(shifted), _mm512_set1_epi32(0x4B400000));   // magic's bits
    const __m512 twoToN = _mm512_castsi512_ps(_mm512_slli_epi32(_mm512_add_epi32(integerN, _mm512_set1_epi32(127)), 23));
    return _mm512_mul_ps(y, twoToN);
}

/// `tanh` of each lane: Loops/Tanh.swift's `tanh`, the same operations on 16 lanes.
static inline __attribute__((always_inline)) WIDE __m512 tanh16(__m512 x) {
    const __m512i bits = _mm512_castps_si512(x), signBit = _mm512_set1_epi32((int)0x80000000);
    __m512 a = _mm512_castsi512_ps(_mm512_andnot_si512(signBit, bits));                               // |x|
    a = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, _mm512_set1_ps(9), _CMP_GT_OQ), a, _mm512_set1_ps(9));   // at most 9
    const __m512 z = _mm512_mul_ps(a, a);
    __m512 p = _mm512_set1_ps(-5.70498872745e-3f);
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(2.06390887954e-2f));
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-5.37397155531e-2f));
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(1.33314422036e-1f));
    p = _mm512_fmadd_ps(p, z, _mm512_set1_ps(-3.33332819422e-1f));
    const __m512 small = _mm512_fmadd_ps(_mm512_mul_ps(p, z), a, a);
    const __m512 one = _mm512_set1_ps(1), two = _mm512_set1_ps(2);
    const __m512 large = _mm512_sub_ps(one, _mm512_div_ps(two, _mm512_add_ps(exp16(_mm512_mul_ps(two, a)), one)));
    const __m512 magnitude = _mm512_mask_blend_ps(_mm512_cmp_ps_mask(a, _mm512_set1_ps(0.625f), _CMP_GE_OQ), small, large);
    return _mm512_castsi512_ps(_mm512_or_si512(_mm512_castps_si512(magnitude), _mm512_and_si512(bits, signBit)));   // x's sign
}

WIDE ptrdiff_t wb_tanh_avx512(const float *x, float *y, ptrdiff_t count) {
    ptrdiff_t i = 0;
    for (; i + 16 <= count; i += 16) _mm512_storeu_ps(y + i, tanh16(_mm512_loadu_ps(x + i)));
    return i;
}

WIDE ptrdiff_t wb_tiles_avx512(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t rowStride,
                               ptrdiff_t columnStride, const float *b, const float *start, float *c, int accumulate)
{
    ptrdiff_t column = 0;
    for (; column + 32 <= n; column += 32) columnBlock(2, column, m, n, k, a, rowStride, columnStride, b, start, c, accumulate);
    for (; column + 16 <= n; column += 16) columnBlock(1, column, m, n, k, a, rowStride, columnStride, b, start, c, accumulate);
    return column;
}

#else

ptrdiff_t wb_tiles_avx512(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t rowStride,
                          ptrdiff_t columnStride, const float *b, const float *start, float *c, int accumulate)
{
    (void)m; (void)n; (void)k; (void)a; (void)rowStride; (void)columnStride; (void)b; (void)start; (void)c; (void)accumulate;
    return 0;
}

ptrdiff_t wb_tanh_avx512(const float *x, float *y, ptrdiff_t count) {
    (void)x; (void)y; (void)count;
    return 0;
}

#endif
