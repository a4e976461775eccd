// The loops the operations run: a register-blocked SIMD matrix product.
//
// C (M, N) = or += A (M, K) · B (K, N). B and C are row-major and contiguous; A is read through
// two strides, so that Aᵀ (a weight gradient's `Xᵀ · G`) needs no copy. The work is cut into
// blocks of 6 rows × 16 columns (12 AVX registers of accumulators), then 6 × 8, then single rows,
// then a scalar tail, so every shape the notebooks use (N = 1, 8, 32) runs on vector code.

/// `C = A · B`, or `C += A · B` when `accumulate`; A's element (i, p) is `a[i * rowStride + p * columnStride]`.
///
/// One thread: splitting the bidirectional model's products over the machine's two cores (fixed
/// halves of C's rows, bit-identical) was slower on a shared machine; see BENCHMARKS.md.
func gemm(
    m: Int, n: Int, k: Int,
    a: UnsafePointer<Float>, rowStride: Int, columnStride: Int,
    b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    let aMatrix = StridedMatrix(base: a, rowStride: rowStride, columnStride: columnStride)
    var j = 0
    while j + 16 <= n {
        columnBlock(SIMD16<Float>.self, column: j, m: m, n: n, k: k, a: aMatrix, b: b, c: c, accumulate: accumulate)
        j += 16
    }
    while j + 8 <= n {
        columnBlock(SIMD8<Float>.self, column: j, m: m, n: n, k: k, a: aMatrix, b: b, c: c, accumulate: accumulate)
        j += 8
    }
    if j == 0 && n == 1 {   // the output layer's (M, K) · (K, 1) and its weight gradient
        matrixVector(m: m, k: k, a: aMatrix, x: b, y: c, accumulate: accumulate)
        return
    }
    // The remaining columns: one dot product per element.
    for column in j..<n {
        for i in 0..<m {
            var sum: Float = 0
            for p in 0..<k { sum += aMatrix[i, p] * b[p * n + column] }
            c[i * n + column] = accumulate ? c[i * n + column] + sum : sum
        }
    }
}

/// `y = A · x` or `y += A · x`, eight lanes at a time along whichever of A's dimensions is contiguous.
private func matrixVector(
    m: Int, k: Int, a: StridedMatrix, x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, accumulate: Bool
) {
    typealias V = SIMD8<Float>
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    var i = 0
    if a.rowStride == 1 {
        // Aᵀ · g (a weight gradient): for each p, eight rows of A are contiguous.
        while i + 8 <= m {
            var sum = V()
            for p in 0..<k { sum = sum.addingProduct(load(a.base + i + p * a.columnStride), V(repeating: x[p])) }
            let out = UnsafeMutableRawPointer(y + i)
            out.storeBytes(of: accumulate ? sum + load(y + i) : sum, as: V.self)
            i += 8
        }
    } else if a.columnStride == 1 && k >= 8 {
        // A · x: a dot product per row, in eight partial sums.
        while i < m {
            let row = a.base + i * a.rowStride
            var partial = V()
            var p = 0
            while p + 8 <= k { partial = partial.addingProduct(load(row + p), load(x + p)); p += 8 }
            var sum = partial.sum()
            while p < k { sum += row[p] * x[p]; p += 1 }
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

/// All rows of C for the columns `column ..< column + V.scalarCount`.
@inline(__always)
private func columnBlock<V: SIMD>(
    _: V.Type, column: Int, m: Int, n: Int, k: Int,
    a: StridedMatrix, b: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, accumulate: Bool
) where V.Scalar == Float {
    @inline(__always) func load(_ p: UnsafePointer<Float>) -> V { UnsafeRawPointer(p).loadUnaligned(as: V.self) }
    @inline(__always) func store(_ v: V, _ p: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(p).storeBytes(of: accumulate ? v + load(p) : v, as: V.self)
    }
    var i = 0
    while i + 6 <= m {
        var c0 = V(), c1 = V(), c2 = V(), c3 = V(), c4 = V(), c5 = V()
        for p in 0..<k {
            let bRow = load(b + p * n + column)
            c0 = c0.addingProduct(V(repeating: a[i, p]), bRow)
            c1 = c1.addingProduct(V(repeating: a[i + 1, p]), bRow)
            c2 = c2.addingProduct(V(repeating: a[i + 2, p]), bRow)
            c3 = c3.addingProduct(V(repeating: a[i + 3, p]), bRow)
            c4 = c4.addingProduct(V(repeating: a[i + 4, p]), bRow)
            c5 = c5.addingProduct(V(repeating: a[i + 5, p]), bRow)
        }
        let row = c + i * n + column
        store(c0, row); store(c1, row + n); store(c2, row + 2 * n)
        store(c3, row + 3 * n); store(c4, row + 4 * n); store(c5, row + 5 * n)
        i += 6
    }
    while i < m {
        var c0 = V()
        for p in 0..<k { c0 = c0.addingProduct(V(repeating: a[i, p]), load(b + p * n + column)) }
        store(c0, c + i * n + column)
        i += 1
    }
}

/// Writes the transpose of a row-major `rows × columns` matrix.
func transpose2D(_ x: UnsafePointer<Float>, rows: Int, columns: Int, into out: UnsafeMutablePointer<Float>) {
    for r in 0..<rows {
        for col in 0..<columns { out[col * rows + r] = x[r * columns + col] }
    }
}

/// `out[i] = x[i] + y[i]` for `count` elements, eight at a time (`out` may be `x` or `y`).
func addVectors(_ x: UnsafePointer<Float>, _ y: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>, count: Int) {
    typealias V = SIMD8<Float>
    var i = 0
    while i + 8 <= count {
        let sum = UnsafeRawPointer(x + i).loadUnaligned(as: V.self) + UnsafeRawPointer(y + i).loadUnaligned(as: V.self)
        UnsafeMutableRawPointer(out + i).storeBytes(of: sum, as: V.self)
        i += 8
    }
    while i < count { out[i] = x[i] + y[i]; i += 1 }
}
