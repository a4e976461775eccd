// Every operation's gradient against central finite differences on small random inputs.

import Testing
import Workbook

/// Checks `∂/∂input` of `sum(f(inputs) · R)` (R a fixed random weighting, so every output element
/// matters differently) against central differences, for every element of every input.
func expectGradientsMatchFiniteDifferences(
    _ inputs: [Tensor], epsilon: Float = 1e-2, tolerance: Double = 1e-2,
    sourceLocation: SourceLocation = #_sourceLocation, _ f: ([Tensor]) -> Tensor
) {
    var generator = TorchGenerator(seed: 7)
    let probe = f(inputs)
    let weights = Tensor.randn(probe.shape, using: &generator)
    func objective() -> Tensor { probe.rank == 0 ? f(inputs) : (f(inputs) * weights).sum() }

    for x in inputs { x.requiresGrad = true; x.zeroGrad() }
    objective().backward()
    for (n, x) in inputs.enumerated() {
        guard let analytic = x.grad?.values else {
            Issue.record("input \(n) got no gradient", sourceLocation: sourceLocation)
            continue
        }
        var numeric = [Double](repeating: 0, count: x.count)
        for i in 0..<x.count {
            let original = x[flat: i]
            x[flat: i] = original + epsilon
            let plus = Double(objective().item)
            x[flat: i] = original - epsilon
            let minus = Double(objective().item)
            x[flat: i] = original
            numeric[i] = (plus - minus) / (2 * Double(epsilon))
        }
        expectClose(analytic, numeric, relativeTolerance: tolerance, "gradient of input \(n)",
                    sourceLocation: sourceLocation)
    }
}

extension Tensor {
    /// Element `i` in row-major order, for perturbing inputs.
    subscript(flat i: Int) -> Float {
        get { values[i] }
        set {
            var v = values
            v[i] = newValue
            assign(Tensor(v, shape: shape))
        }
    }
}

@Suite("Gradients match finite differences")
struct GradientTests {
    var generator = TorchGenerator(seed: 3)

    mutating func randn(_ shape: Int...) -> Tensor { .randn(shape, using: &generator) }

    /// Values in [0.5, 1.5) with random signs: away from zero, for ReLU's kink and for division.
    mutating func awayFromZero(_ shape: Int...) -> Tensor {
        let magnitude = Tensor.rand(shape, using: &generator).values.map { $0 + 0.5 }
        let signs = Tensor.rand(shape, using: &generator).values.map { $0 < 0.5 ? Float(-1) : 1 }
        return Tensor(zip(magnitude, signs).map(*), shape: shape)
    }

    @Test mutating func addSubtractMultiplyDivide() {
        let (a, b) = (randn(3, 4), awayFromZero(3, 4))
        expectGradientsMatchFiniteDifferences([a, b]) { $0[0] + $0[1] }
        expectGradientsMatchFiniteDifferences([a, b]) { $0[0] - $0[1] }
        expectGradientsMatchFiniteDifferences([a, b]) { $0[0] * $0[1] }
        expectGradientsMatchFiniteDifferences([a, b], epsilon: 1e-3) { $0[0] / $0[1] }
    }

    @Test mutating func broadcastBias() {
        let (x, bias, scalar) = (randn(2, 3, 4), awayFromZero(4), Tensor(scalar: 0.7))
        expectGradientsMatchFiniteDifferences([x, bias]) { $0[0] + $0[1] }
        expectGradientsMatchFiniteDifferences([bias, x]) { $0[0] + $0[1] }
        expectGradientsMatchFiniteDifferences([x, bias]) { $0[0] - $0[1] }
        expectGradientsMatchFiniteDifferences([x, bias]) { $0[0] * $0[1] }
        expectGradientsMatchFiniteDifferences([x, bias], epsilon: 1e-3) { $0[0] / $0[1] }
        expectGradientsMatchFiniteDifferences([x, scalar]) { $0[0] * $0[1] }
    }

