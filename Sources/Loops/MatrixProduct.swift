// A register-blocked SIMD matrix product, and the elementwise loops of sums and biases.
//
// C (M, N) = or += A (M, K) · B (K, N). B and C are row-major and contiguous; A is read through
// two strides, so that Aᵀ (a weight gradient's `Xᵀ · G`) needs no copy. The work is cut into
// tiles of up to 8 rows × 8 columns or 6 rows × 16 columns (at most 12 AVX registers of
// accumulators), then a scalar tail, so every shape the notebooks use (N = 1, 8, 32) runs on
// vector code; on a processor with AVX-512, CWideProduct's tiles take the blocks of 16 and 32
// columns first. The deep RNNs' narrow products, (M, ≤ 8) · (≤ 8, 8), keep B in registers instead;
// long products over many rows p (weight gradients over a batch of 3750) run over p in chunks that
// stay in the cache. Every element of C is the same sum in every path: products added in the order
// of p, one fused multiply-add each, from zero; a weight gradient over many rows (from 512, and
// 32 768 values) is the sum of two such sums, over the first and the second half of p.
//
// Then the elementwise kernels: vector sums, a bias added to every row and its gradient.
//
// This folder's files are compiled twice, into two modules (Package.swift): _AVX2Loops, for AVX2 and
// FMA, and PortableLoops, for the target's baseline (x86-64 without AVX2, arm64); the Kernels module
// runs one or the other. The code is the same, and so is every result's bits: Swift never fuses a
// multiply and an add by itself, so each fused multiply-add is one written here (`addingProduct`),
// an FMA instruction where there is one and a correctly rounded `fmaf` call where there is not.

import CTranspose
import CWideProduct
import KernelRuntime

/// `wb_transpose8x8` compiled for this copy of the loops (Sources/CTranspose).
@inline(__always)
func transpose8x8(_ x: UnsafePointer<Float>, _ xStride: Int, _ out: UnsafeMutablePointer<Float>, _ outStride: Int) {
    #if AVX2 && arch(x86_64)
    wb_transpose8x8_avx2(x, xStride, out, outStride)
    #else
    wb_transpose8x8(x, xStride, out, outStride)
    #endif
}

/// Whether the AVX-512 tiles and tanh of CWideProduct run: in the AVX2 copy, where the processor has
/// AVX-512 and this thread has not turned them off.
@inline(__always)
var wideTilesInUse: Bool {
    #if AVX2 && arch(x86_64)
    WideTiles.inUse
    #else
    false
    #endif
}

/// `C = A · B`, or `C += A · B` when `accumulate`; A's element (i, p) is `a[i * rowStride + p * columnStride]`.
///
/// A large product (``isShared(m:n:k:)``, and 16 rows of C) runs on two threads, which share C's
/// rows in halves (Sources/KernelRuntime/HelperThread.swift): every element of C is the same sum
/// either way. A weight gradient over many rows (``isWeightGradientOverManyRows(m:n:k:rowStride:)``)
/// is the sum of the two halves' sums over p.
package func gemm(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, rowStride: Int, columnStride: Int,
    b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    if isWeightGradientOverManyRows(m: m, n: n, k: k, rowStride: rowStride) {
        // The sum of the two halves' sums (``sumInHalves``), each thread over the rows it wrote.
        return sumInHalves(of: k, count: m * n, into: c, accumulate: accumulate) { p0, rows, sums in
            sumOfProducts(m: m, n: n, k: rows, a: a + p0 * columnStride, columnStride: columnStride, b: b + p0 * n,
                          c: sums, accumulate: false)
        }
    }
    guard isShared(m: m, n: n, k: k) && m >= 16 else {
        // The small products (the deep RNNs'): straight to the loops, which see the sizes as they are.
        return gemmOnOneThread(m: m, n: n, k: k, a: a, rowStride: rowStride, columnStride: columnStride,
                               b: b, c: c, accumulate: accumulate)
    }
    // C's rows in halves (``sharedParts``; each reads all of B).
    inParts(m, size: partSize(m, parts: sharedParts)) { rows in
        gemmOnOneThread(m: rows.count, n: n, k: k, a: a + rows.lowerBound * rowStride, rowStride: rowStride,
                        columnStride: columnStride, b: b, c: c + rows.lowerBound * n, accumulate: accumulate)
    }
}

