// The concise bidirectional model: `torch.nn.Linear`, and the bidirectional notebook's digit task
// solved with it and `torch.nn.RNN(…, bidirectional=True)` (``RNN``).

import Foundation

/// A fully connected layer, as `torch.nn.Linear(in_features, out_features)`: `y = x · Wᵀ + b`.
/// PyTorch's initialisation: `kaiming_uniform_(weight, a=√5)`, uniform in `[−1/√in, 1/√in]` up to
/// rounding, then the bias uniform in `[−1/√in, 1/√in]`.
public final class Linear: Module {
    /// `weight` `(out, in)` and `bias` `(out)`.
    public let weights: Tensor, bias: Tensor

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

    /// `x · Wᵀ + b`, `(B, in) → (B, out)`.
    public func callAsFunction(_ x: Tensor) -> Tensor { x.matmul(weights.transposed()) + bias }
}

/// The bidirectional notebook's task with the standard layers: a bidirectional ``RNN`` reads all six
/// digits both ways, and a ``Linear`` layer maps its two final states to the prediction. In
/// PyTorch, a module with `self.rnn = nn.RNN(1, H, bidirectional=True)` and
/// `self.linear = nn.Linear(2 * H, 1)` whose forward is
/// `_, h_n = self.rnn(x); return self.linear(torch.cat([h_n[-2], h_n[-1]], dim=1))`:
/// the forward direction's state after digits 1 … 6 beside the reverse direction's after 6 … 1.
public final class ConciseBRNN: Module {
    public let rnn: RNN, linear: Linear

    /// Draws the RNN's weights, then the linear layer's, as the PyTorch module builds them.
    public init(hiddenSize: Int, using generator: inout TorchGenerator) {
        rnn = RNN(inputSize: 1, hiddenSize: hiddenSize, numLayers: 1, bidirectional: true, using: &generator)
        linear = Linear(inputSize: 2 * hiddenSize, outputSize: 1, using: &generator)
    }

    /// Names as that module's `state_dict`: `rnn.weight_ih_l0`, …, `rnn.bias_hh_l0_reverse`,
    /// `linear.weight`, `linear.bias`.
    public var namedParameters: [(name: String, tensor: Tensor)] {
        rnn.namedParameters.map { ("rnn." + $0.name, $0.tensor) } + linear.namedParameters.map { ("linear." + $0.name, $0.tensor) }
    }

    /// One prediction per row `(N, 1)` from the six digits time-major, `(6, N, 1)` (`timeMajorInputs(digits / 9)`).
    public func callAsFunction(_ x: Tensor) -> Tensor {
        let h = rnn(x, finalStatesOnly: true).finalStates            // (2, N, H), h_n
        let n = h.shape[0]
        return linear(Tensor.concatenate([h[n - 2], h[n - 1]], along: 1))   // (N, 2H) → (N, 1)
    }
}
