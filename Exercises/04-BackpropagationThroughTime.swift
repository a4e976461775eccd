// Exercise 04 of the RNN workbook. Write the body of the function below, then check it with
// `swift run Exercises 4` (`swift run Exercises hint 4` prints a hint).

import ExerciseSupport

/// Exercise 04 — backpropagation through time in the notebook's linear recurrence.
///
/// Page: [Chapter 04 — Gradient clipping › Backpropagation through time: why the gradient grows with the window](../docs/Chapter04-Clipping.md#backpropagation-through-time-why-the-gradient-grows-with-the-window)
///
/// The deep RNN notebook's from-scratch layer has no activation: `H_t = X_t W_xh + H_{t−1} W_hh + b_h`
/// (the first step has no `H_{t−1}` term), `O_t = H_t W_hq + b_q`, and its loss is the mean
/// squared error over every step, row and output, `mean((O_t − Y_t)²)`. The page derives the
/// gradients: `δ_t = ∂L/∂H_t` gathers what flows back from the output `O_t` and from the next
/// state `H_{t+1}`, `δ_t = dO_t W_hqᵀ + δ_{t+1} W_hhᵀ`, and every step that used a weight adds to its
/// gradient, `∂L/∂W_hh = Σ_t H_{t−1}ᵀ δ_t`.
///
/// **Task.** Run the forward pass over the `T` steps, keeping the states; return the loss and the
/// gradients of the five weights, walking the steps backwards from `t = T − 1` to `0`.
///
/// **You may use** `Matrix` (`matmul`, `transposed`, `+`, `-`, `*`, `s * a`, `+ row`, `columnSums`,
/// `Matrix(zeros:_:)`) and `LinearRecurrence` (its `zeros()` gives a zero gradient of every shape).
///
/// - Parameters:
///   - inputs: `X_0 … X_{T−1}`, each `(B × X)`.
///   - targets: `Y_0 … Y_{T−1}`, each `(B × Q)`.
///   - weights: `W_xh` `(X × H)`, `W_hh` `(H × H)`, `b_h` `(H)`, `W_hq` `(H × Q)`, `b_q` `(Q)`.
/// - Returns: the loss `mean((O_t − Y_t)²)` over all `T · B · Q` outputs, and its gradient with respect
///   to each weight, as a `LinearRecurrence` of gradients.
public func backpropagationThroughTime(inputs: [Matrix], targets: [Matrix],
                                       weights: LinearRecurrence) -> (loss: Float, gradients: LinearRecurrence) {
    // Your code here.
    return (loss: 0, gradients: weights.zeros())
}