/// `C (+)= Aᵀ · B` over `k` rows p, A's element (i, p) at `a[i + p * columnStride]`, on the calling
/// thread: each element's sum from zero in the order of p.
private func sumOfProducts(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, columnStride: Int, b: UnsafePointer<Float>,
    c: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    if n == 1 {
        return matrixVector(m: m, k: k, a: StridedMatrix(base: a, rowStride: 1, columnStride: columnStride),
                            x: b, y: c, accumulate: accumulate)
    }
    tiles(m: m, n: n, k: k, a: a, rowStride: 1, columnStride: columnStride, b: b, c: c, accumulate: accumulate)
}

/// ``gemm(m:n:k:a:rowStride:columnStride:b:c:accumulate:)`` on the calling thread.
@inline(__always)
private func gemmOnOneThread(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, rowStride: Int, columnStride: Int,
    b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    if n == 1 {   // the output layer's (M, K) · (K, 1) and its weight gradient
        matrixVector(m: m, k: k, a: StridedMatrix(base: a, rowStride: rowStride, columnStride: columnStride),
                     x: b, y: c, accumulate: accumulate)
        return
    }
    // The deep RNNs' products, (180, 8) · (8, 8) and (180, 1) · (1, 8): B fits in registers.
    if n == 8 && k <= 8 && columnStride == 1 {
        switch k {   // a constant k for the two sizes the notebooks use, so the loop over p unrolls
        case 8: narrowProductOf8(m: m, a: a, rowStride: rowStride, b: b, c: c, accumulate: accumulate)
        case 1: narrowProductOf1(m: m, a: a, rowStride: rowStride, b: b, c: c, accumulate: accumulate)
        default: narrowProduct(m: m, k: k, a: a, rowStride: rowStride, b: b, c: c, accumulate: accumulate)
        }
        return
    }
    // The two layouts the operations use get their own copy of the loops, with the unit stride a
    // constant: A row-major (A · B, G · Bᵀ) and A transposed (Aᵀ · G). The addresses of A's
    // elements are then plain increments.
    if columnStride == 1 {
        tiles(m: m, n: n, k: k, a: a, rowStride: rowStride, columnStride: 1, b: b, c: c, accumulate: accumulate)
    } else if rowStride == 1 {
        tiles(m: m, n: n, k: k, a: a, rowStride: 1, columnStride: columnStride, b: b, c: c, accumulate: accumulate)
    } else {
        tiles(m: m, n: n, k: k, a: a, rowStride: rowStride, columnStride: columnStride, b: b, c: c, accumulate: accumulate)
    }
}

/// ``narrowProduct(m:k:a:rowStride:b:c:accumulate:)`` for K = 8 and K = 1, each in a function of its
/// own: inlined into `gemm`, its loop was compiled with whatever registers the rest of `gemm` left, and
/// an unrelated change elsewhere in this module could add a spill to it (180 × 8 · 8 × 8: 0.28 µs,
/// or 0.36).
@inline(never)
private func narrowProductOf8(
    m: Int, a: UnsafePointer<Float>, rowStride: Int, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    narrowProduct(m: m, k: 8, a: a, rowStride: rowStride, b: b, c: c, accumulate: accumulate)
}

@inline(never)
private func narrowProductOf1(
    m: Int, a: UnsafePointer<Float>, rowStride: Int, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    narrowProduct(m: m, k: 1, a: a, rowStride: rowStride, b: b, c: c, accumulate: accumulate)
}

