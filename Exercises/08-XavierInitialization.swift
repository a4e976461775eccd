// Exercise 08 of the RNN workbook. Write the body of the function below, then check it with
// `swift run Exercises 8` (`swift run Exercises hint 8` prints a hint).

import Foundation
import Workbook

/// Exercise 08 — Xavier's uniform initialisation, with PyTorch's numbers.
///
/// Page: [Chapter 05 — Training › The bidirectional model](../docs/Chapter05-Training.md#the-bidirectional-model)
///
/// The bidirectional notebook draws its weights with `torch.randn`: with 32 hidden units the first
/// outputs are in the hundreds and the first updates explode. `swift run Chapter05-Training
/// --corrected` draws them as `nn.init.xavier_uniform_(W)` does (Glorot and Bengio, 2010): uniform in
/// `[−a, a]` with `a = √(6 / (fan_in + fan_out))`, which keeps the activations' scale from layer to
/// layer. For a weight of shape `(rows, columns)`, PyTorch's `fan_in` is `columns` and its `fan_out` `rows`.
///
/// **Task.** Draw a weight of `shape` as `nn.init.xavier_uniform_(torch.empty(shape))` does after
/// `torch.manual_seed(seed)`: the same numbers, in the same order, from `generator`, which stands for
/// PyTorch's generator. One draw per element, as `uniform_(−a, a)` makes them.
///
/// **You may use** `Tensor.uniform(_:from:to:using:)` (PyTorch's `uniform_`), or
/// `generator.nextUniformFloat()` (one `torch.rand` value in [0, 1)), and Foundation's `sqrt`.
///
/// - Parameters:
///   - shape: `[rows, columns]`, the workbook's `(inputs, outputs)`: `[1, 32]` for `fW_xh`.
///   - generator: PyTorch's generator; every draw moves it on, as in PyTorch.
/// - Returns: the weight, a tensor of `shape`.
public func xavierUniform(_ shape: [Int], using generator: inout TorchGenerator) -> Tensor {
    // Your code here.
    return Tensor(zeros: shape)
}
