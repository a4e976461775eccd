// The bidirectional notebook's model from scratch: `BRNN(x_size, h_size, q_size)`.
// Shapes: T = 3 digits per direction, N rows, X input size, H hidden size, Q output size.

/// Two ReLU RNNs whose final outputs are multiplied, as in the bidirectional notebook.
///
/// The forward RNN reads digits 1–3 and predicts whether they form a number below 500; the backward
/// RNN reads digits 6, 5, 4 and predicts whether that number is above 500; the model returns the
/// product of the two outputs, `out_3 · out_5`. Each direction computes
/// `H_t = ReLU(X_t · W_xh + H_{t−1} · W_hh + b_h)` and, after its last step, `H · W_hq + b_q`.
public final class BRNN: Module {
    /// One direction's tensors: `fW_xh` `(X, H)`, `fW_hh` `(H, H)`, `fb_h` `(H)`, `fW_hq` `(H, Q)`,
    /// `fb_q` `(Q)`, or the same with `b`.
    public struct Direction {
        public let inputWeights: Tensor, recurrentWeights: Tensor, bias: Tensor
        public let outputWeights: Tensor, outputBias: Tensor

        /// The final output `(N, Q)` after reading the time-major sequence `x` `(T, N, X)`.
        func callAsFunction(_ x: Tensor) -> Tensor {
            var h: Tensor? = nil                                    // (N, H)
            for t in 0..<x.shape[0] {
                var z = x[t].matmul(inputWeights)
                if let h { z = z + h.matmul(recurrentWeights) }
                h = (z + bias).relu()
            }
            guard let h else { fatalError("BRNN: a direction needs at least one time step") }
            return h.matmul(outputWeights) + outputBias              // (N, Q)
        }
    }

    public let forwardDirection: Direction, backwardDirection: Direction

    /// How the weights are drawn (biases are zeros either way): as the notebook, `torch.randn`, with
    /// which 32 hidden units give first outputs in the hundreds and exploding first updates; or
    /// `nn.init.xavier_uniform_`, uniform in `[−a, a]`, `a = √(6 / (fan_in + fan_out))`, which keeps
    /// the activations' scale through the layers.
    public enum Initialization: String, Sendable { case notebook, xavier }

    /// Draws in the notebook's order: `fW_xh`, `fW_hh`, `fb_h`, `bW_xh`, `bW_hh`, `bb_h`, `fW_hq`,
    /// `fb_q`, `bW_hq`, `bb_q` (weights from `initialization`, biases zeros).
    public init(inputSize: Int, hiddenSize: Int, outputSize: Int, initialization: Initialization = .notebook,
                using generator: inout TorchGenerator) {
        check(inputSize > 0 && hiddenSize > 0 && outputSize > 0, "BRNN: sizes must be positive")
        func weights(_ shape: [Int]) -> Tensor {
            switch initialization {
            case .notebook: return .parameter(Tensor.randn(shape, using: &generator))
            case .xavier:
                // As PyTorch computes it: std = √(2 / (fan_in + fan_out)), a = √3 · std, in double.
                let bound = Float(3.0.squareRoot() * (2 / Double(shape[0] + shape[1])).squareRoot())
                return .parameter(Tensor.uniform(shape, from: -bound, to: bound, using: &generator))
            }
        }
        func zeros(_ n: Int) -> Tensor { .parameter(Tensor(zeros: [n])) }
        let fxh = weights([inputSize, hiddenSize]), fhh = weights([hiddenSize, hiddenSize]), fbh = zeros(hiddenSize)
        let bxh = weights([inputSize, hiddenSize]), bhh = weights([hiddenSize, hiddenSize]), bbh = zeros(hiddenSize)
        let fhq = weights([hiddenSize, outputSize]), fbq = zeros(outputSize)
        let bhq = weights([hiddenSize, outputSize]), bbq = zeros(outputSize)
        forwardDirection = Direction(inputWeights: fxh, recurrentWeights: fhh, bias: fbh, outputWeights: fhq, outputBias: fbq)
        backwardDirection = Direction(inputWeights: bxh, recurrentWeights: bhh, bias: bbh, outputWeights: bhq, outputBias: bbq)
    }

    /// Names and order as the notebook registers them.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        let (f, b) = (forwardDirection, backwardDirection)
        return [("fW_xh", f.inputWeights), ("fW_hh", f.recurrentWeights), ("fb_h", f.bias),
                ("bW_xh", b.inputWeights), ("bW_hh", b.recurrentWeights), ("bb_h", b.bias),
                ("fW_hq", f.outputWeights), ("fb_q", f.outputBias),
                ("bW_hq", b.outputWeights), ("bb_q", b.outputBias)]
    }

    /// `out_3 · out_5` `(N, Q)` from digits 1–3 and digits 6, 5, 4, both time-major `(3, N, 1)`
    /// (`XTransform(X[:, 3:6], flip=True)` for the second).
    public func callAsFunction(_ forwardInputs: Tensor, _ backwardInputs: Tensor) -> Tensor {
        forwardDirection(forwardInputs) * backwardDirection(backwardInputs)
    }
}
