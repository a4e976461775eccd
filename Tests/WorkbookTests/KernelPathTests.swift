// The two copies of the loops (Sources/Loops, built as _AVX2Loops and PortableLoops) against each
// other, bit for bit, on the shapes KernelTests uses; and the Kernels module's choice between them.

import Foundation
import Testing
import _AVX2Loops
import KernelRuntime
@testable import Kernels
import PortableLoops
@testable import Workbook

/// Whether this processor runs both copies (an x86-64 with AVX2 and FMA).
private let bothCopies = KernelPath.available.contains(.avx2)

/// The index of the first element whose bits differ, or nil (not the arrays: the test library would
/// spend minutes diffing two arrays of 120 000 values).
private func firstDifference(_ x: [Float], _ y: [Float]) -> Int? {
    x.count != y.count ? -1 : x.indices.first { x[$0].bitPattern != y[$0].bitPattern }
}

/// `body(copy)` for each copy, `.avx2` then `.portable`: the two results.
private func both(_ body: (KernelPath) -> [Float]) -> (avx2: [Float], portable: [Float]) {
    (body(.avx2), body(.portable))
}

@Suite("The AVX2 and portable loops give the same bits", .enabled(if: bothCopies, "this processor runs the portable loops only"))
struct KernelPathTests {
    @Test("gemm, row-major and transposed A, written and accumulated", arguments: [
        (180, 8, 8), (180, 8, 1), (8, 8, 180), (1, 8, 180), (3420, 1, 8), (5, 1, 8), (8, 1, 3420), (13, 1, 21),
        (3750, 32, 32), (32, 32, 100), (7, 24, 5), (9, 12, 3), (11, 40, 9),
        (32, 32, 3750), (1, 32, 3750), (32, 1, 3750), (8, 8, 3420), (13, 20, 700),
        (40, 24, 3000), (24, 1, 3000), (56, 1, 700), (40, 1, 600), (25, 48, 7), (17, 16, 300)])
    func products(shape: (Int, Int, Int)) {
        let (m, n, k) = shape
        let a = KernelTests.values(m * k, seed: UInt64(m * 31 + k)), b = KernelTests.values(k * n, seed: UInt64(n * 17 + k))
        let c = KernelTests.values(m * n, seed: 99)
        for transposedA in [false, true] {
            for accumulate in [false, true] {
                let (rowStride, columnStride) = transposedA ? (1, m) : (k, 1)
                let (avx2, portable) = both { copy in
                    var out = c
                    a.withUnsafeBufferPointer { pa in
                        b.withUnsafeBufferPointer { pb in
                            out.withUnsafeMutableBufferPointer { pc in
                                let (pa, pb, pc) = (pa.baseAddress!, pb.baseAddress!, pc.baseAddress!)
                                if copy == .avx2 {
                                    _AVX2Loops.gemm(m: m, n: n, k: k, a: pa, rowStride: rowStride, columnStride: columnStride,
                                                   b: pb, c: pc, accumulate: accumulate)
                                } else {
                                    PortableLoops.gemm(m: m, n: n, k: k, a: pa, rowStride: rowStride,
                                                       columnStride: columnStride, b: pb, c: pc, accumulate: accumulate)
                                }
                            }
                        }
                    }
                    return out
                }
                #expect(firstDifference(avx2, portable) == nil,
                        "\(m)×\(k) · \(k)×\(n), A \(transposedA ? "transposed" : "row-major"), accumulate \(accumulate)")
            }
        }
    }

    @Test("transpose2D", arguments: [(8, 8), (1, 8), (8, 1), (16, 24), (13, 21), (3, 5), (32, 64), (0, 8), (9, 17)])
    func transposes(shape: (Int, Int)) {
        let (rows, columns) = shape
        let x = KernelTests.values(rows * columns, seed: UInt64(rows * 7 + columns))
        let (avx2, portable) = both { copy in
            var out = [Float](repeating: .nan, count: rows * columns)
            x.withUnsafeBufferPointer { px in
                out.withUnsafeMutableBufferPointer { po in
                    guard let source = px.baseAddress, let target = po.baseAddress else { return }
                    if copy == .avx2 {
                        _AVX2Loops.transpose2D(source, rows: rows, columns: columns, into: target)
                    } else {
                        PortableLoops.transpose2D(source, rows: rows, columns: columns, into: target)
                    }
                }
            }
            return out
        }
        #expect(firstDifference(avx2, portable) == nil, "\(rows)×\(columns)")
    }

    @Test("A bias added to rows, its gradient summed (written and added), column sums in double, vector sums",
          arguments: [(180, 8), (3750, 32), (3420, 1), (5, 13), (1, 8), (0, 8), (6, 24), (3, 40), (2000, 40), (1201, 30), (3, 12_000)])
    func rowsAndVectors(shape: (Int, Int)) {
        let (rows, width) = shape
        let x = KernelTests.values(rows * width, seed: 3), bias = KernelTests.values(width, seed: 4)
        let start = KernelTests.values(width, seed: 5)
        let (avx2, portable) = both { copy in
            var (biased, sums, added, vectorSum) = ([Float](repeating: .nan, count: rows * width),
                                                    [Float](repeating: .nan, count: width), start,
                                                    [Float](repeating: .nan, count: rows * width))
            var doubles: [Double] = []
            x.withUnsafeBufferPointer { px in
                bias.withUnsafeBufferPointer { pb in
                    let (px, pb) = (px.baseAddress!, pb.baseAddress!)
                    biased.withUnsafeMutableBufferPointer { out in
                        vectorSum.withUnsafeMutableBufferPointer { sum in
                            sums.withUnsafeMutableBufferPointer { s in
                                added.withUnsafeMutableBufferPointer { a in
                                    let (out, sum, s, a) = (out.baseAddress!, sum.baseAddress!, s.baseAddress!, a.baseAddress!)
                                    if copy == .avx2 {
                                        _AVX2Loops.addRowVector(px, pb, into: out, rows: rows, width: width)
                                        _AVX2Loops.addVectors(px, UnsafePointer(out), into: sum, count: rows * width)
                                        _AVX2Loops.sumRows(px, rows: rows, width: width, into: s, accumulate: false)
                                        _AVX2Loops.sumRows(px, rows: rows, width: width, into: a, accumulate: true)
                                        doubles = _AVX2Loops.columnSumsInDouble(px, rows: rows, width: width)
                                    } else {
                                        PortableLoops.addRowVector(px, pb, into: out, rows: rows, width: width)
                                        PortableLoops.addVectors(px, UnsafePointer(out), into: sum, count: rows * width)
                                        PortableLoops.sumRows(px, rows: rows, width: width, into: s, accumulate: false)
                                        PortableLoops.sumRows(px, rows: rows, width: width, into: a, accumulate: true)
                                        doubles = PortableLoops.columnSumsInDouble(px, rows: rows, width: width)
                                    }
                                }
                            }
                        }
                    }
                }
            }
            // Each double as the two floats of its bits, so that one comparison covers every result.
            let doubleBits = doubles.flatMap { d in
                [Float(bitPattern: UInt32(truncatingIfNeeded: d.bitPattern >> 32)), Float(bitPattern: UInt32(truncatingIfNeeded: d.bitPattern))]
            }
            return biased + vectorSum + sums + added + doubleBits
        }
        #expect(firstDifference(avx2, portable) == nil, "\(rows) rows of \(width)")
    }

    @Test("tanh on every 997th float of [−20, 20] and the edges, ReLU and its gradient, tanh's derivative")
    func elementwise() {
        var xs = stride(from: Float(-20).bitPattern, to: Float(-0.0).bitPattern, by: -997).map { Float(bitPattern: $0) }
        xs += stride(from: Float(0).bitPattern, to: Float(20).bitPattern, by: 997).map { Float(bitPattern: $0) }
        xs += [0, -0, .leastNonzeroMagnitude, 0.625, -0.625, 0.62499994, 9, -9, 9.000001, 1e30, .infinity, -.infinity, .nan, -.nan]
        let g = KernelTests.values(xs.count, seed: 11), count = xs.count
        let (avx2, portable) = both { copy in
            var (t, r, written, added, derivative) = ([Float](repeating: 0, count: count), [Float](repeating: 0, count: count),
                                                      [Float](repeating: 0, count: count), g, g)
            xs.withUnsafeBufferPointer { x in
                g.withUnsafeBufferPointer { gp in
                    let (x, gp) = (x.baseAddress!, gp.baseAddress!)
                    t.withUnsafeMutableBufferPointer { t in
                        r.withUnsafeMutableBufferPointer { r in
                            written.withUnsafeMutableBufferPointer { w in
                                added.withUnsafeMutableBufferPointer { a in
                                    derivative.withUnsafeMutableBufferPointer { d in
                                        let (t, r, w, a, d) = (t.baseAddress!, r.baseAddress!, w.baseAddress!, a.baseAddress!, d.baseAddress!)
                                        if copy == .avx2 {
                                            _AVX2Loops.tanh(x, into: t, count: count)
                                            _AVX2Loops.relu(x, into: r, count: count)
                                            _AVX2Loops.reluGradient(gp, output: UnsafePointer(r), into: w, count: count, accumulate: false)
                                            _AVX2Loops.reluGradient(gp, output: UnsafePointer(r), into: a, count: count, accumulate: true)
                                            _AVX2Loops.multiplyByTanhDerivative(d, output: UnsafePointer(t), count: count)
                                        } else {
                                            PortableLoops.tanh(x, into: t, count: count)
                                            PortableLoops.relu(x, into: r, count: count)
                                            PortableLoops.reluGradient(gp, output: UnsafePointer(r), into: w, count: count, accumulate: false)
                                            PortableLoops.reluGradient(gp, output: UnsafePointer(r), into: a, count: count, accumulate: true)
                                            PortableLoops.multiplyByTanhDerivative(d, output: UnsafePointer(t), count: count)
                                        }
                                    }
                                }
                            }
                        }
                    }
                }
            }
            return t + r + written + added + derivative
        }
        let differing = firstDifference(avx2, portable)
        #expect(differing == nil, "element \(String(describing: differing)) of tanh, ReLU, its gradients, tanh's derivative")
    }

    @Test("Training the bidirectional model (3750 rows, two threads) and the deep RNN: the same bits on either copy")
    func training() {
        func trained(_ copy: KernelPath) -> [UInt32] {
            KernelPath.using(copy) {
                #expect(KernelPath.current == copy)
                var g = TorchGenerator(seed: 3)
                let task = DigitTask(rows: 3750, using: &g)
                let brnn = BRNN(inputSize: 1, hiddenSize: 32, outputSize: 1, initialization: .xavier, using: &g)
                let (forward, backward) = bidirectionalInputs(task.digits, scaled: true)
                let optimizer = SGD(brnn.parameters, learningRate: 0.1)
                for _ in 0..<2 {
                    BidirectionalLoss.fixed(brnn(forward, backward), task.labels).backward()
                    clipGradientsPerParameter(brnn.parameters)
                    optimizer.step()
                    optimizer.zeroGrad()
                }
                // The deep RNN of the notebook, corrected (tanh), and its small products.
                let (inputs, targets) = slidingWindows(of: NoisyLine(using: &g).differences, length: 19)
                let (x, y) = (timeMajorInputs(inputs), timeMajorTargets(targets))
                let drnn = DRNN(numLayers: 2, inputSize: 1, hiddenSize: 8, outputSize: 1, variant: .corrected, using: &g)
                let sgd = SGD(drnn.parameters, learningRate: 1e-3)
                var losses: [Float] = []
                for _ in 0..<3 {
                    sequenceLoss(drnn(x), y).backward()
                    clipGradientsPerParameter(drnn.parameters, alpha: 1)
                    sgd.step()
                    sgd.zeroGrad()
                    losses.append(sequenceLoss(drnn(x), y).item)
                }
                return (brnn.parameters + drnn.parameters).flatMap { $0.values.map(\.bitPattern) } + losses.map(\.bitPattern)
            }
        }
        let (avx2, portable) = (trained(.avx2), trained(.portable))
        #expect(avx2 == portable)
    }
}

