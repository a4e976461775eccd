// The concise counterpart: a multi-layer tanh RNN with `torch.nn.RNN`'s semantics, and the deep
// RNN notebook's `OutputLayer`. Shapes: T steps, B batch, X input, H hidden, Q output, L layers.

/// A multi-layer Elman RNN with tanh, as `torch.nn.RNN(input_size, hidden_size, num_layers, bidirectional)`.
///
/// Layer `l` computes `h_t = tanh(x_t · W_ihᵀ + b_ih + h_{t−1} · W_hhᵀ + b_hh)` from `h_{−1} = 0`,
/// where `x_t` is the input for the first layer and the layer below's `h_t` above it. Weights are
/// stored as PyTorch stores them, `weight_ih_l{l}` `(H, X)` and `weight_hh_l{l}` `(H, H)`, with two
/// biases; every tensor is drawn uniform in `[−1/√H, 1/√H]` in `named_parameters()` order.
///
/// `bidirectional`: each layer also runs a reverse direction (the same four tensors with the suffix
/// `_reverse`, drawn after the forward ones) over steps T−1 … 0. The layer's output at step t is
/// `[forward h_t, reverse h_t]` `(B, 2H)`, the reverse state having read steps T−1 down to t; the
/// layers above read this output (their `weight_ih` is `(H, 2H)`).
public final class RNN: Module {
    /// One direction of a layer: `weight_ih_l{l}` `(H, X)` (`(H, H)` or `(H, 2H)` above layer 0),
    /// `weight_hh_l{l}` `(H, H)`, `bias_ih_l{l}` and `bias_hh_l{l}` `(H)`.
    public struct Layer {
        public let inputWeights: Tensor, recurrentWeights: Tensor, inputBias: Tensor, recurrentBias: Tensor
    }

    /// Each layer's forward direction, and its reverse direction when bidirectional (else none).
    public let layers: [Layer], reverseLayers: [Layer]
    public let inputSize: Int, hiddenSize: Int

    public init(inputSize: Int, hiddenSize: Int, numLayers: Int, bidirectional: Bool = false, using generator: inout TorchGenerator) {
        check(inputSize > 0 && hiddenSize > 0 && numLayers > 0, "RNN: sizes must be positive")
        var (layers, reverseLayers) = ([Layer](), [Layer]())
        for l in 0..<numLayers {
            let inputs = l == 0 ? inputSize : (bidirectional ? 2 : 1) * hiddenSize
            layers.append(Layer.drawn(inputSize: inputs, hiddenSize: hiddenSize, using: &generator))
            if bidirectional { reverseLayers.append(Layer.drawn(inputSize: inputs, hiddenSize: hiddenSize, using: &generator)) }
        }
        (self.layers, self.reverseLayers, self.inputSize, self.hiddenSize) = (layers, reverseLayers, inputSize, hiddenSize)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        layers.indices.flatMap { l in
            layers[l].namedParameters(layer: l) + (reverseLayers.isEmpty ? [] : reverseLayers[l].namedParameters(layer: l, suffix: "_reverse"))
        }
    }

    /// Runs every layer over `(T, B, X)` from zero states.
    /// - Returns: the last layer's states `(T, B, H)` (`(T, B, 2H)` when bidirectional: forward in
    ///   `[…, :H]`, reverse in `[…, H:]`), and the final states ordered as PyTorch's `h_n`, `(L, B, H)`
    ///   or `(2L, B, H)`: layer 0 (forward after step T−1, then reverse after step 0), layer 1, ….
    ///   With `finalStatesOnly` (`_, h_n = rnn(x)`), the last layer's directions are not joined.
    public func callAsFunction(_ x: Tensor, finalStatesOnly: Bool = false) -> (output: Tensor, finalStates: Tensor) {
        check(x.rank == 3 && x.shape[2] == inputSize, "RNN: input shape \(describe(shape: x.shape)) is not (T, B, \(inputSize))")
        check(x.shape[0] > 0, "RNN: the sequence needs at least one time step")
        let last = x.shape[0] - 1
        var sequence = x                                            // (T, B, X), then (T, B, H) or (T, B, 2H)
        var finals: [Tensor] = []
        for l in layers.indices {
            let forward = layers[l](sequence)                       // (T, B, H)
            finals.append(forward[last])
            guard !reverseLayers.isEmpty else { sequence = forward; continue }
            // The reverse direction is the same recurrence on the time-reversed sequence: its step s
            // has read steps T−1 … T−1−s. Flipped back, step t lines up with the input's step t.
            let reverse = reverseLayers[l](sequence.flipped(along: 0)) // (T, B, H), in reading order
            finals.append(reverse[last])
            if l + 1 < layers.count || !finalStatesOnly {
                sequence = Tensor.concatenate([forward, reverse.flipped(along: 0)], along: 2)
            }
        }
        return (sequence, Tensor.stack(finals))
    }
}

