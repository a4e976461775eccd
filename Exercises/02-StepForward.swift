// Exercise 02 of the RNN workbook. Write the body of the function below, then check it with
// `swift run Exercises 2` (`swift run Exercises hint 2` prints a hint).

import ExerciseSupport
import Foundation

/// Exercise 02 — one RNN step, forward: `H_t = φ(X_t W_xh + H_{t−1} W_hh + b_h)`.
///
/// Page: [Chapter 02 — Model › The deep RNN from scratch: `drnn = DRNN(2, 1, 8, 1)`](../docs/Chapter02-Model.md#the-deep-rnn-from-scratch-drnn--drnn2-1-8-1)
///
/// Every recurrent layer of the two notebooks repeats one step: the new hidden state mixes the
/// step's input with the previous state, `Hl = matmul(X[t], W_xh) + matmul(Hl, W_hh) + b_h`, and
/// passes it through an activation φ: none in the deep RNN notebook's from-scratch DRNN, tanh in
/// `nn.RNN` (and the corrected DRNN), ReLU in the bidirectional notebook's BRNN.
///
/// **Task.** Return `H_t` `(B × H)` for a batch of `B` rows: `X_t` is `B × X`, `H_{t−1}` is `B × H`,
/// `W_xh` is `X × H`, `W_hh` is `H × H` and `b_h` has `H` values, added to every row.
///
/// **You may use** `Matrix` (Exercises/Support/Matrix.swift): `a.matmul(b)`, `a + b`, `a + row`
/// (a bias added to every row), `a.map { … }`; Foundation's `tanh` and Swift's `max`.
///
/// - Parameters:
///   - x: `X_t`, the step's inputs `(B × X)`.
///   - previousState: `H_{t−1}` `(B × H)` (zeros at the first step).
///   - inputWeights: `W_xh` `(X × H)`.
///   - recurrentWeights: `W_hh` `(H × H)`.
///   - bias: `b_h` `(H)`.
///   - activation: φ: `.identity` (none), `.tanh` or `.relu` (`max(0, z)`).
/// - Returns: `H_t` `(B × H)`.
public func rnnStepForward(_ x: Matrix, previousState: Matrix, inputWeights: Matrix, recurrentWeights: Matrix,
                           bias: [Float], activation: Activation) -> Matrix {
    // Your code here.
    return previousState
}
