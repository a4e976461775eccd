// The reference solution of exercise 07 (see Exercises/07-BidirectionalLayer.swift).

import Workbook

/// `out, h_n = nn.RNN(…, bidirectional=True)(x)` from its two directions.
public func bidirectionalLayer(_ x: Tensor, forward: (Tensor) -> Tensor,
                               reverse: (Tensor) -> Tensor) -> (output: Tensor, finalStates: Tensor) {
    let forwardStates = forward(x)                                   // (T, B, H)
    let reverseStates = reverse(x.flipped(along: 0))                 // (T, B, H): step s has read T−1 … T−1−s
    let output = Tensor.concatenate([forwardStates, reverseStates.flipped(along: 0)], along: 2)   // (T, B, 2H)
    let last = x.shape[0] - 1
    return (output, Tensor.stack([forwardStates[last], reverseStates[last]]))                  // (2, B, H)
}
