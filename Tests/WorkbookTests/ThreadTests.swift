// The helper thread (Sources/Kernels/HelperThread.swift): large operations in parts give the same bits as one thread,
// every part runs exactly once, a sum over many rows is its halves' sums added, and callers on several threads do not
// disturb each other.

import Foundation
import Testing
@testable import Kernels
import KernelRuntime
@testable import Workbook

@Suite("Two threads for large operations")
struct ThreadTests {
    @Test("share runs every part exactly once, some of them on the helper thread when it is free")
    func partsRunOnce() {
        let count = 1000, size = partSize(count, parts: 8)   // 128: parts 0..<128, …, 896..<1000
        var helperParts = 0
        // The helper may be taken by another test for a while (then the caller runs everything):
        // keep sharing until it has run a part, or give up after many tries.
        for _ in 0..<20_000 where helperParts == 0 {
            let caller = pthread_self()
            var runs = [Int](repeating: 0, count: count)
            var ranges: [(Range<Int>, onCaller: Bool)] = []
            let lock = NSLock()
            runs.withUnsafeMutableBufferPointer { runs in
                nonisolated(unsafe) let runs = runs
                HelperThread.shared.share(count, partSize: size) { range in
                    for i in range { runs[i] += 1 }
                    lock.withLock { ranges.append((range, pthread_equal(pthread_self(), caller) != 0)) }
                }
            }
            #expect(runs.allSatisfy { $0 == 1 }, "every index once")
            let sorted = ranges.map(\.0).sorted { $0.lowerBound < $1.lowerBound }
            let parts = stride(from: 0, to: count, by: size).map { $0..<min($0 + size, count) }
            #expect(sorted == [0..<count] || sorted == parts)
            helperParts += ranges.filter { !$0.onCaller }.count
        }
        #expect(helperParts > 0, "the helper thread never ran a part")
    }

    @Test("A sum over many rows: each half summed once, some on the helper, then the two sums added")
    func sumsInHalves() {
        let (rows, count) = (1000, 3)
        var helperHalves = 0
        // As above: the helper may be taken by another test for a while.
        for _ in 0..<20_000 where helperHalves == 0 {
            let caller = pthread_self()
            var log: [(firstRow: Int, rows: Int, onCaller: Bool)] = []
            let lock = NSLock()
            var out: [Float] = [100, 200, 300]
            out.withUnsafeMutableBufferPointer { out in
                sumInHalves(of: rows, count: count, into: out.baseAddress!, accumulate: true) { firstRow, n, sums in
                    lock.withLock { log.append((firstRow, n, pthread_equal(pthread_self(), caller) != 0)) }
                    // A half takes a moment, as a real one does, so that the helper can take the second.
                    let until = DispatchTime.now().uptimeNanoseconds + 20_000
                    while DispatchTime.now().uptimeNanoseconds < until {}
                    for j in 0..<count { sums[j] = Float(firstRow * 10 + j) }   // a sum that names its half
                }
            }
            let half = firstHalf(of: rows)
            let firstRows = log.map(\.firstRow).sorted(), rowsSummed = log.map(\.rows).reduce(0, +)
            #expect(firstRows == [0, half] && rowsSummed == rows, "each half once: \(log)")
            // out (+)= first + second, element by element: 100 + (0 + 5000), 200 + (1 + 5001), …
            let expected: [Float] = (0..<count).map { j in
                let (first, second) = (Float(j), Float(half * 10 + j))
                return Float((j + 1) * 100) + (first + second)
            }
            #expect(out == expected)
            helperHalves += log.filter { !$0.onCaller }.count
        }
        #expect(helperHalves > 0, "the helper thread never summed a half")
    }

    @Test("Back-to-back jobs with different numbers of parts: each part of each job runs once")
    func backToBackJobs() {
        // A job of two parts, then one of eight, and so on: the helper, finishing its last part of
        // one job, must never take a part of the next one before it is set up, nor one of a job
        // that is over.
        var runs = [Int](repeating: 0, count: 1024)
        var wrong = 0
        for round in 0..<5_000 {
            let (count, size) = round % 2 == 0 ? (256, 128) : (1024, 128)
            runs.withUnsafeMutableBufferPointer { runs in
                nonisolated(unsafe) let runs = runs
                HelperThread.shared.share(count, partSize: size) { range in for i in range { runs[i] += 1 } }
            }
            wrong += runs.prefix(count).filter { $0 != 1 }.count
            for i in 0..<count { runs[i] = 0 }
        }
        #expect(wrong == 0)
    }