@Suite("Which copy of the loops runs")
struct KernelPathChoiceTests {
    @Test("The default is the fastest copy the processor runs, unless WORKBOOK_KERNELS=portable; using(_:) holds on this thread only")
    func choice() async {
        let requested = ProcessInfo.processInfo.environment["WORKBOOK_KERNELS"]
        #expect(KernelPath.default == (requested == "portable" ? .portable : KernelPath.available[0]))
        #expect(KernelPath.current == KernelPath.default)
        #expect(KernelPath.available.last == .portable)
        #if !arch(x86_64)
        #expect(KernelPath.available == [.portable])
        #endif
        KernelPath.using(.portable) {
            #expect(KernelPath.current == .portable)
            let other = Thread.detachNewThreadAndWait { KernelPath.current }
            #expect(other == KernelPath.default)
        }
        #expect(KernelPath.current == KernelPath.default)
    }
}

private extension Thread {
    /// Runs `body` on a new thread and returns its result once the thread has finished.
    static func detachNewThreadAndWait<T: Sendable>(_ body: @escaping @Sendable () -> T) -> T {
        nonisolated(unsafe) var result: T?
        let done = DispatchSemaphore(value: 0)
        Thread.detachNewThread { result = body(); done.signal() }
        done.wait()
        return result!
    }
}
