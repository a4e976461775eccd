// The notebooks' losses: mean squared error over every time step, and the bidirectional
// notebook's accidental N × N broadcast, computed in closed form.

/// The deep RNN notebook's `loss(Y_hat, Y)`, the mean squared error over all time steps:
/// `mean((cat(predictions) − targets.reshape(−1, 1))²)` for `T` outputs `(B, 1)` and targets `(T, B)`.
public func sequenceLoss(_ predictions: [Tensor], _ targets: Tensor) -> Tensor {
    let yHat = Tensor.concatenate(predictions)       // (T·B, 1)
    let y = targets.flattened().reshaped([-1, 1])     // (T·B, 1)
    return meanSquaredError(yHat, y)
}

/// `((prediction − target)²).mean()` for two tensors of the same shape.
public func meanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    check(prediction.shape == target.shape,
          "meanSquaredError: shapes \(describe(shape: prediction.shape)) and \(describe(shape: target.shape)) differ")
    return (prediction - target).squared().mean()
}

/// What `((Y_hat − Y)**2).mean()` computes in PyTorch when `Y_hat` is `(N, 1)` and `Y` is `(N,)`:
/// the mean over all N × N pairs `(ŷᵢ − yⱼ)²`, every prediction against every label.
///
/// Expanding the square gives `mean(ŷ²) − 2 · mean(ŷ) · mean(y) + mean(y²)`: the loss sees only the
/// labels' mean, so the best a model can do is predict it for every row. O(N), where PyTorch builds
/// the N × N matrix; gradient `∂L/∂ŷᵢ = 2 (ŷᵢ − mean(y)) / N`, `∂L/∂yⱼ = 2 (yⱼ − mean(ŷ)) / N`.
public func broadcastMeanSquaredError(_ prediction: Tensor, _ target: Tensor) -> Tensor {
    check(prediction.rank == 2 && prediction.shape[1] == 1 && target.rank == 1,
          "broadcastMeanSquaredError: needs (N, 1) and (M,), not \(describe(shape: prediction.shape)) and \(describe(shape: target.shape))")
    let n = prediction.count, m = target.count
    func moments(_ x: Tensor) -> (mean: Double, meanSquare: Double) {
        let v = x.values.map(Double.init)
        return (v.reduce(0, +) / Double(x.count), v.reduce(0) { $0 + $1 * $1 } / Double(x.count))
    }
    let (p, y) = (moments(prediction), moments(target))
    let out = Tensor.result([], from: prediction, target) { out, predictionRecord, targetRecord in
        let g = Double(out.gradValues[0])
        if let predictionRecord {
            let gp = predictionRecord.gradElements()
            for i in 0..<n { gp[i] += Float(g * 2 * (Double(prediction.elements[i]) - y.mean) / Double(n)) }
        }
        if let targetRecord {
            let gt = targetRecord.gradElements()
            for j in 0..<m { gt[j] += Float(g * 2 * (Double(target.elements[j]) - p.mean) / Double(m)) }
        }
    }
    out.elements[0] = Float(p.meanSquare - 2 * p.mean * y.mean + y.meanSquare)
    return out
}
