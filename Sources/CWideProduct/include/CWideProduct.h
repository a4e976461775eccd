// The matrix product's tiles and tanh in AVX-512, for processors that have it (Loops/MatrixProduct.swift,
// Loops/Tanh.swift).
//
// The fastest copy of Swift's loops is compiled for AVX2 (Sources/Loops); a program built with
// AVX-512 throughout would stop with an illegal instruction on the many processors that lack it.
// This one file is the exception: its tiles are compiled for AVX-512 alone (clang's `target`
// attribute) and run, from the AVX2 copy, only after the processor and the operating system said
// they can (`wb_has_avx512`, Sources/CProcessor). Off x86-64 its functions compute nothing.
// Each element is the same sum as in the Swift tiles, so the bits do not depend on the path: the
// products in the order of p, one fused multiply-add each, from zero (or from `start`), then added
// to C when `accumulate`.

#ifndef CWIDEPRODUCT_H
#define CWIDEPRODUCT_H

#include <stddef.h>

/// `C (+)= A · B` for C's columns in blocks of 32 then 16, from column 0: every tile of those
/// columns, 12 rows at a time (8 first for a C of up to 64 rows in eights), then 4, then 1.
/// A's element (i, p) is `a[i * rowStride + p * columnStride]`; B and C are row-major with `n`
/// columns; `start` (or NULL) holds each element's running sum so far, row-major like C. Call only
/// when `wb_has_avx512()` (Sources/CProcessor).
/// Returns how many columns it computed (a multiple of 16); the caller does the rest.
ptrdiff_t wb_tiles_avx512(ptrdiff_t m, ptrdiff_t n, ptrdiff_t k, const float *a, ptrdiff_t rowStride,
                          ptrdiff_t columnStride, const float *b, const float *start, float *c, int accumulate);

/// `y[i] = tanh(x[i])` for i below `count` in blocks of 16, the same operations as Loops/Tanh.swift
/// (so the same bits) on 16 lanes at a time; `y` may be `x`. Returns how many it computed (a multiple
/// of 16); the caller does the rest. Call only when `wb_has_avx512()`.
ptrdiff_t wb_tanh_avx512(const float *x, float *y, ptrdiff_t count);

#endif