/// `C (M, 8) (+)= A (M, K) · B (K, 8)` for K ≤ 8, A row-major: B's rows stay in registers and
/// each row of C is K broadcasts and multiply-adds. Each element is the same chain as in a tile:
/// the products in the order of p, one fused multiply-add each, from zero.
@inline(__always)
private func narrowProduct(
    m: Int, k: Int, a: UnsafePointer<Float>, rowStride: Int,
    b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    typealias V = SIMD8<Float>
    @inline(__always) func row(_ p: Int) -> V { p < k ? UnsafeRawPointer(b + 8 * p).loadUnaligned(as: V.self) : V() }
    let (b0, b1, b2, b3, b4, b5, b6, b7) = (row(0), row(1), row(2), row(3), row(4), row(5), row(6), row(7))
    var pa = a, pc = c
    for _ in 0..<m {
        var sum = V().addingProduct(V(repeating: pa[0]), b0)
        if k > 1 { sum = sum.addingProduct(V(repeating: pa[1]), b1) }
        if k > 2 { sum = sum.addingProduct(V(repeating: pa[2]), b2) }
        if k > 3 { sum = sum.addingProduct(V(repeating: pa[3]), b3) }
        if k > 4 { sum = sum.addingProduct(V(repeating: pa[4]), b4) }
        if k > 5 { sum = sum.addingProduct(V(repeating: pa[5]), b5) }
        if k > 6 { sum = sum.addingProduct(V(repeating: pa[6]), b6) }
        if k > 7 { sum = sum.addingProduct(V(repeating: pa[7]), b7) }
        let out = UnsafeMutableRawPointer(pc)
        out.storeBytes(of: accumulate ? sum + out.loadUnaligned(as: V.self) : sum, as: V.self)
        pa += rowStride
        pc += 8
    }
}

/// Cuts C into tiles: columns 16 then 8 at a time, and for each, rows 8 (6 for 16 columns), 4, then 1.
///
/// A product over many rows `p` with a small C — a weight gradient `Aᵀ · G` over 3750 rows — runs
/// over `p` in chunks of ``chunkRows``: every tile of C takes its chunk of A and B while they are
/// still in the core's cache, instead of every tile streaming all of A and B from memory. Between
/// chunks each element's running sum waits in a small buffer, so the chain of multiply-adds, and
/// the result, are exactly those of one pass.
@inline(__always)
private func tiles(
    m: Int, n: Int, k: Int, a: UnsafePointer<Float>, rowStride: Int, columnStride: Int,
    b: UnsafePointer<Float>, start: UnsafePointer<Float>? = nil, c: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    /// Every tile of C over `k` values of p from `a` and `b`, each sum starting from `start`'s
    /// element (nil: from zero), then written to `c` (added to it when `accumulate`).
    @inline(__always) func pass(
        k: Int, a: UnsafePointer<Float>, b: UnsafePointer<Float>, start: UnsafePointer<Float>?,
        c: UnsafeMutablePointer<Float>, accumulate: Bool
    ) {
        @inline(__always) func columnBlock<V: SIMD>(_: V.Type, _ column: Int) where V.Scalar == Float {
            let tallest = V.scalarCount == 8 ? 8 : 6
            var i = 0
            while i + tallest <= m {
                tile(V.self, rows: tallest, i, column, k: k, n: n, a: a, rowStride: rowStride,
                     columnStride: columnStride, b: b, start: start, c: c, accumulate: accumulate)
                i += tallest
            }
            while i + 4 <= m {
                tile(V.self, rows: 4, i, column, k: k, n: n, a: a, rowStride: rowStride,
                     columnStride: columnStride, b: b, start: start, c: c, accumulate: accumulate)
                i += 4
            }
            while i < m {
                tile(V.self, rows: 1, i, column, k: k, n: n, a: a, rowStride: rowStride,
                     columnStride: columnStride, b: b, start: start, c: c, accumulate: accumulate)
                i += 1
            }
        }
        // On a processor with AVX-512, its tiles take the blocks of 16 columns (CWideProduct).
        var j = n >= 16 && wideTilesInUse
            ? wb_tiles_avx512(m, n, k, a, rowStride, columnStride, b, start, c, accumulate ? 1 : 0) : 0
        while j + 16 <= n { columnBlock(SIMD16<Float>.self, j); j += 16 }
        while j + 8 <= n { columnBlock(SIMD8<Float>.self, j); j += 8 }
        // The remaining columns: one dot product per element.
        for column in j..<n {
            for i in 0..<m {
                var sum: Float = start?[i * n + column] ?? 0
                for p in 0..<k { sum += a[i * rowStride + p * columnStride] * b[p * n + column] }
                c[i * n + column] = accumulate ? c[i * n + column] + sum : sum
            }
        }
    }
    guard k > 2 * chunkRows && m * n <= 4096 else {
        pass(k: k, a: a, b: b, start: start, c: c, accumulate: accumulate)
        return
    }
    withUnsafeTemporaryAllocation(of: Float.self, capacity: m * n) { buffer in
        guard let partial = buffer.baseAddress else { return }
        var p0 = 0
        while p0 < k {
            let count = Swift.min(chunkRows, k - p0), last = p0 + count == k
            pass(k: count, a: a + p0 * columnStride, b: b + p0 * n, start: p0 == 0 ? start : UnsafePointer(partial),
                 c: last ? c : partial, accumulate: last && accumulate)
            p0 += count
        }
    }
}

