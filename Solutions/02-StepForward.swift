// The reference solution of exercise 02 (see Exercises/02-StepForward.swift).

import ExerciseSupport
import Foundation

/// `H_t = φ(X_t W_xh + H_{t−1} W_hh + b_h)` for a batch `(B × X)`.
public func rnnStepForward(_ x: Matrix, previousState: Matrix, inputWeights: Matrix, recurrentWeights: Matrix,
                           bias: [Float], activation: Activation) -> Matrix {
    let z = x.matmul(inputWeights) + previousState.matmul(recurrentWeights) + bias   // (B × H)
    switch activation {
    case .identity: return z
    case .tanh: return z.map { tanh($0) }
    case .relu: return z.map { max(0, $0) }
    }
}
