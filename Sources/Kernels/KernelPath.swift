// Which copy of the loops runs: compiled for AVX2 and FMA, or portable.
//
// The loops (Sources/Loops) are compiled twice, into _AVX2Loops (for AVX2 and FMA, which x86-64
// processors have had since 2013–2015) and PortableLoops (for the target's baseline: any x86-64,
// arm64). Each function below is one loop's entry: it asks once per call which copy this thread
// runs and calls that copy's function, which runs the whole operation (its part on the helper
// thread included). The two copies compute the same bits; the tests compare them.

import _AVX2Loops
import CProcessor
import KernelRuntime
import PortableLoops

/// The two copies of the kernels' loops: `avx2`, compiled for AVX2 and FMA, and `portable`, for
/// any processor of the target's architecture. Their results are the same bits: every sum in the
/// same order, with the same fused multiply-adds (on an x86-64 without FMA the portable copy calls
/// `fmaf`, which rounds once as the instruction does: slower, not different).
public enum KernelPath: String, CaseIterable, Sendable {
    case avx2
    case portable

    /// The copies this processor runs: both on an x86-64 whose processor has AVX2 and FMA and whose
    /// operating system saves the AVX registers (CPUID and XGETBV, asked once), else `portable`.
    public static let available: [KernelPath] = wb_has_avx2_fma() != 0 ? [.avx2, .portable] : [.portable]

    /// The copy every thread runs unless ``using(_:_:)`` says otherwise: `avx2` where it is
    /// ``available``, unless the environment variable `WORKBOOK_KERNELS` is `portable`; else `portable`.
    /// `WORKBOOK_KERNELS=avx2` (or empty, or unset) asks for the fastest copy; any other value is
    /// ignored, with a warning on standard error.
    public static var `default`: KernelPath { wb_default_loops() == 1 ? .avx2 : .portable }

    /// The copy this thread runs now.
    public static var current: KernelPath { runsAVX2 ? .avx2 : .portable }

    /// Runs `body` with the `path` copy of the loops on this thread (other threads keep theirs):
    /// for the tests that compare the two. `path` must be ``available``.
    public static func using<T>(_ path: KernelPath, _ body: () throws -> T) rethrows -> T {
        check(available.contains(path), "KernelPath.using(.\(path)): this processor runs only \(available)")
        wb_enter_loop_scope()
        defer { wb_leave_loop_scope() }
        return try scopedPath.with(UnsafeRawPointer(bitPattern: path == .avx2 ? 1 : 2), body)
    }
}

/// Set inside ``KernelPath/using(_:_:)``, on that thread only: 1 for `avx2`, 2 for `portable` (nil:
/// ``KernelPath/default``).
private let scopedPath = ThreadSpecific()

/// Whether this thread runs the AVX2 copy now (never off x86-64): two loads of plain variables
/// while no thread is inside ``KernelPath/using(_:_:)``.
@inline(__always)
var runsAVX2: Bool {
    #if arch(x86_64)
    if wb_any_loop_scopes() != 0, let scoped = scopedPath.value { return Int(bitPattern: scoped) == 1 }
    return wb_default_loops() == 1
    #else
    return false
    #endif
}

// MARK: The loops' entries

/// `C = A · B`, or `C += A · B` when `accumulate`; A's element (i, p) is `a[i * rowStride + p * columnStride]`
/// (Sources/Loops/MatrixProduct.swift).
@inline(__always)
func gemm(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, rowStride: Int, columnStride: Int,
    b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    if runsAVX2 {
        _AVX2Loops.gemm(m: m, n: n, k: k, a: a, rowStride: rowStride, columnStride: columnStride, b: b, c: c, accumulate: accumulate)
    } else {
        PortableLoops.gemm(m: m, n: n, k: k, a: a, rowStride: rowStride, columnStride: columnStride, b: b, c: c, accumulate: accumulate)
    }
}