extension RNN.Layer {
    /// Draws the four tensors uniform in `[−1/√H, 1/√H]`, in `named_parameters()` order:
    /// `weight_ih` `(H, X)`, `weight_hh` `(H, H)`, `bias_ih`, `bias_hh` `(H)`.
    static func drawn(inputSize: Int, hiddenSize: Int, using generator: inout TorchGenerator) -> RNN.Layer {
        let bound = Float(1 / Double(hiddenSize).squareRoot())
        let drawn = [[hiddenSize, inputSize], [hiddenSize, hiddenSize], [hiddenSize], [hiddenSize]].map { shape in
            Tensor.parameter(Tensor.uniform(shape, from: -bound, to: bound, using: &generator))
        }
        return RNN.Layer(inputWeights: drawn[0], recurrentWeights: drawn[1], inputBias: drawn[2], recurrentBias: drawn[3])
    }

    /// PyTorch's names for layer `l`: `weight_ih_l{l}`, `weight_hh_l{l}`, `bias_ih_l{l}`,
    /// `bias_hh_l{l}`, each followed by `suffix` (`"_reverse"` for a reverse direction).
    func namedParameters(layer l: Int, suffix: String = "") -> [(name: String, tensor: Tensor)] {
        [("weight_ih_l\(l)\(suffix)", inputWeights), ("weight_hh_l\(l)\(suffix)", recurrentWeights),
         ("bias_ih_l\(l)\(suffix)", inputBias), ("bias_hh_l\(l)\(suffix)", recurrentBias)]
    }

    /// The layer's states over a whole sequence, `(T, B, X) → (T, B, H)`, as one node of the graph.
    func callAsFunction(_ x: Tensor) -> Tensor {
        recurrentTanhLayer(x, inputWeights: inputWeights, recurrentWeights: recurrentWeights, inputBias: inputBias, recurrentBias: recurrentBias)
    }
}

/// The deep RNN notebook's `OutputLayer(h_size, q_size)`: `O_t = H_t · W_hq + b_q` at every step.
public final class OutputLayer: Module {
    /// `W_hq` `(H, Q)`, uniform in [−1, 1], and `b_q` `(Q)`, zeros.
    public let weights: Tensor, bias: Tensor

    public init(hiddenSize: Int, outputSize: Int, using generator: inout TorchGenerator) {
        (weights, bias) = (.parameter(2 * Tensor.rand([hiddenSize, outputSize], using: &generator) - 1), .parameter(Tensor(zeros: [outputSize])))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { [("W_hq", weights), ("b_q", bias)] }

    /// `T` outputs `(B, Q)` from the states `(T, B, H)`.
    public func callAsFunction(_ states: Tensor) -> [Tensor] {
        let outputs = states.matmul(weights) + bias                 // (T, B, Q): one product for every step
        return (0..<states.shape[0]).map { outputs[$0] }
    }
}

/// The deep RNN notebook's concise model: `nn.Sequential(nn.RNN(x, h, num_layers=2), OutputLayer(h, q))`.
public final class ConciseDRNN: Module {
    public let rnn: RNN, output: OutputLayer

    /// Draws `nn.RNN`'s weights, then the output layer's, as the notebook builds them.
    public init(inputSize: Int, hiddenSize: Int, outputSize: Int, numLayers: Int, using generator: inout TorchGenerator) {
        rnn = RNN(inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, using: &generator)
        output = OutputLayer(hiddenSize: hiddenSize, outputSize: outputSize, using: &generator)
    }

    /// Names as in the `nn.Sequential`'s `state_dict`: `0.weight_ih_l0`, …, `1.W_hq`, `1.b_q`.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        rnn.namedParameters.map { ("0." + $0.name, $0.tensor) } + output.namedParameters.map { ("1." + $0.name, $0.tensor) }
    }

    /// `T` outputs `(B, Q)` from `(T, B, X)`.
    public func callAsFunction(_ x: Tensor) -> [Tensor] { output(rnn(x).output) }
}
