// Exercise 03 of the RNN workbook. Write the body of the function below, then check it with
// `swift run Exercises 3` (`swift run Exercises hint 3` prints a hint).

import ExerciseSupport
import Foundation

/// Exercise 03 — one tanh RNN step's backward pass, by hand: five gradients from `dH_t`.
///
/// Page: [Chapter 04 — Gradient clipping › Backpropagation through time: why the gradient grows with the window](../docs/Chapter04-Clipping.md#backpropagation-through-time-why-the-gradient-grows-with-the-window)
///
/// `loss.backward()` sends the loss's gradient back through every operation of the forward pass.
/// For one step `H_t = tanh(Z)`, `Z = X_t W_xh + H_{t−1} W_hh + b_h` (exercise 02 with tanh), you
/// are given `dH_t = ∂L/∂H_t` and write what autodiff computes: first `dZ` through tanh (whose
/// derivative is `1 − tanh²`, and `H_t` is that tanh), then through the two products and the bias.
/// The gradient of `H_{t−1}` is what flows on to the step before: backpropagation through time
/// (exercise 04) is this step, repeated.
///
/// **Task.** Return the five gradients, each of the shape of what it is the gradient of.
///
/// **You may use** `Matrix`: `a.matmul(b)`, `a.transposed()`, `a * b` (elementwise), `a - b`,
/// `s * a`, `a.map { … }`, `a.columnSums()` (the sum over the rows), and `StepGradients`.
///
/// - Parameters:
///   - stateGradient: `dH_t` `(B × H)`, the loss's gradient with respect to this step's output.
///   - state: `H_t` `(B × H)`, the step's output, `tanh(Z)`.
///   - x: `X_t` `(B × X)`.
///   - previousState: `H_{t−1}` `(B × H)`.
///   - inputWeights: `W_xh` `(X × H)`.
///   - recurrentWeights: `W_hh` `(H × H)`.
/// - Returns: `dX_t` `(B × X)`, `dH_{t−1}` `(B × H)`, `dW_xh` `(X × H)`, `dW_hh` `(H × H)`, `db_h` `(H)`.
public func rnnStepBackward(_ stateGradient: Matrix, state: Matrix, x: Matrix, previousState: Matrix,
                            inputWeights: Matrix, recurrentWeights: Matrix) -> StepGradients {
    // Your code here.
    return StepGradients(x: Matrix(zeros: x.rows, x.columns),
                         previousState: Matrix(zeros: previousState.rows, previousState.columns),
                         inputWeights: Matrix(zeros: inputWeights.rows, inputWeights.columns),
                         recurrentWeights: Matrix(zeros: recurrentWeights.rows, recurrentWeights.columns),
                         bias: [Float](repeating: 0, count: state.columns))
}