/// Writes the transpose of a row-major `rows × columns` matrix into `out`.
@inline(__always)
func transpose2D(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
    if runsAVX2 {
        _AVX2Loops.transpose2D(x, rows: rows, columns: columns, into: out)
    } else {
        PortableLoops.transpose2D(x, rows: rows, columns: columns, into: out)
    }
}

/// `out[i] = x[i]` for `count` values.
@inline(__always)
func copyVector(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
    if runsAVX2 { _AVX2Loops.copyVector(x, into: out, count: count) } else { PortableLoops.copyVector(x, into: out, count: count) }
}

/// `out[i] = x[i] + y[i]` for `count` values (`out` may be `x` or `y`).
@inline(__always)
func addVectors(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
    if runsAVX2 { _AVX2Loops.addVectors(x, y, into: out, count: count) } else { PortableLoops.addVectors(x, y, into: out, count: count) }
}

/// `out[r, j] = x[r, j] + row[j]` for `rows` rows of `width` (`out` may be `x`).
@inline(__always)
func addRowVector(
    _ x: UnsafePointer<Float>, _ row: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, rows: Int, width: Int
) {
    if runsAVX2 {
        _AVX2Loops.addRowVector(x, row, into: out, rows: rows, width: width)
    } else {
        PortableLoops.addRowVector(x, row, into: out, rows: rows, width: width)
    }
}

/// `sums[j] (+)= Σ_r x[r, j]` over `rows` rows of `width`, row after row (from 32 768 values, in halves).
@inline(__always)
func sumRows(_ x: UnsafePointer<Float>, rows: Int, width: Int, into sums: UnsafeMutablePointer<Float>, accumulate: Bool) {
    if runsAVX2 {
        _AVX2Loops.sumRows(x, rows: rows, width: width, into: sums, accumulate: accumulate)
    } else {
        PortableLoops.sumRows(x, rows: rows, width: width, into: sums, accumulate: accumulate)
    }
}

/// `Σ_r x[r, j]` for each column j, in double precision, row after row.
@inline(__always)
func columnSumsInDouble(_ x: UnsafePointer<Float>, rows: Int, width: Int) -> [Double] {
    runsAVX2 ? _AVX2Loops.columnSumsInDouble(x, rows: rows, width: width)
        : PortableLoops.columnSumsInDouble(x, rows: rows, width: width)
}

/// `y[i] = tanh(x[i])` for `count` values, within 1 ulp (`y` may be `x`).
@inline(__always)
func tanh(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    if runsAVX2 { _AVX2Loops.tanh(x, into: y, count: count) } else { PortableLoops.tanh(x, into: y, count: count) }
}

/// `y[i] = max(x[i], 0)` for `count` values.
@inline(__always)
func relu(_ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int) {
    if runsAVX2 { _AVX2Loops.relu(x, into: y, count: count) } else { PortableLoops.relu(x, into: y, count: count) }
}

/// ReLU's gradient from its output, written or added.
@inline(__always)
func reluGradient(
    _ g: UnsafePointer<Float>, output y: UnsafePointer<Float>, into gx: UnsafeMutablePointer<Float>, count: Int,
    accumulate: Bool
) {
    if runsAVX2 {
        _AVX2Loops.reluGradient(g, output: y, into: gx, count: count, accumulate: accumulate)
    } else {
        PortableLoops.reluGradient(g, output: y, into: gx, count: count, accumulate: accumulate)
    }
}

/// `d[i] *= 1 − h[i]²`: tanh's derivative from its output.
@inline(__always)
func multiplyByTanhDerivative(_ d: UnsafeMutablePointer<Float>, output h: UnsafePointer<Float>, count: Int) {
    if runsAVX2 {
        _AVX2Loops.multiplyByTanhDerivative(d, output: h, count: count)
    } else {
        PortableLoops.multiplyByTanhDerivative(d, output: h, count: count)
    }
}
