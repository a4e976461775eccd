#include "CTranspose.h"

typedef float float8 __attribute__((__vector_size__(32)));

// Unaligned loads and stores as macros: no vector crosses a function's boundary (whose ABI, for a
// 32-byte vector, depends on whether AVX is on).
#define load(p) ({ float8 v_; __builtin_memcpy(&v_, (p), sizeof v_); v_; })
#define store(p, v) do { float8 v_ = (v); __builtin_memcpy((p), &v_, sizeof v_); } while (0)

/// The transpose, compiled into each of the two functions below with their instructions.
static inline __attribute__((always_inline)) void transpose(const float *in, ptrdiff_t inStride, float *out, ptrdiff_t outStride) {
    float8 r0 = load(in), r1 = load(in + inStride), r2 = load(in + 2 * inStride), r3 = load(in + 3 * inStride);
    float8 r4 = load(in + 4 * inStride), r5 = load(in + 5 * inStride), r6 = load(in + 6 * inStride), r7 = load(in + 7 * inStride);
    // Interleave pairs of rows: (a0 b0 a1 b1 | a4 b4 a5 b5) and (a2 b2 a3 b3 | a6 b6 a7 b7).
    float8 t0 = __builtin_shufflevector(r0, r1, 0, 8, 1, 9, 4, 12, 5, 13), t1 = __builtin_shufflevector(r0, r1, 2, 10, 3, 11, 6, 14, 7, 15);
    float8 t2 = __builtin_shufflevector(r2, r3, 0, 8, 1, 9, 4, 12, 5, 13), t3 = __builtin_shufflevector(r2, r3, 2, 10, 3, 11, 6, 14, 7, 15);
    float8 t4 = __builtin_shufflevector(r4, r5, 0, 8, 1, 9, 4, 12, 5, 13), t5 = __builtin_shufflevector(r4, r5, 2, 10, 3, 11, 6, 14, 7, 15);
    float8 t6 = __builtin_shufflevector(r6, r7, 0, 8, 1, 9, 4, 12, 5, 13), t7 = __builtin_shufflevector(r6, r7, 2, 10, 3, 11, 6, 14, 7, 15);
    // Then pairs of pairs: each half of s0 is one column of rows 0–3 (low) or 4–7 (high).
    float8 s0 = __builtin_shufflevector(t0, t2, 0, 1, 8, 9, 4, 5, 12, 13), s1 = __builtin_shufflevector(t0, t2, 2, 3, 10, 11, 6, 7, 14, 15);
    float8 s2 = __builtin_shufflevector(t1, t3, 0, 1, 8, 9, 4, 5, 12, 13), s3 = __builtin_shufflevector(t1, t3, 2, 3, 10, 11, 6, 7, 14, 15);
    float8 s4 = __builtin_shufflevector(t4, t6, 0, 1, 8, 9, 4, 5, 12, 13), s5 = __builtin_shufflevector(t4, t6, 2, 3, 10, 11, 6, 7, 14, 15);
    float8 s6 = __builtin_shufflevector(t5, t7, 0, 1, 8, 9, 4, 5, 12, 13), s7 = __builtin_shufflevector(t5, t7, 2, 3, 10, 11, 6, 7, 14, 15);
    // Finally the 128-bit halves: columns 0–3 from the low halves, 4–7 from the high ones.
    store(out, __builtin_shufflevector(s0, s4, 0, 1, 2, 3, 8, 9, 10, 11));
    store(out + outStride, __builtin_shufflevector(s1, s5, 0, 1, 2, 3, 8, 9, 10, 11));
    store(out + 2 * outStride, __builtin_shufflevector(s2, s6, 0, 1, 2, 3, 8, 9, 10, 11));
    store(out + 3 * outStride, __builtin_shufflevector(s3, s7, 0, 1, 2, 3, 8, 9, 10, 11));
    store(out + 4 * outStride, __builtin_shufflevector(s0, s4, 4, 5, 6, 7, 12, 13, 14, 15));
    store(out + 5 * outStride, __builtin_shufflevector(s1, s5, 4, 5, 6, 7, 12, 13, 14, 15));
    store(out + 6 * outStride, __builtin_shufflevector(s2, s6, 4, 5, 6, 7, 12, 13, 14, 15));
    store(out + 7 * outStride, __builtin_shufflevector(s3, s7, 4, 5, 6, 7, 12, 13, 14, 15));
}

void wb_transpose8x8(const float *in, ptrdiff_t inStride, float *out, ptrdiff_t outStride) {
    transpose(in, inStride, out, outStride);
}

#if defined(__x86_64__)
__attribute__((target("avx2"))) void wb_transpose8x8_avx2(const float *in, ptrdiff_t inStride, float *out, ptrdiff_t outStride) {
    transpose(in, inStride, out, outStride);
}
#else
void wb_transpose8x8_avx2(const float *in, ptrdiff_t inStride, float *out, ptrdiff_t outStride) {
    transpose(in, inStride, out, outStride);
}
#endif