/// How many values of p a chunk of a long product takes (see ``tiles(m:n:k:a:rowStride:columnStride:b:c:accumulate:)``):
/// 256 rows of two 32-column operands are 64 KB, which the core's 512 KB L2 cache holds.
private let chunkRows = 256

/// Rows `i ..< i + rows` (1 to 8; a constant where it is called) of C, columns `column ..< column + V.scalarCount`.
@inline(__always)
private func tile<V: SIMD>(
    _: V.Type, rows: Int, _ i: Int, _ column: Int, k: Int, n: Int,
    a: UnsafePointer<Float>, rowStride: Int, columnStride: Int,
    b: UnsafePointer<Float>, start: UnsafePointer<Float>?, c: UnsafeMutablePointer<Float>, accumulate: Bool
) where V.Scalar == Float {
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    var (c0, c1, c2, c3, c4, c5, c6, c7) = (V(), V(), V(), V(), V(), V(), V(), V())
    if let start {   // a later chunk: the running sums so far
        @inline(__always) func sums(_ r: Int) -> V { load(start + (i + r) * n + column) }
        c0 = sums(0)
        if rows > 1 { c1 = sums(1) }
        if rows > 2 { c2 = sums(2) }
        if rows > 3 { c3 = sums(3) }
        if rows > 4 { c4 = sums(4) }
        if rows > 5 { c5 = sums(5) }
        if rows > 6 { c6 = sums(6) }
        if rows > 7 { c7 = sums(7) }
    }
    var (pa, pb) = (a + i * rowStride, b + column)   // A's (i, p) and B's (p, column), p = 0 first
    for _ in 0..<k {
        let bRow = load(pb)
        c0 = c0.addingProduct(V(repeating: pa[0]), bRow)
        if rows > 1 { c1 = c1.addingProduct(V(repeating: pa[rowStride]), bRow) }
        if rows > 2 { c2 = c2.addingProduct(V(repeating: pa[2 * rowStride]), bRow) }
        if rows > 3 { c3 = c3.addingProduct(V(repeating: pa[3 * rowStride]), bRow) }
        if rows > 4 { c4 = c4.addingProduct(V(repeating: pa[4 * rowStride]), bRow) }
        if rows > 5 { c5 = c5.addingProduct(V(repeating: pa[5 * rowStride]), bRow) }
        if rows > 6 { c6 = c6.addingProduct(V(repeating: pa[6 * rowStride]), bRow) }
        if rows > 7 { c7 = c7.addingProduct(V(repeating: pa[7 * rowStride]), bRow) }
        pa += columnStride
        pb += n
    }
    @inline(__always) func store(_ v: V, _ r: Int) {
        let p = c + (i + r) * n + column
        UnsafeMutableRawPointer(p).storeBytes(of: accumulate ? v + load(p) : v, as: V.self)
    }
    store(c0, 0)
    if rows > 1 { store(c1, 1) }
    if rows > 2 { store(c2, 2) }
    if rows > 3 { store(c3, 3) }
    if rows > 4 { store(c4, 4) }
    if rows > 5 { store(c5, 5) }
    if rows > 6 { store(c6, 6) }
    if rows > 7 { store(c7, 7) }
}

