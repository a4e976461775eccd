// One 8 × 8 transpose in vector registers, for the Workbook's kernels (Kernels.swift).
//
// Swift's SIMD types have no two-vector shuffle: written with them, the transpose's 24 shuffles
// become about a hundred instructions. Clang's `__builtin_shufflevector` gives each step its one
// instruction (unpack, shuffle, then a swap of 128-bit halves on x86-64); it is plain C for clang,
// with no intrinsics of one processor.

#ifndef CTRANSPOSE_H
#define CTRANSPOSE_H

#include <stddef.h>

/// Writes the transpose of the 8 × 8 block whose row `r` starts at `in + r * inStride` to the
/// block whose row `c` starts at `out + c * outStride`. The blocks must not overlap, unless they
/// are the same block with the same stride (in place).
void wb_transpose8x8(const float *in, ptrdiff_t inStride, float *out, ptrdiff_t outStride);

#endif