    @Test("Callers on four threads at once each get their own results")
    func concurrentCallers() {
        let results = [Bool](repeating: false, count: 4)
        nonisolated(unsafe) var ok = results
        DispatchQueue.concurrentPerform(iterations: 4) { caller in
            var good = true
            let n = 40_000 + 8 * caller
            var out = [Float](repeating: 0, count: n)
            let x = (0..<n).map { Float($0 % 97) }, y = (0..<n).map { Float(caller) - Float($0 % 13) }
            for _ in 0..<200 {
                out.withUnsafeMutableBufferPointer { out in
                    addVectors(x, y, into: out.baseAddress!, count: n)
                }
                good = good && out.indices.allSatisfy { out[$0] == x[$0] + y[$0] }
            }
            ok[caller] = good
        }
        #expect(ok == [true, true, true, true])
    }

    @Test("A large product in parts of C's rows is the one-thread product, bit for bit",
          arguments: [(3750, 32, 32), (32, 32, 3750), (3750, 1, 32), (32, 1, 3750), (3750, 8, 1), (40, 24, 3000)])
    func productInParts(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        // Not the weight gradients over many rows, which are not cut by C's rows but summed in two
        // halves of p (the test above, and "gemm equals its scalar definition" in KernelTests).
        for transposedA in [false, true] where !isWeightGradientOverManyRows(m: m, n: n, k: k, rowStride: transposedA ? 1 : k) {
            let a = KernelTests.values(m * k, seed: UInt64(m + 7 * k)), b = KernelTests.values(k * n, seed: UInt64(n + k))
            let (rowStride, columnStride) = transposedA ? (1, m) : (k, 1)
            var whole = [Float](repeating: 0, count: m * n), inParts = whole
            a.withUnsafeBufferPointer { pa in
                let pa = pa.baseAddress!
                Threads.withCount(1) {
                    gemm(m: m, n: n, k: k, a: pa, rowStride: rowStride, columnStride: columnStride,
                         b: b, c: &whole, accumulate: false)
                }
                // The parts that `gemm` shares between two threads, made here one after another.
                inParts.withUnsafeMutableBufferPointer { pc in
                    let pc = pc.baseAddress!
                    let size = partSize(m, parts: sharedParts)
                    Threads.withCount(1) {
                        for start in stride(from: 0, to: m, by: size) {
                            gemm(m: min(size, m - start), n: n, k: k, a: pa + start * rowStride, rowStride: rowStride,
                                 columnStride: columnStride, b: b, c: pc + start * n, accumulate: false)
                        }
                    }
                }
            }
            // The first differing element, not the arrays: a failing comparison of 120 000 values
            // would have the test library diff them for minutes.
            let differing = whole.indices.first { whole[$0].bitPattern != inParts[$0].bitPattern }
            #expect(differing == nil, "\(m)×\(k) · \(k)×\(n), transposed A: \(transposedA)")
        }
    }

    @Test("Training the bidirectional model on 3750 rows: the same bits with one thread or two")
    func trainingIsThreadIndependent() {
        func trained(threads: Int) -> [[UInt32]] {
            Threads.withCount(threads) {
                var g = TorchGenerator(seed: 3)
                let task = DigitTask(rows: 3750, using: &g)
                let brnn = BRNN(inputSize: 1, hiddenSize: 32, outputSize: 1, initialization: .xavier, using: &g)
                let (forward, backward) = bidirectionalInputs(task.digits, scaled: true)
                let optimizer = SGD(brnn.parameters, learningRate: 0.1)
                for _ in 0..<3 {
                    BidirectionalLoss.fixed(brnn(forward, backward), task.labels).backward()
                    clipGradientsPerParameter(brnn.parameters)
                    optimizer.step()
                    optimizer.zeroGrad()
                }
                return brnn.parameters.map { $0.values.map(\.bitPattern) }
            }
        }
        let (one, two) = (trained(threads: 1), trained(threads: 2))
        let differing = zip(one, two).filter { $0 != $1 }.count
        #expect(differing == 0, "\(differing) of \(one.count) parameters differ")
    }
}
