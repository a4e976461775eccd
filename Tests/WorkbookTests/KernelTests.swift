// The loops of the Kernels module (MatrixProduct.swift) against plain scalar loops that do the same arithmetic in the same
// order: the tiles, the transposed layouts and the tails must not change a single bit.

import Foundation
import Testing
@testable import Kernels
import KernelRuntime
@testable import Workbook

@Suite("Kernels")
struct KernelTests {
    /// Deterministic values in [−2, 2).
    static func values(_ count: Int, seed: UInt64) -> [Float] {
        var state = seed &* 6364136223846793005 &+ 1442695040888963407
        return (0..<count).map { _ in
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Float(state >> 40) / Float(1 << 24) * 4 - 2
        }
    }

    /// What `gemm` computes for each element: fused multiply-adds in the order of p from zero on
    /// the vector paths; plain multiply-then-add on the scalar tails (columns after the last 8, rows
    /// after the last 8 of an N = 1 product with Aᵀ); and for N = 1 with A row-major and K ≥ 8,
    /// eight fused partial sums (lane l: columns l, l + 8, …) added lane after lane, then the tail.
    /// A weight gradient over many rows (Aᵀ with K from 512, 32 768 values in A, B or C, C of at most
    /// 4096) is the sum of two such products, over the first and the second half of p.
    static func reference(m: Int, n: Int, k: Int, a: [Float], rowStride: Int, columnStride: Int,
                          b: [Float], c: [Float], accumulate: Bool, inHalves: Bool = true) -> [Float] {
        if inHalves && isWeightGradientOverManyRows(m: m, n: n, k: k, rowStride: rowStride) {
            let half = firstHalf(of: k), zeros = [Float](repeating: 0, count: m * n)
            func product(_ p: Range<Int>) -> [Float] {
                reference(m: m, n: n, k: p.count, a: Array(a[(p.lowerBound * columnStride)...]), rowStride: 1,
                          columnStride: columnStride, b: Array(b[(p.lowerBound * n)...]), c: zeros, accumulate: false,
                          inHalves: false)
            }
            let (first, second) = (product(0..<half), product(half..<k))
            return c.indices.map { accumulate ? c[$0] + (first[$0] + second[$0]) : first[$0] + second[$0] }
        }
        func element(_ i: Int, _ p: Int) -> Float { a[i * rowStride + p * columnStride] }
        var out = c
        for i in 0..<m {
            for j in 0..<n {
                var sum: Float = 0
                let fused: Bool
                if n == 1 && rowStride == 1 {
                    fused = i < m - m % 8
                } else if n == 1 && columnStride == 1 && k >= 8 {
                    let full = k - k % 8
                    let lanes = (0..<8).map { l in
                        stride(from: l, to: full, by: 8).reduce(Float(0)) { $0.addingProduct(element(i, $1), b[$1]) }
                    }
                    sum = lanes.dropFirst().reduce(lanes[0], +)
                    for p in full..<k { sum += element(i, p) * b[p] }
                    out[i] = accumulate ? out[i] + sum : sum
                    continue
                } else {
                    fused = n > 1 && j < n - n % 8
                }
                for p in 0..<k {
                    sum = fused ? sum.addingProduct(element(i, p), b[p * n + j]) : sum + element(i, p) * b[p * n + j]
                }
                out[i * n + j] = accumulate ? out[i * n + j] + sum : sum
            }
        }
        return out
    }

    @Test("gemm equals its scalar definition bit for bit, row-major and transposed A, every tile and tail",
          arguments: [(180, 8, 8), (180, 8, 1), (8, 8, 180), (1, 8, 180), (3420, 1, 8), (5, 1, 8), (8, 1, 3420), (13, 1, 21),
                      (3750, 32, 32), (32, 32, 100), (7, 24, 5), (9, 12, 3), (11, 40, 9),
                      // long products, run in chunks of p: weight gradients over every row, a tail chunk, tail columns
                      (32, 32, 3750), (1, 32, 3750), (32, 1, 3750), (8, 8, 3420), (13, 20, 700),
                      // weight gradients as the sum of two halves of p (two threads), C's rows 40 and 24
                      (40, 24, 3000), (24, 1, 3000),
                      // Aᵀ · x in one pass over p for up to four blocks of eight rows: 4 + 3 (two halves), 4 + 1
                      (56, 1, 700), (40, 1, 600),
                      // AVX-512 tiles of 32 and 16 columns, 12, 4 and 1 rows, then Swift's columns
                      (25, 48, 7), (17, 16, 300)])
    func gemmMatchesDefinition(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        // Both copies of the loops where the processor runs the AVX2 one; both tile paths where it has
        // AVX-512: its tiles, and the AVX2 tiles without them.
        let paths = KernelPath.available.flatMap { path in
            (path == .avx2 && WideVectors.available ? [true, false] : [false]).map { (path, wide: $0) }
        }
        for (path, wide) in paths {
            for transposedA in [false, true] {
                for accumulate in [false, true] {
                    let a = Self.values(m * k, seed: UInt64(m * 31 + k)), b = Self.values(k * n, seed: UInt64(n * 17 + k))
                    let c = Self.values(m * n, seed: 99)
                    // A (M, K) stored row-major, or as Aᵀ: (K, M) row-major, read through strides.
                    let (rowStride, columnStride) = transposedA ? (1, m) : (k, 1)
                    var out = c
                    func product() {
                        a.withUnsafeBufferPointer { pa in
                            b.withUnsafeBufferPointer { pb in
                                out.withUnsafeMutableBufferPointer { pc in
                                    gemm(m: m, n: n, k: k, a: pa.baseAddress!, rowStride: rowStride, columnStride: columnStride,
                                         b: pb.baseAddress!, c: pc.baseAddress!, accumulate: accumulate)
                                }
                            }
                        }
                    }
                    KernelPath.using(path) { if wide { product() } else { WideVectors.withoutThem(product) } }
                    let expected = Self.reference(m: m, n: n, k: k, a: a, rowStride: rowStride, columnStride: columnStride,
                                                  b: b, c: c, accumulate: accumulate)
                    // The first differing element, not the arrays: the test library would spend minutes
                    // diffing two arrays of 120 000 values.
                    let differing = out.indices.first { out[$0].bitPattern != expected[$0].bitPattern }
                    let tiles = "A \(transposedA ? "transposed" : "row-major"), accumulate \(accumulate), \(wide ? "AVX-512" : path.rawValue)"
                    #expect(differing == nil, "\(m)×\(k) · \(k)×\(n), \(tiles) tiles")
                }
            }
        }
    }

