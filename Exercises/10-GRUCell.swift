// Exercise 10 of the RNN workbook. Write the body of the function below, then check it with
// `swift run Exercises 10` (`swift run Exercises hint 10` prints a hint).

import ExerciseSupport
import Workbook

/// Exercise 10 — a GRU cell, trained on the series and scored against the deep RNN.
///
/// Page: [Chapter 07 — Beyond the notebooks › The deep RNN: the notebook's models on a fresh series](../docs/Chapter07-Beyond.md#the-deep-rnn-the-notebooks-models-on-a-fresh-series)
///
/// A gated recurrent unit (Cho et al., 2014) decides at every step how much of its state to keep.
/// With `σ` the sigmoid and `⊙` the elementwise product, PyTorch's `nn.GRUCell` computes
///
///     r = σ(x W_ir + b_ir + h W_hr + b_hr)          the reset gate
///     z = σ(x W_iz + b_iz + h W_hz + b_hz)          the update gate
///     n = tanh(x W_in + b_in + r ⊙ (h W_hn + b_hn))  the candidate state
///     h' = (1 − z) ⊙ n + z ⊙ h
///
/// where `z` near 1 keeps the old state: the gradient flows back through `z ⊙ h` without a
/// product by `W_hh`, which is what lets a GRU learn over longer windows than the plain RNN.
///
/// **Task.** Return `h'` `(B, H)` from `x` `(B, X)` and `h` `(B, H)`, with the engine's operations, so
/// that `backward()` gives its gradients. The check compares one step with `nn.GRUCell`, then trains
/// a GRU of 8 units with this cell by the workbook's own loop (`trainDeepRNN`, Adam) on the notebook's
/// 200 points, and scores it on a fresh series of 2000, as Chapter 07 scores the deep RNNs.
///
/// **You may use** `Tensor`'s `matmul`, `+`, `*` (elementwise), `1 - a`, `tanh()`, `sigmoid(_:)`
/// (Exercises/Support/GRU.swift), and `GRUWeights`: `w.reset`, `w.update`, `w.candidate`, each with
/// `inputWeights` `(X, H)`, `inputBias` `(H)`, `recurrentWeights` `(H, H)`, `recurrentBias` `(H)`.
///
/// - Parameters:
///   - x: the step's inputs `(B, X)`.
///   - state: `h`, the previous state `(B, H)` (zeros before the first step).
///   - w: the cell's weights, gate by gate.
/// - Returns: `h'` `(B, H)`.
public func gruCell(_ x: Tensor, _ state: Tensor, _ w: GRUWeights) -> Tensor {
    // Your code here.
    return state
}
