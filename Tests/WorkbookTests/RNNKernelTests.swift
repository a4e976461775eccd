// The fused `nn.RNN` layer (one graph node per layer) against the same recurrence written with the
// general operations, step by step, as the chapters teach it.

import Testing
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
