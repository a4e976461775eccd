// The concise counterpart: a multi-layer tanh RNN with `torch.nn.RNN`'s semantics, and the
// deep RNN notebook's `OutputLayer`.
//
// Shapes: T time steps, B batch, X input size, H hidden size, Q output size, L layers.

import Foundation

/// A multi-layer Elman RNN with tanh, as `torch.nn.RNN(input_size, hidden_size, num_layers)`.
///
/// Layer `l` computes `h_t = tanh(x_t · W_ihᵀ + b_ih + h_{t−1} · W_hhᵀ + b_hh)` from `h_{−1} = 0`,
/// where `x_t` is the input for the first layer and the layer below's `h_t` above it. Weights are
/// stored as PyTorch stores them, `weight_ih_l{l}` `(H, X)` and `weight_hh_l{l}` `(H, H)`, with two
/// biases; every tensor is drawn uniform in `[−1/√H, 1/√H]` in `named_parameters()` order.
public final class RNN: Module {
    /// One layer's tensors, named as in PyTorch's `state_dict`.
    public struct Layer {
        /// `weight_ih_l{l}`, `(H, X)` or `(H, H)`.
        public let inputWeights: Tensor
        /// `weight_hh_l{l}`, `(H, H)`.
        public let recurrentWeights: Tensor
        /// `bias_ih_l{l}`, `(H)`.
        public let inputBias: Tensor
        /// `bias_hh_l{l}`, `(H)`.
        public let recurrentBias: Tensor
    }

    public let layers: [Layer]
    public let inputSize: Int
    public let hiddenSize: Int

    public init(inputSize: Int, hiddenSize: Int, numLayers: Int, using generator: inout TorchGenerator) {
        check(inputSize > 0 && hiddenSize > 0 && numLayers > 0, "RNN: sizes must be positive")
        layers = (0..<numLayers).map { l in
            Layer.drawn(inputSize: l == 0 ? inputSize : hiddenSize, hiddenSize: hiddenSize, using: &generator)
        }
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        layers.enumerated().flatMap { l, layer in layer.namedParameters(layer: l) }
    }

    /// Runs every layer over the sequence from zero initial states.
    /// - Parameter x: `(T, B, X)`.
    /// - Returns: the last layer's states `(T, B, H)` and each layer's final state `(L, B, H)`.
    public func callAsFunction(_ x: Tensor) -> (output: Tensor, finalStates: Tensor) {
        check(x.rank == 3 && x.shape[2] == inputSize,
                     "RNN: input shape \(describe(shape: x.shape)) is not (T, B, \(inputSize))")
        check(x.shape[0] > 0, "RNN: the sequence needs at least one time step")
        var sequence = x                                            // (T, B, X), then (T, B, H)
        var finals: [Tensor] = []
        for layer in layers {
            sequence = layer(sequence)
            finals.append(sequence[sequence.shape[0] - 1])
        }
        return (sequence, Tensor.stack(finals))
    }
}

extension RNN.Layer {
    /// Draws the four tensors uniform in `[−1/√H, 1/√H]`, in `named_parameters()` order:
    /// `weight_ih` `(H, X)`, `weight_hh` `(H, H)`, `bias_ih`, `bias_hh` `(H)`.
    static func drawn(inputSize: Int, hiddenSize: Int, using generator: inout TorchGenerator) -> RNN.Layer {
        let bound = Float(1 / Double(hiddenSize).squareRoot())
        func uniform(_ shape: [Int]) -> Tensor {
            .parameter(Tensor.uniform(shape, from: -bound, to: bound, using: &generator))
        }
        let inputWeights = uniform([hiddenSize, inputSize])
        let recurrentWeights = uniform([hiddenSize, hiddenSize])
        let inputBias = uniform([hiddenSize])
        return RNN.Layer(inputWeights: inputWeights, recurrentWeights: recurrentWeights,
                         inputBias: inputBias, recurrentBias: uniform([hiddenSize]))
    }

    /// PyTorch's names for layer `l`: `weight_ih_l{l}`, `weight_hh_l{l}`, `bias_ih_l{l}`,
    /// `bias_hh_l{l}`, each followed by `suffix` (`"_reverse"` for a reverse direction).
    func namedParameters(layer l: Int, suffix: String = "") -> [(name: String, tensor: Tensor)] {
        [("weight_ih_l\(l)\(suffix)", inputWeights), ("weight_hh_l\(l)\(suffix)", recurrentWeights),
         ("bias_ih_l\(l)\(suffix)", inputBias), ("bias_hh_l\(l)\(suffix)", recurrentBias)]
    }

    /// The layer's states over a whole sequence, `(T, B, X) → (T, B, H)`: one node of the graph
    /// (Tensor+RecurrentLayer.swift), as in PyTorch.
    func callAsFunction(_ x: Tensor) -> Tensor {
        recurrentTanhLayer(x, inputWeights: inputWeights, recurrentWeights: recurrentWeights,
                           inputBias: inputBias, recurrentBias: recurrentBias)
    }
}

/// The deep RNN notebook's `OutputLayer(h_size, q_size)`: `O_t = H_t · W_hq + b_q` at every step.
public final class OutputLayer: Module {
    /// `W_hq`, `(H, Q)`, uniform in [−1, 1].
    public let weights: Tensor
    /// `b_q`, `(Q)`, zeros.
    public let bias: Tensor

    public init(hiddenSize: Int, outputSize: Int, using generator: inout TorchGenerator) {
        weights = .parameter(2 * Tensor.rand([hiddenSize, outputSize], using: &generator) - 1)
        bias = .parameter(Tensor(zeros: [outputSize]))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { [("W_hq", weights), ("b_q", bias)] }

    /// - Parameter states: `(T, B, H)`.
    /// - Returns: `T` outputs, each `(B, Q)`.
    public func callAsFunction(_ states: Tensor) -> [Tensor] {
        let outputs = states.matmul(weights) + bias                 // (T, B, Q): one product for every step
        return (0..<states.shape[0]).map { outputs[$0] }
    }
}

/// The deep RNN notebook's concise model: `nn.Sequential(nn.RNN(x, h, num_layers=2), OutputLayer(h, q))`.
public final class ConciseDRNN: Module {
    public let rnn: RNN
    public let output: OutputLayer

    /// Draws `nn.RNN`'s weights, then the output layer's, as the notebook builds them.
    public init(inputSize: Int, hiddenSize: Int, outputSize: Int, numLayers: Int, using generator: inout TorchGenerator) {
        rnn = RNN(inputSize: inputSize, hiddenSize: hiddenSize, numLayers: numLayers, using: &generator)
        output = OutputLayer(hiddenSize: hiddenSize, outputSize: outputSize, using: &generator)
    }

    /// Names as in the `nn.Sequential`'s `state_dict`: `0.weight_ih_l0`, …, `1.W_hq`, `1.b_q`.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        rnn.namedParameters.map { ("0." + $0.name, $0.tensor) } + output.namedParameters.map { ("1." + $0.name, $0.tensor) }
    }

    /// - Parameter x: `(T, B, X)`.
    /// - Returns: `T` outputs, each `(B, Q)`.
    public func callAsFunction(_ x: Tensor) -> [Tensor] { output(rnn(x).output) }
}
