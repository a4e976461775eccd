// The kernels' interface: what the Workbook engine calls, on ``Floats`` and sizes.
//
// Each function here is the whole of a loop the engine needs; the loops themselves (SIMD, tiles,
// the helper thread) are in other modules, which the engine never sees:
//
//   Sources/Loops           gemm, transpose, the vector sums, a bias added to rows and its gradient,
//                           tanh, ReLU: compiled twice, for AVX2 and FMA and portable (KernelPath.swift
//                           here says which runs)
//   Sources/KernelRuntime   two threads for the large operations, the same bits as one
//   Floats.swift            the values' memory, the pool of released buffers, per-thread flags
//   Sources/CWideProduct    the product's tiles in AVX-512, on the processors that have it (C)
//
// Every result is the same bits whatever path a kernel takes (vector or scalar tail, AVX-512, AVX2
// or portable, one thread or two): the tests compare each with a plain loop doing the same
// arithmetic, and the copies of the loops with each other.

import KernelRuntime

/// Whether the matrix product's tiles of 16 columns or more, and tanh, run in AVX-512
/// (Sources/CWideProduct), which this processor may have: the fastest copy of the loops is compiled
/// for AVX2, and only that one C file for AVX-512, called after the processor said it can. The bits
/// are the same either way.
public enum WideVectors {
    /// Whether this processor and its operating system run AVX-512.
    public static var available: Bool { WideTiles.available }

    /// Runs `body` with the AVX2 tiles only, on this thread: for the tests that compare the two.
    public static func withoutThem<T>(_ body: () throws -> T) rethrows -> T {
        try WideTiles.off.with(UnsafeRawPointer(bitPattern: 1), body)
    }
}

/// How many threads the large operations use.
public enum Threads {
    /// How many threads a large operation may use: 2 (the default on a machine with two cores or
    /// more) or 1, as `torch.set_num_threads` sets PyTorch's. Every result is the same bits either
    /// way; only the time changes.
    public static var count: Int {
        get { threadCount }
        set { threadCount = newValue }
    }

    /// Runs `body` with ``count`` set to `count` on this thread only (other threads keep theirs):
    /// for work that runs beside other work, such as independent training runs that already fill
    /// the cores.
    public static func withCount<T>(_ count: Int, _ body: () throws -> T) rethrows -> T {
        try withThreadCount(count, body)
    }
}

/// `C = A · B`, or `C += A · B` when `accumulate`, for `C (M, N)`, `A (M, K)`, `B (K, N)`.
///
/// B and C are row-major; A's element (i, p) is `a[i * rowStride + p * columnStride]`, so `Aᵀ`
/// (a weight gradient's `Xᵀ · G`) is read without a copy. Each element of C is its products added
/// in the order of p, one fused multiply-add each, from zero; a weight gradient over many rows (`Aᵀ`
/// read with `rowStride` 1, K from 512, 32 768 values in A, B or C, C of at most 4096) is the sum
/// of two such sums, over the first and the second half of p.
public func gemm(
    m: Int, n: Int, k: Int, a: Floats, rowStride: Int, columnStride: Int, b: Floats, c: Floats, accumulate: Bool
) {
    gemm(m: m, n: n, k: k, a: UnsafePointer(a.base), rowStride: rowStride, columnStride: columnStride,
         b: UnsafePointer(b.base), c: c.base, accumulate: accumulate)
}

/// `C (+)= A · Bᵀ` for `C (M, N)`, `A (M, K)`, and `B` given as the row-major `(N, K)` matrix
/// whose transpose is needed (a product's input gradient `G · Wᵀ`). Bᵀ is packed on the stack
/// first: B is a small weight matrix.
public func gemm(
    m: Int, n: Int, k: Int, a: Floats, rowStride: Int, columnStride: Int, transposedB b: Floats, c: Floats,
    accumulate: Bool
) {
    withUnsafeTemporaryAllocation(of: Float.self, capacity: Swift.max(n * k, 1)) { buffer in
        guard let bt = buffer.baseAddress else { return }
        transpose2D(UnsafePointer(b.base), rows: n, columns: k, into: bt)
        gemm(m: m, n: n, k: k, a: UnsafePointer(a.base), rowStride: rowStride, columnStride: columnStride,
             b: UnsafePointer(bt), c: c.base, accumulate: accumulate)
    }
}

/// Writes the transpose of a row-major `rows × columns` matrix into `out`.
public func transpose2D(_ x: Floats, rows: Int, columns: Int, into out: Floats) {
    transpose2D(UnsafePointer(x.base), rows: rows, columns: columns, into: out.base)
}

/// `out[i] = x[i]` for `count` values.
public func copyVector(_ x: Floats, into out: Floats, count: Int) {
    copyVector(UnsafePointer(x.base), into: out.base, count: count)
}

/// `out[i] = x[i] + y[i]` for `count` values (`out` may be `x` or `y`).
public func addVectors(_ x: Floats, _ y: Floats, into out: Floats, count: Int) {
    addVectors(UnsafePointer(x.base), UnsafePointer(y.base), into: out.base, count: count)
}

/// `out[r, j] = x[r, j] + row[j]` for `rows` rows of `width`: a bias added to every row (`out` may be `x`).
public func addRowVector(_ x: Floats, _ row: Floats, into out: Floats, rows: Int, width: Int) {
    addRowVector(UnsafePointer(x.base), UnsafePointer(row.base), into: out.base, rows: rows, width: width)
}

/// `sums[j] = Σ_r x[r, j]` (or `+=` when `accumulate`) over `rows` rows of `width`, row after row
/// in order: a bias's gradient. From 32 768 values, the sum of the two halves' sums.
public func sumRows(_ x: Floats, rows: Int, width: Int, into sums: Floats, accumulate: Bool) {
    sumRows(UnsafePointer(x.base), rows: rows, width: width, into: sums.base, accumulate: accumulate)
}

/// `Σ_r x[r, j]` for each column j of `rows` rows of `width`, in double precision, row after row.
public func columnSumsInDouble(_ x: Floats, rows: Int, width: Int) -> [Double] {
    columnSumsInDouble(UnsafePointer(x.base), rows: rows, width: width)
}

/// `y[i] = tanh(x[i])` for `count` values, within 1 ulp (`y` may be `x`).
public func tanh(_ x: Floats, into y: Floats, count: Int) {
    tanh(UnsafePointer(x.base), into: y.base, count: count)
}

/// `y[i] = max(x[i], 0)` for `count` values.
public func relu(_ x: Floats, into y: Floats, count: Int) {
    relu(UnsafePointer(x.base), into: y.base, count: count)
}

/// ReLU's gradient: `gx[i] (+)= y[i] > 0 ? g[i] : 0` from the output `y`, written when `accumulate`
/// is false, added otherwise.
public func reluGradient(_ g: Floats, output y: Floats, into gx: Floats, count: Int, accumulate: Bool) {
    reluGradient(UnsafePointer(g.base), output: UnsafePointer(y.base), into: gx.base, count: count, accumulate: accumulate)
}
