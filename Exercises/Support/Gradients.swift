// What the hand-written backward passes return (exercises 03 and 04), and the weights of the
// notebook's linear recurrence.

/// The gradients of one recurrent step (exercise 03), each of the shape of what it is the gradient of.
public struct StepGradients: Equatable, Sendable {
    /// `dX_t` `(B × X)`, `dH_{t−1}` `(B × H)`, `dW_xh` `(X × H)`, `dW_hh` `(H × H)`, `db_h` `(H)`.
    public var x: Matrix, previousState: Matrix, inputWeights: Matrix, recurrentWeights: Matrix, bias: [Float]

    public init(x: Matrix, previousState: Matrix, inputWeights: Matrix, recurrentWeights: Matrix, bias: [Float]) {
        (self.x, self.previousState, self.inputWeights, self.recurrentWeights, self.bias) =
            (x, previousState, inputWeights, recurrentWeights, bias)
    }
}

/// One layer of the deep RNN notebook's from-scratch model, with its output layer, and no
/// activation: `H_t = X_t W_xh + H_{t−1} W_hh + b_h`, `O_t = H_t W_hq + b_q` (exercise 04).
public struct LinearRecurrence: Equatable, Sendable {
    /// `W_xh` `(X × H)`, `W_hh` `(H × H)`, `b_h` `(H)`, `W_hq` `(H × Q)`, `b_q` `(Q)`.
    public var inputWeights: Matrix, recurrentWeights: Matrix, bias: [Float], outputWeights: Matrix, outputBias: [Float]

    public init(inputWeights: Matrix, recurrentWeights: Matrix, bias: [Float], outputWeights: Matrix, outputBias: [Float]) {
        (self.inputWeights, self.recurrentWeights, self.bias, self.outputWeights, self.outputBias) =
            (inputWeights, recurrentWeights, bias, outputWeights, outputBias)
    }

    /// Zeros of every weight's shape: where gradients are added up.
    public func zeros() -> LinearRecurrence {
        LinearRecurrence(inputWeights: Matrix(zeros: inputWeights.rows, inputWeights.columns),
                         recurrentWeights: Matrix(zeros: recurrentWeights.rows, recurrentWeights.columns),
                         bias: [Float](repeating: 0, count: bias.count),
                         outputWeights: Matrix(zeros: outputWeights.rows, outputWeights.columns),
                         outputBias: [Float](repeating: 0, count: outputBias.count))
    }
}