    @Test mutating func scalarArithmeticAndPowers() {
        let x = awayFromZero(5)
        expectGradientsMatchFiniteDifferences([x]) { 2 * $0[0] - 1 }
        expectGradientsMatchFiniteDifferences([x]) { (1.5 - $0[0]) / 4 + 3 }
        expectGradientsMatchFiniteDifferences([x]) { -($0[0] * 0.5) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].squared() }
        expectGradientsMatchFiniteDifferences([x], epsilon: 1e-3) { ($0[0] * $0[0]).pow(1.5) }
    }

    @Test mutating func reductions() {
        let x = randn(4, 3)
        expectGradientsMatchFiniteDifferences([x]) { $0[0].sum() }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].squared().mean() }
    }

    @Test mutating func activations() {
        let x = awayFromZero(3, 5)
        expectGradientsMatchFiniteDifferences([x], epsilon: 1e-3) { $0[0].tanh() }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].relu() }
    }

    @Test mutating func matrixProducts() {
        // Shapes that exercise every kernel path: 16- and 8-wide column blocks, the scalar tail,
        // blocks of 6 rows and the leftover rows.
        for (m, k, n) in [(7, 3, 25), (13, 5, 1), (6, 8, 16), (2, 1, 9)] {
            let (a, b) = (randn(m, k), randn(k, n))
            expectGradientsMatchFiniteDifferences([a, b]) { $0[0].matmul($0[1]) }
        }
        let (steps, w) = (randn(3, 4, 2), randn(2, 5))
        expectGradientsMatchFiniteDifferences([steps, w]) { $0[0].matmul($0[1]) }
    }

    @Test mutating func shapes() {
        let x = randn(3, 4, 2)
        expectGradientsMatchFiniteDifferences([x]) { $0[0].transposed(0, 1) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].transposed(1, 2) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].reshaped([-1, 6]) }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].flattened() * $0[0].flattened() }
        expectGradientsMatchFiniteDifferences([x]) { $0[0][1] * $0[0][2] }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].flipped(along: 1) * $0[0] }
        expectGradientsMatchFiniteDifferences([x]) { $0[0].narrowed(along: 1, to: 1..<3) }
        let (y, z) = (randn(2, 4, 2), randn(3, 4, 2))
        expectGradientsMatchFiniteDifferences([x, y]) { Tensor.concatenate([$0[0], $0[1], $0[0]]) }
        let (column, channel) = (randn(3, 1, 2), randn(3, 4, 1))
        expectGradientsMatchFiniteDifferences([x, column]) { Tensor.concatenate([$0[1], $0[0]], along: 1) }
        expectGradientsMatchFiniteDifferences([x, channel]) { Tensor.concatenate([$0[0], $0[1], $0[0]], along: 2) }
        expectGradientsMatchFiniteDifferences([x, z]) { Tensor.stack([$0[0], $0[1]]) }
    }

    @Test mutating func losses() {
        let (prediction, labels) = (randn(6, 1), randn(6))
        expectGradientsMatchFiniteDifferences([prediction, labels]) { broadcastMeanSquaredError($0[0], $0[1]) }
        expectGradientsMatchFiniteDifferences([prediction, labels]) { meanSquaredError($0[0].flattened(), $0[1]) }
        let (steps, targets) = ((0..<4).map { _ in randn(3, 1) }, randn(4, 3))
        expectGradientsMatchFiniteDifferences(steps + [targets]) { sequenceLoss(Array($0.prefix(4)), $0[4]) }
    }

    /// A sum hands its gradient to both intermediate operands as one shared buffer: the first
    /// record that adds into it, or writes in place (the fused RNN layer's dz), must copy it first.
    @Test mutating func sharedGradients() {
        let (x, w) = (randn(3, 4), randn(4, 4))
        // u gets the sum's gradient (shared with v) and then u · u's: it must not change v's.
        expectGradientsMatchFiniteDifferences([x]) { let (u, v) = ($0[0] * 2, $0[0].tanh()); return (u + v) + u * u }
        // The same record as both operands, and a chain of sums sharing one buffer.
        expectGradientsMatchFiniteDifferences([x, w]) { let u = $0[0].matmul($0[1]); return u + u }
        expectGradientsMatchFiniteDifferences([x, w]) {
            let (u, v) = ($0[0].matmul($0[1]), $0[0].relu())
            return ((u + v) + u).relu() + v * 3
        }
        // The fused RNN layer computes dz in place of its output's gradient, shared with a sibling.
        var g = TorchGenerator(seed: 5)
        let rnn = RNN(inputSize: 1, hiddenSize: 3, numLayers: 1, using: &g)
        let steps = randn(4, 2, 1)
        expectGradientsMatchFiniteDifferences(rnn.parameters + [steps], epsilon: 1e-3) {
            let h = rnn($0[$0.count - 1]).output
            return (h + h.tanh()) + h * h
        }
    }

    @Test mutating func models() {
        var g = TorchGenerator(seed: 11)
        let x = randn(5, 4, 1)
        let drnn = DRNN(numLayers: 2, inputSize: 1, hiddenSize: 3, outputSize: 1, variant: .corrected, using: &g)
        expectGradientsMatchFiniteDifferences(drnn.allTensors.map(\.tensor), epsilon: 1e-3) { _ in Tensor.stack(drnn(x)) }
        let concise = ConciseDRNN(inputSize: 1, hiddenSize: 3, outputSize: 1, numLayers: 2, using: &g)
        expectGradientsMatchFiniteDifferences(concise.parameters + [x], epsilon: 1e-3) { _ in Tensor.stack(concise(x)) }
        let brnn = BRNN(inputSize: 1, hiddenSize: 4, outputSize: 1, using: &g)
        let backward = randn(5, 4, 1)
        expectGradientsMatchFiniteDifferences(brnn.parameters, epsilon: 1e-3, tolerance: 2e-2) { _ in brnn(x, backward) }
    }
}
