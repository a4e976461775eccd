// The deep RNN notebook's model from scratch: `DRNN(num_layers, x_size, h_size, q_size)`.
// Shapes: T time steps, B batch, X input size, H hidden size, Q output size, L layers.

/// A deep recurrent network written out by hand, as in the deep RNN notebook.
///
/// Layer `l` turns the sequence below it into a new sequence of hidden states,
/// `H_t = φ(I_t · W_xh + H_{t−1} · W_hh + b_h)`, where `I_t` is the input `X_t` for the first layer
/// and the previous layer's `H_t` above it; the output is `O_t = H_t · W_hq + b_q` on the last
/// layer. The notebook uses no activation (φ is the identity: a linear recurrence) and draws every
/// weight uniform in [−1, 1].
///
/// **The notebook's defect, reproduced by default.** Its constructor assigns `self.W_xh`,
/// `self.W_hh` and `self.b_h` again for every layer, and PyTorch registers only the tensors an
/// attribute holds last. So `drnn.parameters()` holds only the last layer and the output layer:
/// the first layer still computes and even gets gradients, but the optimiser never updates it and
/// clipping never sees it. Pass `variant: .corrected` for the corrected model.
public final class DRNN: Module {
    /// One layer's tensors: `W_xh` `(X, H)` (`(H, H)` above the first layer), `W_hh` `(H, H)`, `b_h` `(H)`.
    public struct Layer {
        public let inputWeights: Tensor, recurrentWeights: Tensor, bias: Tensor
    }

    /// The notebook's model (only the last layer registered, no activation, weights uniform in [−1, 1]),
    /// or the corrected one (every layer registered, tanh, weights in [−1/√H, 1/√H] as `nn.RNN` draws them).
    public enum Variant: String, Sendable { case notebook, corrected }

    /// The activation φ of the hidden state: none, as in the notebook (a linear recurrence), or tanh.
    public enum Activation: Sendable { case identity, tanh }

    public let layers: [Layer]
    /// `W_hq` `(H, Q)` and `b_q` `(Q)`.
    public let outputWeights: Tensor, outputBias: Tensor
    /// Whether every layer is registered (corrected) or only the last (the notebook).
    public let trainsEveryLayer: Bool
    public let activation: Activation

    /// Draws the weights in the notebook's order: per layer `W_xh`, `W_hh` (uniform in [−1, 1],
    /// `2 · rand − 1`) and `b_h` (zeros, nothing drawn), then `W_hq` and `b_q` (zeros).
    public convenience init(numLayers: Int, inputSize: Int, hiddenSize: Int, outputSize: Int, variant: Variant = .notebook,
                            using generator: inout TorchGenerator) {
        let corrected = variant == .corrected
        self.init(numLayers: numLayers, inputSize: inputSize, hiddenSize: hiddenSize, outputSize: outputSize,
                  trainsEveryLayer: corrected, activation: corrected ? .tanh : .identity,
                  weightBound: corrected ? Float(1 / Double(hiddenSize).squareRoot()) : 1, using: &generator)
    }

    /// A model with each correction chosen separately; weights uniform in [−`weightBound`, `weightBound`].
    public init(numLayers: Int, inputSize: Int, hiddenSize: Int, outputSize: Int, trainsEveryLayer: Bool,
                activation: Activation, weightBound: Float = 1, using generator: inout TorchGenerator) {
        check(numLayers > 0 && inputSize > 0 && hiddenSize > 0 && outputSize > 0, "DRNN: sizes must be positive")
        func uniform(_ shape: [Int]) -> Tensor {
            // The notebook's `2 * torch.rand(shape) - 1`, scaled when the bound is not 1.
            let u = 2 * Tensor.rand(shape, using: &generator) - 1
            return .parameter(weightBound == 1 ? u : u * weightBound)
        }
        layers = (0..<numLayers).map { l in
            let inputWeights = uniform([l == 0 ? inputSize : hiddenSize, hiddenSize])
            let recurrentWeights = uniform([hiddenSize, hiddenSize])
            return Layer(inputWeights: inputWeights, recurrentWeights: recurrentWeights, bias: .parameter(Tensor(zeros: [hiddenSize])))
        }
        // The notebook draws W_hq inside its loop, after the last layer's W_hh: the same draw.
        outputWeights = uniform([hiddenSize, outputSize])
        outputBias = .parameter(Tensor(zeros: [outputSize]))
        (self.trainsEveryLayer, self.activation) = (trainsEveryLayer, activation)
    }

    /// The registered parameters. The notebook's model registers the last layer's tensors under the
    /// names `W_xh`, `W_hh`, `b_h`; the corrected one registers every layer's as `W_xh_l0`, ….
    public var namedParameters: [(name: String, tensor: Tensor)] {
        var named: [(name: String, tensor: Tensor)] = []
        for (l, layer) in layers.enumerated() where trainsEveryLayer || l + 1 == layers.count {
            let suffix = trainsEveryLayer ? "_l\(l)" : ""
            named += [("W_xh" + suffix, layer.inputWeights), ("W_hh" + suffix, layer.recurrentWeights), ("b_h" + suffix, layer.bias)]
        }
        return named + [("W_hq", outputWeights), ("b_q", outputBias)]
    }

    /// Every tensor of the model, registered or not, as the fixtures name them (`l0.W_xh`, …, `W_hq`).
    public var allTensors: [(name: String, tensor: Tensor)] {
        layers.enumerated().flatMap { l, layer in
            [("l\(l).W_xh", layer.inputWeights), ("l\(l).W_hh", layer.recurrentWeights), ("l\(l).b_h", layer.bias)]
        } + [("W_hq", outputWeights), ("b_q", outputBias)]
    }

    /// Runs the layers over a time-major batch `(T, B, X)` (as `XTransform` makes it): `T` outputs `(B, Q)`.
    public func callAsFunction(_ x: Tensor) -> [Tensor] {
        var states: [Tensor] = []                                   // T × (B, H): the layer below's H_t
        for (l, layer) in layers.enumerated() {
            var h: Tensor? = nil                                    // (B, H), none before the first step
            for t in 0..<x.shape[0] {
                let input = l == 0 ? x[t] : states[t]               // (B, X) or (B, H)
                var z = input.matmul(layer.inputWeights)            // (B, H)
                if let h { z = z + h.matmul(layer.recurrentWeights) }
                z = z + layer.bias
                let next = activation == .tanh ? z.tanh() : z
                if l == 0 { states.append(next) } else { states[t] = next }
                h = next
            }
        }
        // O_t = H_t · W_hq + b_q for every t at once: one product on (T, B, H), then a view per step.
        let outputs = Tensor.stack(states).matmul(outputWeights) + outputBias   // (T, B, Q)
        return (0..<outputs.shape[0]).map { outputs[$0] }                          // T × (B, Q)
    }
}