/// `y = A · x` or `y += A · x`, eight lanes at a time along whichever of A's dimensions is contiguous.
private func matrixVector(
    m: Int, k: Int, a: StridedMatrix, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    typealias V = SIMD8<Float>
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    var i = 0
    if a.rowStride == 1 {
        // Aᵀ · g (a weight gradient): for each p, eight rows of A are contiguous. Up to four blocks of
        // eight rows in one pass over p: four chains of multiply-adds in flight instead of one, each
        // the same chain (a chain alone waits for each multiply-add: the bidirectional output layer's
        // 32 × 3750 gradient took 29 µs in four passes on one thread, and 13 µs in one).
        @inline(__always) func blocks(_ count: Int) {
            var (s0, s1, s2, s3) = (V(), V(), V(), V())
            var row = a.base + i
            for p in 0..<k {
                let xp = V(repeating: x[p])
                s0 = s0.addingProduct(load(row), xp)
                if count > 1 { s1 = s1.addingProduct(load(row + 8), xp) }
                if count > 2 { s2 = s2.addingProduct(load(row + 16), xp) }
                if count > 3 { s3 = s3.addingProduct(load(row + 24), xp) }
                row += a.columnStride
            }
            @inline(__always) func store(_ sum: V, _ b: Int) {
                let out = y + i + 8 * b
                UnsafeMutableRawPointer(out).storeBytes(of: accumulate ? sum + load(out) : sum, as: V.self)
            }
            store(s0, 0)
            if count > 1 { store(s1, 1) }
            if count > 2 { store(s2, 2) }
            if count > 3 { store(s3, 3) }
            i += 8 * count
        }
        while i + 32 <= m { blocks(4) }
        switch (m - i) / 8 {
        case 3: blocks(3)
        case 2: blocks(2)
        case 1: blocks(1)
        default: break
        }
    } else if a.columnStride == 1 && k >= 8 {
        // A · x: a dot product per row, in eight partial sums (lane j: the products of the columns
        // j, j + 8, …), then the lanes added one after the other, then the columns after the last 8.
        let (full, s) = (k - k % 8, a.rowStride)
        if k == 8 {
            // The deep RNNs' output layer: each block of eight rows transposed as it is read, so that
            // column j of the block is one vector (lane l: row i + l) — the same products, added in
            // the same order, with no lanes to move afterwards.
            let xs = (V(repeating: x[0]), V(repeating: x[1]), V(repeating: x[2]), V(repeating: x[3]),
                      V(repeating: x[4]), V(repeating: x[5]), V(repeating: x[6]), V(repeating: x[7]))
            withUnsafeTemporaryAllocation(of: Float.self, capacity: 64) { buffer in
                guard let block = buffer.baseAddress else { return }
                @inline(__always) func product(_ j: Int, _ xj: V) -> V { V().addingProduct(load(block + 8 * j), xj) }
                while i + 8 <= m {
                    transpose8x8(a.base + i * s, s, block, 8)
                    var sums = product(0, xs.0) + product(1, xs.1)
                    sums += product(2, xs.2)
                    sums += product(3, xs.3)
                    sums += product(4, xs.4)
                    sums += product(5, xs.5)
                    sums += product(6, xs.6)
                    sums += product(7, xs.7)
                    UnsafeMutableRawPointer(y + i).storeBytes(of: accumulate ? load(y + i) + sums : sums, as: V.self)
                    i += 8
                }
            }
        }
        @inline(__always) func partial(_ row: UnsafePointer<Float>) -> V {
            var partial = V()
            for p in stride(from: 0, to: full, by: 8) { partial = partial.addingProduct(load(row + p), load(x + p)) }
            return partial
        }
        // Eight rows at a time, their partial sums transposed (lane l of vector j: row i + l's partial
        // sum j): the lane additions then run on whole vectors — the same additions in the same order.
        while i + 8 <= m {
            let row = a.base + i * s
            var t = (partial(row), partial(row + s), partial(row + 2 * s), partial(row + 3 * s),
                     partial(row + 4 * s), partial(row + 5 * s), partial(row + 6 * s), partial(row + 7 * s))
            withUnsafeMutableBytes(of: &t) { block in
                let p = block.baseAddress!.assumingMemoryBound(to: Float.self)
                transpose8x8(p, 8, p, 8)
            }
            var sums = ((((((t.0 + t.1) + t.2) + t.3) + t.4) + t.5) + t.6) + t.7
            if full < k {
                for l in 0..<8 {
                    var sum = sums[l]
                    for p in full..<k { sum += row[l * s + p] * x[p] }
                    sums[l] = sum
                }
            }
            UnsafeMutableRawPointer(y + i).storeBytes(of: accumulate ? load(y + i) + sums : sums, as: V.self)
            i += 8
        }
        while i < m {
            let row = a.base + i * s
            var sum = partial(row).sum()
            for p in full..<k { sum += row[p] * x[p] }
            y[i] = accumulate ? y[i] + sum : sum
            i += 1
        }
    }
    while i < m {
        var sum: Float = 0
        for p in 0..<k { sum += a[i, p] * x[p] }
        y[i] = accumulate ? y[i] + sum : sum
        i += 1
    }
}

