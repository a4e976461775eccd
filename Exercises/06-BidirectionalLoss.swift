// Exercise 06 of the RNN workbook. Write the bodies of the two functions below, then check them
// with `swift run Exercises 6` (`swift run Exercises hint 6` prints a hint).

import Workbook

/// Exercise 06 — the bidirectional loss: the `(N,)` fix, and the N × N loss in closed form.
///
/// Page: [Chapter 03 — Loss and transformations › The bidirectional loss: `(N, 1) − (N,)` broadcast to N × N](../docs/Chapter03-Loss.md#the-bidirectional-loss-n-1--n-broadcast-to-n--n)
///
/// The bidirectional notebook's `loss(Y_hat, Y)` is `((Y_hat - Y)**2).mean()` with predictions
/// `Y_hat` `(N, 1)` and labels `Y` `(N,)`. PyTorch broadcasts the difference to `N × N`, every
/// prediction against every label, so the loss is the mean of `(ŷᵢ − yⱼ)²` over all pairs. What the
/// notebook meant compares each prediction with its own label: `Y_hat` flattened to `(N,)` first.
///
/// **Task.** `fixedBidirectionalLoss`: `mean((ŷᵢ − yᵢ)²)`. `notebookBidirectionalLoss`: the N × N
/// mean, without building the N × N matrix: expand the square and write it with means of `ŷ`, `ŷ²`,
/// `y` and `y²`. Both with the engine's operations, so that `backward()` gives their gradients.
///
/// **You may use** `Tensor`'s `flattened()`, `-`, `+`, `*`, `squared()`, `mean()`, and numbers times
/// tensors (`2 * a`); not `meanSquaredError` or `broadcastMeanSquaredError`, which are what you are writing.
///
/// - Parameters:
///   - prediction: `Y_hat` `(N, 1)`, the model's output.
///   - labels: `Y` `(N,)`, 0 or 1.
/// - Returns: the loss, a scalar tensor.
public func fixedBidirectionalLoss(_ prediction: Tensor, _ labels: Tensor) -> Tensor {
    // Your code here.
    return Tensor(scalar: 0)
}

/// The notebook's `((Y_hat - Y)**2).mean()` with `(N, 1)` and `(N,)`: the mean over all N × N
/// pairs `(ŷᵢ − yⱼ)²`, in closed form (a scalar tensor).
public func notebookBidirectionalLoss(_ prediction: Tensor, _ labels: Tensor) -> Tensor {
    // Your code here.
    return Tensor(scalar: 0)
}
