// Mistake: the reverse direction's final state taken at the output's last step.
// (The reference solution of exercise 07 with this one mistake: its check must fail.)

import Workbook

/// `out, h_n = nn.RNN(…, bidirectional=True)(x)` from its two directions.
public func bidirectionalLayer(_ x: Tensor, forward: (Tensor) -> Tensor,
                               reverse: (Tensor) -> Tensor) -> (output: Tensor, finalStates: Tensor) {
    let forwardStates = forward(x)                                   // (T, B, H)
    let reverseStates = reverse(x.flipped(along: 0))                 // (T, B, H): step s has read T−1 … T−1−s
    let output = Tensor.concatenate([forwardStates, reverseStates.flipped(along: 0)], along: 2)   // (T, B, 2H)
    let last = x.shape[0] - 1
    return (output, Tensor.stack([forwardStates[last], reverseStates.flipped(along: 0)[last]]))                  // (2, B, H)
}