/// A matrix read through strides.
struct StridedMatrix {
    let base: UnsafePointer<Float>
    let rowStride: Int
    let columnStride: Int

    @inline(__always) subscript(i: Int, p: Int) -> Float { base[i * rowStride + p * columnStride] }
}

/// Writes the transpose of a row-major `rows × columns` matrix: 8 × 8 blocks in vector registers
/// (``transpose8x8(_:_:_:_:)``, Sources/CTranspose), then the edges one element at a time.
package func transpose2D(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
    let (fullRows, fullColumns) = (rows - rows % 8, columns - columns % 8)
    for r in stride(from: 0, to: fullRows, by: 8) {
        for col in stride(from: 0, to: fullColumns, by: 8) {
            transpose8x8(x + r * columns + col, columns, out + col * rows + r, rows)
        }
    }
    for r in 0..<rows {
        for col in (r < fullRows ? fullColumns : 0)..<columns { out[col * rows + r] = x[r * columns + col] }
    }
}

/// `out[i] = x[i]` for `count` elements (a gradient passed on unchanged), on two threads when large.
package func copyVector(_ x: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
    inParts(elements: count) { range in (out + range.lowerBound).update(from: x + range.lowerBound, count: range.count) }
}

/// `out[i] = x[i] + y[i]` for `count` elements, eight at a time (`out` may be `x` or `y`).
package func addVectors(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
    typealias V = SIMD8<Float>
    inParts(elements: count) { range in
        var i = range.lowerBound
        while i + 8 <= range.upperBound {
            let sum = UnsafeRawPointer(x + i).loadUnaligned(as: V.self) + UnsafeRawPointer(y + i).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(out + i).storeBytes(of: sum, as: V.self)
            i += 8
        }
        while i < range.upperBound { out[i] = x[i] + y[i]; i += 1 }
    }
}

/// `out[r, j] = x[r, j] + row[j]` for `rows` rows of `width` (a bias added to every row; `out` may be `x`).
package func addRowVector(
    _ x: UnsafePointer<Float>, _ row: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, rows: Int, width: Int
) {
    inParts(rows, size: partSize(rows, parts: sharedParts), if: rows * width >= sharedSize) { part in
        let offset = part.lowerBound * width
        addRowVectorOnOneThread(x + offset, row, into: out + offset, rows: part.count, width: width)
    }
}

/// ``addRowVector(_:_:into:rows:width:)`` on the calling thread.
private func addRowVectorOnOneThread(
    _ x: UnsafePointer<Float>, _ row: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, rows: Int, width: Int
) {
    typealias V = SIMD8<Float>
    if width == 1 {   // one bias for every element: an output layer's b_q
        let b = row[0]
        var i = 0
        while i + 8 <= rows {
            let sum = UnsafeRawPointer(x + i).loadUnaligned(as: V.self) + b
            UnsafeMutableRawPointer(out + i).storeBytes(of: sum, as: V.self)
            i += 8
        }
        while i < rows { out[i] = x[i] + b; i += 1 }
        return
    }
    // Row after row, so that a large matrix is read and written once, in order (a column of
    // lanes at a time would walk the whole matrix once per eight columns). The models' widths,
    // 8 and 32, keep the bias in registers.
    @inline(__always) func inRegisters(_ groups: Int) {
        @inline(__always) func lanes(_ p: UnsafePointer<Float>, _ g: Int) -> V { UnsafeRawPointer(p + 8 * g).loadUnaligned(as: V.self) }
        let (b0, b1, b2, b3) = (lanes(row, 0), groups > 1 ? lanes(row, 1) : V(), groups > 2 ? lanes(row, 2) : V(), groups > 3 ? lanes(row, 3) : V())
        var (px, po) = (x, out)
        for _ in 0..<rows {
            let o = UnsafeMutableRawPointer(po)
            o.storeBytes(of: lanes(px, 0) + b0, as: V.self)
            if groups > 1 { o.storeBytes(of: lanes(px, 1) + b1, toByteOffset: 32, as: V.self) }
            if groups > 2 { o.storeBytes(of: lanes(px, 2) + b2, toByteOffset: 64, as: V.self) }
            if groups > 3 { o.storeBytes(of: lanes(px, 3) + b3, toByteOffset: 96, as: V.self) }
            px += width
            po += width
        }
    }
    switch width {
    case 8: return inRegisters(1)
    case 32: return inRegisters(4)
    default: break
    }
    let full = width - width % 8
    for r in 0..<rows {
        let (xr, or) = (x + r * width, out + r * width)
        var j = 0
        while j < full {
            let sum = UnsafeRawPointer(xr + j).loadUnaligned(as: V.self) + UnsafeRawPointer(row + j).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(or + j).storeBytes(of: sum, as: V.self)
            j += 8
        }
        for column in full..<width { or[column] = xr[column] + row[column] }
    }
}