    @Test("Every buffer starts on a cache line, new or from the pool, small or large (malloc's start 16 bytes in)",
          arguments: [1, 2, 15, 1440, 27360, 120_000, 1 << 20])
    func buffersStartOnACacheLine(count: Int) {
        let fresh = (0..<3).map { _ in Floats.allocate(count) }   // new: the pool has none of this size yet
        for buffer in fresh { buffer.deallocate(count) }
        let reused = (0..<3).map { _ in Floats.allocate(count) }  // taken back from the pool
        for buffer in fresh + reused {
            #expect(Int(bitPattern: buffer.base) % cacheLine == 0, "\(count) floats at \(buffer.base)")
        }
        for buffer in reused { buffer.deallocate(count) }
    }

    @Test("transpose2D: 8 × 8 blocks in registers, then the edges", arguments: [
        (8, 8), (1, 8), (8, 1), (16, 24), (13, 21), (3, 5), (32, 64), (0, 8), (9, 17)])
    func transposeMatchesDefinition(shape: (Int, Int)) {
        let (rows, columns) = shape
        let x = Self.values(rows * columns, seed: UInt64(rows * 7 + columns))
        var out = [Float](repeating: .nan, count: rows * columns)
        x.withUnsafeBufferPointer { px in
            out.withUnsafeMutableBufferPointer { po in
                if let source = px.baseAddress, let target = po.baseAddress {
                    transpose2D(source, rows: rows, columns: columns, into: target)
                }
            }
        }
        let wrong = (0..<rows).flatMap { r in (0..<columns).map { (r, $0) } }.first { r, c in
            out[c * rows + r].bitPattern != x[r * columns + c].bitPattern
        }
        #expect(wrong == nil, "\(rows)×\(columns): element \(String(describing: wrong)) misplaced")
    }

    @Test("A bias added to every row, and its gradient summed row after row (from 32 768 values, in two halves, added)",
          arguments: [(180, 8), (3750, 32), (3420, 1), (5, 13), (1, 8), (0, 8), (6, 24), (3, 40),
                      // large enough for two threads: the sums of the two halves of the rows, an odd count of them;
                      // three rows, all in the first "half"
                      (2000, 40), (1201, 30), (3, 12_000)])
    func rowVectorKernels(shape: (Int, Int)) {
        let (rows, width) = shape
        let x = Self.values(rows * width, seed: 3), bias = Self.values(width, seed: 4), start = Self.values(width, seed: 5)
        var out = [Float](repeating: .nan, count: rows * width)
        var written = [Float](repeating: .nan, count: width), added = start
        x.withUnsafeBufferPointer { px in
            bias.withUnsafeBufferPointer { pb in
                out.withUnsafeMutableBufferPointer { addRowVector(px.baseAddress!, pb.baseAddress!, into: $0.baseAddress!, rows: rows, width: width) }
            }
            written.withUnsafeMutableBufferPointer { sumRows(px.baseAddress!, rows: rows, width: width, into: $0.baseAddress!, accumulate: false) }
            added.withUnsafeMutableBufferPointer { sumRows(px.baseAddress!, rows: rows, width: width, into: $0.baseAddress!, accumulate: true) }
        }
        let expected = (0..<rows * width).map { x[$0] + bias[$0 % width] }
        #expect(out.indices.first { out[$0] != expected[$0] } == nil)   // not the arrays: no diff of 120 000 values
        // Row after row, from the first row's value; from 32 768 values, each half so, then the halves added.
        func sum(_ j: Int, _ r: Range<Int>) -> Float { r.dropFirst().reduce(r.isEmpty ? 0 : x[r.lowerBound * width + j]) { $0 + x[$1 * width + j] } }
        let halves = rows * width >= sharedSize && rows >= 2
        let half = halves ? firstHalf(of: rows) : rows
        let sums = (0..<width).map { j in halves ? sum(j, 0..<half) + sum(j, half..<rows) : sum(j, 0..<rows) }
        #expect(written.map(\.bitPattern) == sums.map(\.bitPattern))
        let sumsFrom = (0..<width).map { j in halves ? start[j] + sums[j] : (0..<rows).reduce(start[j]) { $0 + x[$1 * width + j] } }
        #expect(added.map(\.bitPattern) == sumsFrom.map(\.bitPattern))
    }
}
