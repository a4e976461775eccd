// The fused `nn.RNN` layer (one graph node per layer) against the same recurrence written with the
// general operations, step by step, as the chapters teach it.

import Foundation
import Testing
@testable import Kernels
import KernelRuntime
@testable import Workbook

@Suite("Fused RNN kernels")
struct RNNKernelTests {
    /// `nn.RNN`'s recurrence from the general operations: T steps of matmul, +, tanh.
    static func stepwise(_ rnn: RNN, _ x: Tensor) -> Tensor {
        var sequence = (0..<x.shape[0]).map { x[$0] }
        for layer in rnn.layers {
            var h: Tensor? = nil
            for t in sequence.indices {
                var z = sequence[t].matmul(layer.inputWeights.transposed()) + layer.inputBias
                if let h { z = z + h.matmul(layer.recurrentWeights.transposed()) }
                h = (z + layer.recurrentBias).tanh()
                sequence[t] = h!
            }
        }
        return Tensor.stack(sequence)
    }

    @Test("Values and every gradient equal the step-by-step graph at the notebook's sizes")
    func fusedMatchesStepwise() {
        var g = TorchGenerator(seed: 5)
        let rnn = RNN(inputSize: 3, hiddenSize: 8, numLayers: 2, using: &g)
        let x = Tensor.randn([19, 180, 3], using: &g)
        x.requiresGrad = true
        let weights = Tensor.randn([19, 180, 8], using: &g)

        func run(_ f: () -> Tensor) -> (value: [Float], grads: [[Float]]) {
            for p in rnn.parameters + [x] { p.zeroGrad() }
            let out = f()
            (out * weights).sum().backward()
            return (out.values, (rnn.parameters + [x]).map { $0.grad?.values ?? [] })
        }
        let fused = run { rnn(x).output }
        let reference = run { Self.stepwise(rnn, x) }
        expectClose(fused.value, reference.value.map(Double.init), relativeTolerance: 1e-5, "states")
        for (n, (a, e)) in zip(fused.grads, reference.grads).enumerated() {
            expectClose(a, e.map(Double.init), relativeTolerance: 1e-4, "gradient \(n) (\(n < 8 ? rnn.namedParameters[n].name : "x"))")
        }
    }

    @Test("Gradients of one fused layer match finite differences")
    func fusedLayerFiniteDifferences() {
        var g = TorchGenerator(seed: 9)
        let x = Tensor.randn([4, 7, 2], using: &g)
        let (wIH, wHH) = (Tensor.randn([5, 2], using: &g) * 0.5, Tensor.randn([5, 5], using: &g) * 0.5)
        let (bIH, bHH) = (Tensor.randn([5], using: &g), Tensor.randn([5], using: &g))
        expectGradientsMatchFiniteDifferences([x, wIH, wHH, bIH, bHH], epsilon: 1e-3) {
            recurrentTanhLayer($0[0], inputWeights: $0[1], recurrentWeights: $0[2], inputBias: $0[3], recurrentBias: $0[4])
        }
    }
}

@Suite("Vectorised tanh")
struct FastTanhTests {
    /// The distance between two floats in units in the last place.
    static func ulps(_ a: Float, _ b: Float) -> Int {
        func ordered(_ x: Float) -> Int { let bits = Int(Int32(bitPattern: x.bitPattern)); return bits < 0 ? Int(Int32.min) - bits : bits }
        return abs(ordered(a) - ordered(b))
    }

    @Test("Within 1 ulp of tanh in double precision over [−12, 12], every 1e-4 and near zero")
    func maximumError() {
        var xs = stride(from: -12.0, through: 12.0, by: 1e-4).map { Float($0) }
        xs += stride(from: -1e-3, through: 1e-3, by: 1e-7).map { Float($0) }
        xs += [0, -0, .leastNormalMagnitude, 0.625, -0.625, 0.62499994, 9, 9.5, 20, 1e30, -1e30, .infinity, -.infinity]
        var out = [Float](repeating: 0, count: xs.count)
        xs.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
            tanh(x.baseAddress!, into: y.baseAddress!, count: xs.count)
        } }
        var worst = (ulps: 0, x: Float(0))
        for (x, y) in zip(xs, out) {
            let error = Self.ulps(y, Float(Foundation.tanh(Double(x))))
            if error > worst.ulps { worst = (error, x) }
        }
        #expect(worst.ulps <= 1, "tanh error \(worst.ulps) ulp at x = \(worst.x)")
        var nan: [Float] = [.nan, 1, 2]
        nan.withUnsafeMutableBufferPointer { tanh($0.baseAddress!, into: $0.baseAddress!, count: 3) }
        #expect(nan[0].isNaN)
    }

    @Test("With AVX-512, sixteen lanes give the AVX2 path's bits: every 997th float of [−20, 20], the edges, NaN",
          .enabled(if: WideVectors.available, "this processor has no AVX-512: one path only"))
    func wideEqualsNarrow() {
        var xs = stride(from: Float(-20).bitPattern, to: Float(-0.0).bitPattern, by: -997).map { Float(bitPattern: $0) }
        xs += stride(from: Float(0).bitPattern, to: Float(20).bitPattern, by: 997).map { Float(bitPattern: $0) }
        xs += [0, -0, .leastNonzeroMagnitude, 0.625, -0.625, 0.62499994, 9, -9, 9.000001, 1e30, .infinity, -.infinity, .nan, -.nan]
        func run() -> [UInt32] {
            var out = [Float](repeating: 0, count: xs.count)
            xs.withUnsafeBufferPointer { x in out.withUnsafeMutableBufferPointer { y in
                tanh(x.baseAddress!, into: y.baseAddress!, count: xs.count)
            } }
            return out.map(\.bitPattern)
        }
        let (wide, narrow) = (run(), WideVectors.withoutThem(run))
        let differing = wide.indices.first { wide[$0] != narrow[$0] }
        #expect(differing == nil, "tanh(\(differing.map { xs[$0] } ?? 0)): AVX-512 and AVX2 differ")
    }
}
