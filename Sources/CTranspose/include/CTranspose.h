// One 8 × 8 transpose in vector registers, for the Workbook's kernels (Loops/MatrixProduct.swift).
//
// Swift's SIMD types have no two-vector shuffle: written with them, the transpose's 24 shuffles
// become about a hundred instructions. Clang's `__builtin_shufflevector` gives each step its one
// instruction (unpack, shuffle, then a swap of 128-bit halves with AVX2); it is plain C for clang,
// with no intrinsics of one processor. It is compiled twice, as the loops are: for the portable
// loops with the target's baseline instructions (SSE2 on x86-64, NEON on arm64), and for the AVX2
// loops with AVX2 (clang's `target` attribute, on x86-64 only: elsewhere the two are the same).

#ifndef CTRANSPOSE_H
#define CTRANSPOSE_H

#include <stddef.h>

/// Writes the transpose of the 8 × 8 block whose row `r` starts at `in + r * inStride` to the
/// block whose row `c` starts at `out + c * outStride`. The blocks must not overlap, unless they
/// are the same block with the same stride (in place).
void wb_transpose8x8(const float *in, ptrdiff_t inStride, float *out, ptrdiff_t outStride);

/// ``wb_transpose8x8`` in AVX2 on x86-64: call only where the processor has it (the AVX2 loops).
void wb_transpose8x8_avx2(const float *in, ptrdiff_t inStride, float *out, ptrdiff_t outStride);

#endif
