// The AVX-512 tiles of the matrix product (see include/CWideProduct.h).

#include "CWideProduct.h"

#if defined(__x86_64__)
#include <cpuid.h>
#include <immintrin.h>

int wb_has_avx512(void) {
    static int known = -1;   // -1: not asked yet; every thread finds the same answer
    int has = __atomic_load_n(&known, __ATOMIC_RELAXED);
    if (has >= 0) return has;
    unsigned eax, ebx, ecx, edx;
    has = 0;
    if (__get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_OSXSAVE)) {
        unsigned low, high;
        __asm__ volatile("xgetbv" : "=a"(low), "=d"(high) : "c"(0));
        // The OS saves the SSE, AVX and AVX-512 registers (XCR0 bits 1, 2, 5, 6, 7), and the CPU has AVX-512F.
        if ((low & 0xE6) == 0xE6 && __get_cpuid_count(7, 0, &eax, &ebx, &ecx, &edx) && (ebx & bit_AVX512F)) has = 1;
    }
    __atomic_store_n(&known, has, __ATOMIC_RELAXED);
    return has;
}

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

WIDE ptrdiff_t wb_tiles_avx512(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t rowStride,
                               ptrdiff_t columnStride, const float *b, const float *start, float *c, int accumulate)
{
    ptrdiff_t column = 0;
    for (; column + 32 <= n; column += 32) columnBlock(2, column, m, n, k, a, rowStride, columnStride, b, start, c, accumulate);
    for (; column + 16 <= n; column += 16) columnBlock(1, column, m, n, k, a, rowStride, columnStride, b, start, c, accumulate);
    return column;
}

#else

int wb_has_avx512(void) { return 0; }

ptrdiff_t wb_tiles_avx512(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t rowStride,
                          ptrdiff_t columnStride, const float *b, const float *start, float *c, int accumulate)
{
    (void)m; (void)n; (void)k; (void)a; (void)rowStride; (void)columnStride; (void)b; (void)start; (void)c; (void)accumulate;
    return 0;
}

#endif
