// Mistake: dW_hh computed as dZᵀ H_{t−1}, the transpose of the gradient.
// (The reference solution of exercise 03 with this one mistake: its check must fail.)

import ExerciseSupport
import Foundation

/// The gradients of one step `H_t = tanh(X_t W_xh + H_{t−1} W_hh + b_h)` from `dH_t`.
public func rnnStepBackward(_ stateGradient: Matrix, state: Matrix, x: Matrix, previousState: Matrix,
                            inputWeights: Matrix, recurrentWeights: Matrix) -> StepGradients {
    let dz = stateGradient * state.map { 1 - $0 * $0 }                // (B × H): through tanh
    return StepGradients(x: dz.matmul(inputWeights.transposed()),             // (B × H) · (H × X)
                         previousState: dz.matmul(recurrentWeights.transposed()), // (B × H) · (H × H)
                         inputWeights: x.transposed().matmul(dz),              // (X × B) · (B × H)
                         recurrentWeights: dz.transposed().matmul(previousState),
                         bias: dz.columnSums())                                // the bias is in every row
}
