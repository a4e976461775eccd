// The concise bidirectional model: `torch.nn.RNN(…, bidirectional=True)`, `torch.nn.Linear`, and
// the bidirectional notebook's digit task solved with the two.
//
// Shapes: T time steps, B batch (N rows of digits), X input size, H hidden size, L layers.

import Foundation

/// A multi-layer bidirectional tanh RNN, as `torch.nn.RNN(input_size, hidden_size, num_layers, bidirectional=True)`.
///
/// Each layer runs two RNNs of its own over the same sequence, both from zero states and both
/// computing `h_t = tanh(x_t · W_ihᵀ + b_ih + h_{t−1} · W_hhᵀ + b_hh)`: the forward direction reads
/// steps 0, 1, …, T−1, the reverse direction T−1, …, 0. The layer's output at step t is the two
/// states side by side, `[forward h_t, reverse h_t]` `(B, 2H)`, where the reverse state at step t has
/// read steps T−1 down to t; the layers above the first read this `(T, B, 2H)` output.
///
/// Weights are named and shaped as PyTorch's: `weight_ih_l{l}` `(H, X)` (`(H, 2H)` above layer 0),
/// `weight_hh_l{l}` `(H, H)`, `bias_ih_l{l}` and `bias_hh_l{l}` `(H)`, then the same four with the
/// suffix `_reverse`, layer after layer; every tensor is drawn uniform in `[−1/√H, 1/√H]` in that order.
public final class BidirectionalRNN: Module {
    /// One layer: a forward and a reverse direction, each with the tensors of an ``RNN`` layer.
    public struct Layer {
        /// `weight_ih_l{l}`, `weight_hh_l{l}`, `bias_ih_l{l}`, `bias_hh_l{l}`: reads steps 0 … T−1.
        public let forward: RNN.Layer
        /// The same names with `_reverse`: reads steps T−1 … 0.
        public let reverse: RNN.Layer
    }

    public let layers: [Layer]
    public let inputSize: Int
    public let hiddenSize: Int

    public init(inputSize: Int, hiddenSize: Int, numLayers: Int, using generator: inout TorchGenerator) {
        check(inputSize > 0 && hiddenSize > 0 && numLayers > 0, "BidirectionalRNN: sizes must be positive")
        layers = (0..<numLayers).map { l in
            let inputs = l == 0 ? inputSize : 2 * hiddenSize
            let forward = RNN.Layer.drawn(inputSize: inputs, hiddenSize: hiddenSize, using: &generator)
            return Layer(forward: forward, reverse: RNN.Layer.drawn(inputSize: inputs, hiddenSize: hiddenSize, using: &generator))
        }
        self.inputSize = inputSize
        self.hiddenSize = hiddenSize
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        layers.enumerated().flatMap { l, layer in
            layer.forward.namedParameters(layer: l) + layer.reverse.namedParameters(layer: l, suffix: "_reverse")
        }
    }

    /// Runs every layer in both directions over the sequence, from zero initial states.
    /// - Parameter x: `(T, B, X)`.
    /// - Returns: the last layer's states `(T, B, 2H)`, forward in `[…, :H]` and reverse in `[…, H:]`,
    ///   both for step t; and the final states `(2L, B, H)` as PyTorch's `h_n` orders them: layer 0
    ///   forward (after step T−1), layer 0 reverse (after step 0), layer 1 forward, ….
    public func callAsFunction(_ x: Tensor) -> (output: Tensor, finalStates: Tensor) {
        let (output, finalStates) = run(x, joiningLastLayer: true)
        return (output, finalStates)
    }

    /// Only the final states `(2L, B, H)`, `h_n` (`_, h_n = rnn(x)`): the same computation without
    /// joining the last layer's two directions into the output sequence, which nothing reads then.
    public func finalStates(_ x: Tensor) -> Tensor { run(x, joiningLastLayer: false).finalStates }

