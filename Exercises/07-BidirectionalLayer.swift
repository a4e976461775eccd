// Exercise 07 of the RNN workbook. Write the body of the function below, then check it with
// `swift run Exercises 7` (`swift run Exercises hint 7` prints a hint).

import Workbook

/// Exercise 07 — a bidirectional layer: the reverse direction's states reversed and joined.
///
/// Page: [Chapter 02 — Model › The bidirectional model: `brnn = BRNN(1, 32, 1)`](../docs/Chapter02-Model.md#the-bidirectional-model-brnn--brnn1-32-1)
///
/// The bidirectional notebook feeds its backward RNN the digits flipped (`XTransform(X, flip=True)`).
/// A standard bidirectional layer does the same inside: the reverse direction is an ordinary RNN
/// run over the sequence read from its last step to its first. Its state after reading steps
/// `T−1 … t` belongs beside the forward state of step `t`, so its states, which come out in reading
/// order, are flipped back before the two are joined: the output at step `t` is
/// `[forward H_t, reverse H_t]` `(B, 2H)`. The final states, PyTorch's `h_n` `(2, B, H)`, are each
/// direction's last state: the forward one after step `T−1`, the reverse one after step `0`.
///
/// **Task.** Return the layer's output `(T, B, 2H)` and final states `(2, B, H)` for `x` `(T, B, X)`.
///
/// **You may use** `forward` and `reverse` (each runs a one-direction tanh RNN over a `(T, B, X)`
/// sequence and returns its states `(T, B, H)`, in the order it read them), and `Tensor`'s
/// `flipped(along:)`, `Tensor.concatenate(_:along:)`, `Tensor.stack(_:)`, `x[t]` (step `t`) and `shape`.
///
/// - Parameters:
///   - x: the sequence `(T, B, X)`, time-major.
///   - forward: the forward direction (`weight_ih_l0`, `weight_hh_l0`, …).
///   - reverse: the reverse direction (`weight_ih_l0_reverse`, …).
/// - Returns: `output` `(T, B, 2H)` and `finalStates` `(2, B, H)`, as `out, h_n = rnn(x)`.
public func bidirectionalLayer(_ x: Tensor, forward: (Tensor) -> Tensor,
                               reverse: (Tensor) -> Tensor) -> (output: Tensor, finalStates: Tensor) {
    // Your code here.
    return (output: x, finalStates: x)
}