/// `sums[j] (+)= Σ_r x[r, j]` over `rows` rows of `width`, row after row in order (a bias's gradient).
/// Writes the sums when `accumulate` is false, otherwise adds them into `sums`, starting from its
/// values: each lane is the same sequence of float additions either way. A large matrix (from
/// ``sharedSize`` values) is the sum of its two halves' sums (``sumInHalves``), each half's rows
/// summed in order, on two threads.
package func sumRows(
    _ x: UnsafePointer<Float>, rows: Int, width: Int, into sums: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    guard rows * width >= sharedSize && rows >= 2 else {
        return sumRows(x, rows: rows, width: width, rowStride: width, into: sums, accumulate: accumulate)
    }
    sumInHalves(of: rows, count: width, into: sums, accumulate: accumulate) { r0, count, partial in
        sumRows(x + r0 * width, rows: count, width: width, rowStride: width, into: partial, accumulate: false)
    }
}

/// ``sumRows(_:rows:width:into:accumulate:)`` over `width` columns of rows `rowStride` apart, on this thread.
private func sumRows(
    _ x: UnsafePointer<Float>, rows: Int, width: Int, rowStride: Int, into sums: UnsafeMutablePointer<Float>,
    accumulate: Bool
) {
    typealias V = SIMD8<Float>
    guard rows > 0 else {
        if !accumulate { sums.update(repeating: 0, count: width) }
        return
    }
    // Row after row, so that a large matrix is read once, in order: the running sums live in
    // `sums` (a few cache lines), and each column's sum is the same additions in the same order as
    // a column-at-a-time loop.
    @inline(__always) func inRegisters(_ groups: Int) {
        @inline(__always) func lanes(_ p: UnsafePointer<Float>, _ g: Int) -> V { UnsafeRawPointer(p + 8 * g).loadUnaligned(as: V.self) }
        let start = accumulate ? UnsafePointer(sums) : x
        var (t0, t1, t2, t3) = (lanes(start, 0), groups > 1 ? lanes(start, 1) : V(), groups > 2 ? lanes(start, 2) : V(), groups > 3 ? lanes(start, 3) : V())
        var px = accumulate ? x : x + rowStride
        for _ in (accumulate ? 0 : 1)..<rows {
            t0 += lanes(px, 0)
            if groups > 1 { t1 += lanes(px, 1) }
            if groups > 2 { t2 += lanes(px, 2) }
            if groups > 3 { t3 += lanes(px, 3) }
            px += rowStride
        }
        let s = UnsafeMutableRawPointer(sums)
        s.storeBytes(of: t0, as: V.self)
        if groups > 1 { s.storeBytes(of: t1, toByteOffset: 32, as: V.self) }
        if groups > 2 { s.storeBytes(of: t2, toByteOffset: 64, as: V.self) }
        if groups > 3 { s.storeBytes(of: t3, toByteOffset: 96, as: V.self) }
    }
    switch width {   // the models' widths (and half of 32): the running sums stay in registers
    case 8: return inRegisters(1)
    case 16: return inRegisters(2)
    case 32: return inRegisters(4)
    default: break
    }
    let full = width - width % 8
    if !accumulate { sums.update(from: x, count: full) }
    for r in (accumulate ? 0 : 1)..<rows {
        let xr = x + r * rowStride
        var j = 0
        while j < full {
            let total = UnsafeRawPointer(sums + j).loadUnaligned(as: V.self) + UnsafeRawPointer(xr + j).loadUnaligned(as: V.self)
            UnsafeMutableRawPointer(sums + j).storeBytes(of: total, as: V.self)
            j += 8
        }
    }
    for column in (width - width % 8)..<width {
        var total = accumulate ? sums[column] + x[column] : x[column]
        for r in 1..<rows { total += x[r * rowStride + column] }
        sums[column] = total
    }
}
