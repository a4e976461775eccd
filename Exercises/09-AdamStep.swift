// Exercise 09 of the RNN workbook. Write the body of the function below, then check it with
// `swift run Exercises 9` (`swift run Exercises hint 9` prints a hint).

import Foundation

/// Exercise 09 — one Adam step, with its bias correction.
///
/// Page: [Chapter 05 — Training › The bidirectional model](../docs/Chapter05-Training.md#the-bidirectional-model)
///
/// `swift run Chapter05-Training --corrected` trains the bidirectional model with
/// `torch.optim.Adam(lr=0.01)` instead of the notebook's SGD at lr 0.1. Adam (Kingma and Ba, 2015)
/// keeps two running averages per parameter: of the gradient, `m ← β₁ m + (1 − β₁) g`, and of its
/// square, `v ← β₂ v + (1 − β₂) g²`. Both start at zero, so in the first steps they are too small;
/// dividing by `1 − β₁ᵗ` and `1 − β₂ᵗ` (`t` counts the steps from 1) corrects that bias:
/// `m̂ = m / (1 − β₁ᵗ)`, `v̂ = v / (1 − β₂ᵗ)`, and the step is `p ← p − lr · m̂ / (√v̂ + ε)`.
///
/// **Task.** Update `parameter`, `firstMoment` and `secondMoment` in place for step number `step`,
/// element by element, as `optimizer.step()` does (`exp_avg` is `m`, `exp_avg_sq` is `v`).
///
/// **You may use** Swift's arrays and `Float` (`x.squareRoot()`), Foundation's `pow`; nothing from
/// the engine (its `Adam` is what you are writing).
///
/// - Parameters:
///   - parameter: the parameter's values `p`, updated in place.
///   - gradient: its gradient `g` for this step.
///   - firstMoment: `m` (`exp_avg`), zeros before the first step, updated in place.
///   - secondMoment: `v` (`exp_avg_sq`), zeros before the first step, updated in place.
///   - step: `t`, 1 for the first step.
///   - learningRate: `lr`.
///   - betas: `(β₁, β₂)`, PyTorch's `betas` (0.9, 0.999 by default).
///   - epsilon: `ε`, PyTorch's `eps` (1e-8 by default).
public func adamStep(_ parameter: inout [Float], gradient: [Float], firstMoment: inout [Float],
                     secondMoment: inout [Float], step: Int, learningRate: Float,
                     betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8) {
    // Your code here.
}