    private func run(_ x: Tensor, joiningLastLayer: Bool) -> (output: Tensor, finalStates: Tensor) {
        check(x.rank == 3 && x.shape[2] == inputSize,
              "BidirectionalRNN: input shape \(describe(shape: x.shape)) is not (T, B, \(inputSize))")
        check(x.shape[0] > 0, "BidirectionalRNN: the sequence needs at least one time step")
        let last = x.shape[0] - 1
        var sequence = x                                            // (T, B, X), then (T, B, 2H)
        var finals: [Tensor] = []                                   // 2L × (B, H)
        for (l, layer) in layers.enumerated() {
            let forward = layer.forward(sequence)                   // (T, B, H)
            // The reverse direction is the same recurrence on the time-reversed sequence: its step s
            // has read steps T−1 … T−1−s. Flipped back, step t lines up with the input's step t.
            let reverse = layer.reverse(sequence.flipped(along: 0)) // (T, B, H), in reading order
            finals += [forward[last], reverse[last]]
            if l + 1 < layers.count || joiningLastLayer {
                sequence = Tensor.concatenate([forward, reverse.flipped(along: 0)], along: 2)
            }
        }
        return (sequence, Tensor.stack(finals))
    }
}

/// A fully connected layer, as `torch.nn.Linear(in_features, out_features)`: `y = x · Wᵀ + b`.
///
/// PyTorch's default initialisation: `kaiming_uniform_(weight, a=√5)`, which is uniform in
/// `[−1/√in, 1/√in]` up to rounding, then the bias uniform in `[−1/√in, 1/√in]`.
public final class Linear: Module {
    /// `weight`, `(out, in)`.
    public let weights: Tensor
    /// `bias`, `(out)`.
    public let bias: Tensor

    public init(inputSize: Int, outputSize: Int, using generator: inout TorchGenerator) {
        check(inputSize > 0 && outputSize > 0, "Linear: sizes must be positive")
        // The bounds as PyTorch's Python computes them, in double: gain = √(2 / (1 + a²)),
        // bound = √3 · gain / √fan_in for the weight, 1 / √fan_in for the bias.
        let fanIn = Double(inputSize).squareRoot()
        let gain = (2 / (1 + pow(5.0.squareRoot(), 2))).squareRoot()
        let weightBound = Float(3.0.squareRoot() * (gain / fanIn)), biasBound = Float(1 / fanIn)
        weights = .parameter(Tensor.uniform([outputSize, inputSize], from: -weightBound, to: weightBound, using: &generator))
        bias = .parameter(Tensor.uniform([outputSize], from: -biasBound, to: biasBound, using: &generator))
    }

    public var namedParameters: [(name: String, tensor: Tensor)] { [("weight", weights), ("bias", bias)] }

    /// - Parameter x: `(B, in)`.
    /// - Returns: `x · Wᵀ + b`, `(B, out)`.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.matmul(weights.transposed()) + bias }
}

/// The bidirectional notebook's task with the standard layers: a ``BidirectionalRNN`` reads all six
/// digits both ways, and a ``Linear`` layer maps its two final states to the prediction.
///
/// In PyTorch, a module with `self.rnn = nn.RNN(1, H, bidirectional=True)` and
/// `self.linear = nn.Linear(2 * H, 1)` whose forward is
/// `_, h_n = self.rnn(x); return self.linear(torch.cat([h_n[-2], h_n[-1]], dim=1))`:
/// the forward direction's state after digits 1 … 6 beside the reverse direction's after 6 … 1.
public final class ConciseBRNN: Module {
    public let rnn: BidirectionalRNN
    public let linear: Linear

    /// Draws the RNN's weights, then the linear layer's, as the PyTorch module builds them.
    public init(hiddenSize: Int, using generator: inout TorchGenerator) {
        rnn = BidirectionalRNN(inputSize: 1, hiddenSize: hiddenSize, numLayers: 1, using: &generator)
        linear = Linear(inputSize: 2 * hiddenSize, outputSize: 1, using: &generator)
    }

    /// Names as that module's `state_dict`: `rnn.weight_ih_l0`, …, `rnn.bias_hh_l0_reverse`,
    /// `linear.weight`, `linear.bias`.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        rnn.namedParameters.map { ("rnn." + $0.name, $0.tensor) } + linear.namedParameters.map { ("linear." + $0.name, $0.tensor) }
    }

    /// - Parameter x: the six digits time-major, `(6, N, 1)` (`timeMajorInputs(digits / 9)`).
    /// - Returns: one prediction per row, `(N, 1)`.
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let h = rnn.finalStates(x)                                  // (2, N, H), h_n
        let n = h.shape[0]
        return linear(Tensor.concatenate([h[n - 2], h[n - 1]], along: 1))   // (N, 2H) → (N, 1)
    }
}
