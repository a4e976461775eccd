// The kernels' interface: what the Workbook engine calls, on ``Floats`` and sizes.
//
// Each function here is the whole of a loop the engine needs; the loops themselves (SIMD, tiles,
// the helper thread) are in the other files of this module, which the engine never sees:
//
//   MatrixProduct.swift    gemm, transpose, the vector sums, a bias added to rows and its gradient
//   Tanh.swift             a vectorised tanh within 1 ulp
//   HelperThread.swift     two threads for the large operations, the same bits as one
//   Floats.swift           the values' memory, the pool of released buffers, per-thread flags
//   Sources/CWideProduct   the product's tiles in AVX-512, on the processors that have it (C)
//
// Every result is the same bits whatever path a kernel takes (vector or scalar tail, AVX2 or
// AVX-512, one thread or two): the tests compare each with a plain loop doing the same arithmetic.

import CWideProduct

/// Whether the matrix product's tiles of 16 columns or more run in AVX-512 (Sources/CWideProduct),
/// which this processor may have: the kernels are compiled for AVX2, which every x86-64 since
/// 2013–2015 runs, and only that one C file for AVX-512, called after the processor said it can.
/// The bits are the same either way.
public enum WideVectors {
    /// Whether this processor and its operating system run AVX-512.
    public static let available = wb_has_avx512() != 0

    /// Runs `body` with the AVX2 tiles only, on this thread: for the tests that compare the two.
    public static func withoutThem<T>(_ body: () throws -> T) rethrows -> T { try avx2Only.with(body) }

    static var inUse: Bool { available && !avx2Only.isSet }
}

private let avx2Only = ThreadFlag()

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
    let d = x.base
    return [Double](unsafeUninitializedCapacity: width) { sums, initialized in
        guard let s = sums.baseAddress else { return }
        s.initialize(repeating: 0, count: width)
        var j = 0
        while j + 8 <= width {   // eight columns at a time in vector lanes, row after row
            var total = SIMD8<Double>()
            var row = UnsafePointer(d + j)
            for _ in 0..<rows {
                total += SIMD8<Double>(UnsafeRawPointer(row).loadUnaligned(as: SIMD8<Float>.self))
                row += width
            }
            UnsafeMutableRawPointer(s + j).storeBytes(of: total, as: SIMD8<Double>.self)
            j += 8
        }
        if j < width {
            for r in 0..<rows { for column in j..<width { s[column] += Double(d[r * width + column]) } }
        }
        initialized = width
    }
}

/// `y[i] = tanh(x[i])` for `count` values, within 1 ulp (`y` may be `x`).
public func tanh(_ x: Floats, into y: Floats, count: Int) {
    tanh(UnsafePointer(x.base), into: y.base, count: count)
}

/// `y[i] = max(x[i], 0)` for `count` values.
public func relu(_ x: Floats, into y: Floats, count: Int) {
    let (px, py) = (x.base, y.base)
    inParts(elements: count) { part in
        for i in part { py[i] = Swift.max(px[i], 0) }
    }
}

/// ReLU's gradient: `gx[i] (+)= y[i] > 0 ? g[i] : 0` from the output `y`, written when `accumulate`
/// is false, added otherwise.
public func reluGradient(_ g: Floats, output y: Floats, into gx: Floats, count: Int, accumulate: Bool) {
    let (pg, py, pgx) = (g.base, y.base, gx.base)
    inParts(elements: count) { part in
        if accumulate {
            for i in part { pgx[i] += py[i] > 0 ? pg[i] : 0 }
        } else {
            for i in part { pgx[i] = py[i] > 0 ? pg[i] : 0 }
        }
    }
}
