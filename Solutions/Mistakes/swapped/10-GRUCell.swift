// Mistake: z and 1 − z swapped.
// (The reference solution of exercise 10 with this one mistake: its check must fail.)

import ExerciseSupport
import Workbook

/// `nn.GRUCell`: `h' = (1 − z) ⊙ n + z ⊙ h`, with the reset gate applied after `h W_hn + b_hn`.
public func gruCell(_ x: Tensor, _ state: Tensor, _ w: GRUWeights) -> Tensor {
    func input(_ g: GRUGate) -> Tensor { x.matmul(g.inputWeights) + g.inputBias }              // (B, H)
    func recurrent(_ g: GRUGate) -> Tensor { state.matmul(g.recurrentWeights) + g.recurrentBias }
    let r = sigmoid(input(w.reset) + recurrent(w.reset))
    let z = sigmoid(input(w.update) + recurrent(w.update))
    let n = (input(w.candidate) + r * recurrent(w.candidate)).tanh()
    return z * n + (1 - z) * state
}
