// Mistake: the factor 2 of the cross term left out.
// (The reference solution of exercise 06 with this one mistake: its check must fail.)

import Workbook

/// `((Y_hat.flatten() - Y)**2).mean()`: each prediction against its own label.
public func fixedBidirectionalLoss(_ prediction: Tensor, _ labels: Tensor) -> Tensor {
    (prediction.flattened() - labels).squared().mean()
}

/// `mean over i, j of (ŷᵢ − yⱼ)² = mean(ŷ²) − 2 mean(ŷ) mean(y) + mean(y²)`.
public func notebookBidirectionalLoss(_ prediction: Tensor, _ labels: Tensor) -> Tensor {
    prediction.squared().mean() - prediction.mean() * labels.mean() + labels.squared().mean()
}
