// A GRU layer with the deep RNN notebook's output layer (exercise 10): its weights drawn as
// `nn.GRU` draws them, and the sequence loop; the cell, what the exercise asks for, is passed in.
// Shapes: T steps, B batch, X input size, H hidden size, Q output size.

import Workbook

/// `σ(x) = 1 / (1 + e^(−x))`, written with the engine's operations, `(tanh(x / 2) + 1) / 2`, so that
/// its gradient flows back through `backward()`.
public func sigmoid(_ x: Tensor) -> Tensor { 0.5 * (x * 0.5).tanh() + 0.5 }

/// One gate's tensors: `W_i·` `(X, H)`, `b_i·` `(H)`, `W_h·` `(H, H)`, `b_h·` `(H)`.
public struct GRUGate {
    public let inputWeights: Tensor, inputBias: Tensor, recurrentWeights: Tensor, recurrentBias: Tensor

    public init(inputWeights: Tensor, inputBias: Tensor, recurrentWeights: Tensor, recurrentBias: Tensor) {
        (self.inputWeights, self.inputBias, self.recurrentWeights, self.recurrentBias) =
            (inputWeights, inputBias, recurrentWeights, recurrentBias)
    }

    var tensors: [Tensor] { [inputWeights, inputBias, recurrentWeights, recurrentBias] }
}

/// A GRU cell's tensors, by gate, as `nn.GRUCell` holds them in `weight_ih`, `weight_hh`, `bias_ih`
/// and `bias_hh` (rows r, z, n), each transposed to the workbook's `(inputs, outputs)`.
public struct GRUWeights {
    /// r (`reset`), z (`update`) and n (`candidate`).
    public let reset: GRUGate, update: GRUGate, candidate: GRUGate

    public init(reset: GRUGate, update: GRUGate, candidate: GRUGate) {
        (self.reset, self.update, self.candidate) = (reset, update, candidate)
    }

    /// Every tensor, gate by gate.
    public var tensors: [Tensor] { reset.tensors + update.tensors + candidate.tensors }
}

/// `nn.Sequential(nn.GRU(X, H), OutputLayer(H, Q))` on the deep RNN notebook's series: the GRU's
/// states `(T, B, H)` from `H_{−1} = 0`, then `O_t = H_t W_hq + b_q` at every step.
public final class GRU: SequenceModel {
    public typealias Cell = (_ x: Tensor, _ state: Tensor, _ weights: GRUWeights) -> Tensor
    public let weights: GRUWeights, output: OutputLayer
    public let hiddenSize: Int
    let cell: Cell

    /// Draws as `nn.GRU` does, every tensor uniform in `[−1/√H, 1/√H]` (`weight_ih_l0` `(3H, X)`,
    /// `weight_hh_l0` `(3H, H)`, `bias_ih_l0`, `bias_hh_l0`), then the output layer's `W_hq`.
    public init(inputSize: Int, hiddenSize: Int, outputSize: Int, cell: @escaping Cell, using generator: inout TorchGenerator) {
        let (x, h) = (inputSize, hiddenSize)
        let bound = Float(1 / Double(h).squareRoot())
        let drawn = [[3 * h, x], [3 * h, h], [3 * h], [3 * h]].map {
            Tensor.uniform($0, from: -bound, to: bound, using: &generator).values
        }
        /// Rows `g·H ..< (g+1)·H` of a `(3H, n)` matrix, transposed to `(n, H)`.
        func chunk(_ values: [Float], _ g: Int, columns n: Int) -> Tensor {
            var out = [Float](repeating: 0, count: n * h)
            for i in 0..<h { for j in 0..<n { out[j * h + i] = values[(g * h + i) * n + j] } }
            return .parameter(Tensor(out, shape: [n, h]))
        }
        func gate(_ g: Int) -> GRUGate {
            GRUGate(inputWeights: chunk(drawn[0], g, columns: x),
                    inputBias: .parameter(Tensor(Array(drawn[2][g * h ..< (g + 1) * h]))),
                    recurrentWeights: chunk(drawn[1], g, columns: h),
                    recurrentBias: .parameter(Tensor(Array(drawn[3][g * h ..< (g + 1) * h]))))
        }
        weights = GRUWeights(reset: gate(0), update: gate(1), candidate: gate(2))
        output = OutputLayer(hiddenSize: h, outputSize: outputSize, using: &generator)
        (self.hiddenSize, self.cell) = (h, cell)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        let names = ["reset", "update", "candidate"].flatMap { gate in
            ["inputWeights", "inputBias", "recurrentWeights", "recurrentBias"].map { "\(gate).\($0)" }
        }
        return Array(zip(names, weights.tensors)) + output.namedParameters
    }

    /// `T` outputs `(B, Q)` from a time-major batch `(T, B, X)`.
    public func callAsFunction(_ x: Tensor) -> [Tensor] {
        var h = Tensor(zeros: [x.shape[1], hiddenSize])             // (B, H)
        var states: [Tensor] = []
        for t in 0..<x.shape[0] {
            h = cell(x[t], h, weights)
            states.append(h)
        }
        return output(Tensor.stack(states))                         // T × (B, Q)
    }
}
