// The notebooks' training loops, testing and approximation, written to read like their cells.

/// A model that maps a time-major batch `(T, B, X)` to one output `(B, Q)` per time step:
/// the from-scratch ``DRNN`` and the concise ``ConciseDRNN``.
public protocol SequenceModel: Module { func callAsFunction(_ x: Tensor) -> [Tensor] }
extension DRNN: SequenceModel {}
extension ConciseDRNN: SequenceModel {}

/// What a training loop reports after each epoch: the epoch (from 0) and the printed loss.
public typealias EpochReport = (_ epoch: Int, _ loss: Float) -> Void

/// The deep RNN notebook's `trainDRNN` (and, with `clippingAlpha: nil`, its `trainCDEEPRNN`).
///
/// Every epoch runs over the loader's batches: time-major transformations, the loss, its gradient,
/// the per-parameter clipping, an SGD step. It reports, as the notebook, the loss on the epoch's
/// first batch computed again after the epoch's updates. When that loss is not finite, training
/// stops there, the parameters back to their values before that epoch.
/// - Returns: the reported loss of every epoch; the last is not finite when training diverged.
@discardableResult
public func trainDeepRNN(_ model: some SequenceModel, on loader: DataLoader, optimizer: some Optimizer, epochs: Int,
                         clippingAlpha: Float? = 1, onEpoch: EpochReport = { _, _ in }) -> [Float] {
    trainEpochs(model.parameters, on: loader, optimizer: optimizer, epochs: epochs,
                clippingAlpha: clippingAlpha, onEpoch: onEpoch) { inputs, targets in
        sequenceLoss(model(timeMajorInputs(inputs)), timeMajorTargets(targets))
    }
}

/// One epoch of the notebooks' loop, for any model: for each of the loader's batches, `loss` of
/// its inputs and targets, `backward()`, the per-parameter clipping (with `clippingAlpha`), the
/// optimiser's step and `zero_grad()`. Returns the epoch's first batch (nil: no batch).
@discardableResult
public func trainEpoch(_ parameters: [Tensor], on loader: DataLoader, optimizer: some Optimizer,
                       clippingAlpha: Float? = 1, loss: (Tensor, Tensor) -> Tensor) -> (inputs: Tensor, targets: Tensor)? {
    let batches = loader.epoch()
    for (inputs, targets) in batches {
        loss(inputs, targets).backward()
        if let alpha = clippingAlpha { clipGradientsPerParameter(parameters, alpha: alpha) }
        optimizer.step()
        optimizer.zeroGrad()
    }
    return batches.first
}

/// Both notebooks' loops around ``trainEpoch(_:on:optimizer:clippingAlpha:loss:)``: report the first
/// batch's loss after each epoch, and stop at the first not finite, with the parameters before it.
func trainEpochs(_ parameters: [Tensor], on loader: DataLoader, optimizer: some Optimizer, epochs: Int,
                 clippingAlpha: Float?, onEpoch: EpochReport, loss: (Tensor, Tensor) -> Tensor) -> [Float] {
    var losses: [Float] = []
    let lastFinite = parameters.map { Tensor(zeros: $0.shape) }
    for e in 0..<epochs {
        for (copy, p) in zip(lastFinite, parameters) { copy.assign(p) }
        guard let (inputs, targets) = trainEpoch(parameters, on: loader, optimizer: optimizer,
                                                 clippingAlpha: clippingAlpha, loss: loss) else { break }
        // The notebooks print this loss only: no graph is needed (PyTorch builds one, then drops it).
        let printed = Tensor.withoutGradients { loss(inputs, targets).item }
        losses.append(printed)
        onEpoch(e, printed)
        guard printed.isFinite else {
            for (copy, p) in zip(lastFinite, parameters) { p.assign(copy) }
            break
        }
    }
    return losses
}

/// The deep RNN notebook's `DRNNapproximation`: the prediction of each window's last step.
///
/// For window `i` (the differences `i ..< i + 19`), the output at the last step predicts the
/// difference at `i + 19`. Returns `(windows)` in the loader's order (use an unshuffled loader).
public func approximate(_ model: some SequenceModel, on loader: DataLoader) -> Tensor {
    let lastSteps = loader.epoch().compactMap { inputs, _ in
        Tensor.withoutGradients { model(timeMajorInputs(inputs)).last?.detached() }   // (B, 1), under torch.no_grad()
    }
    return Tensor.concatenate(lastSteps).flattened()
}

/// Which loss the bidirectional model trains on: the notebook's `((Y_hat − Y)**2).mean()` with
/// `(N, 1)` and `(N,)`, an N × N broadcast, or the same `fixed` with `Y_hat` flattened to `(N,)`:
/// the mean squared error the notebook meant.
public enum BidirectionalLoss: String, Sendable {
    case notebook, fixed

    /// The loss of predictions `(N, 1)` against labels `(N,)`.
    public func callAsFunction(_ prediction: Tensor, _ labels: Tensor) -> Tensor {
        switch self {
        case .notebook: broadcastMeanSquaredError(prediction, labels)
        case .fixed: meanSquaredError(prediction.flattened(), labels)
        }
    }
}

/// The bidirectional notebook's inputs: digits 1–3 for the forward RNN, digits 6, 5, 4 for the
/// backward one. With `scaled`, divided by 9 into [0, 1] (a correction: raw digits 0–9 with `randn`
/// weights make the first updates explode).
public func bidirectionalInputs(_ digits: Tensor, scaled: Bool = false) -> (forward: Tensor, backward: Tensor) {
    let digits = scaled ? digits / 9 : digits
    return (timeMajorInputs(digits.narrowed(along: 1, to: 0..<3)),                // (3, N, 1)
            timeMajorInputs(digits.narrowed(along: 1, to: 3..<6), flipped: true)) // (3, N, 1)
}

/// The bidirectional notebook's `trainBRNN`: like ``trainDeepRNN(_:on:optimizer:epochs:clippingAlpha:onEpoch:)``,
/// over rows of six digits, and stopping the same way when the loss is not finite.
@discardableResult
public func trainBRNN(_ brnn: BRNN, on loader: DataLoader, loss: BidirectionalLoss, scaledInputs: Bool = false,
                      optimizer: some Optimizer, epochs: Int, clippingAlpha: Float? = 1, onEpoch: EpochReport = { _, _ in }) -> [Float] {
    trainEpochs(brnn.parameters, on: loader, optimizer: optimizer, epochs: epochs,
                clippingAlpha: clippingAlpha, onEpoch: onEpoch) { digits, labels in
        let (forward, backward) = bidirectionalInputs(digits, scaled: scaledInputs)
        return loss(brnn(forward, backward), labels)
    }
}

/// The bidirectional notebook's `testBRNN`, plus the accuracy it leaves out: the mean of the
/// batches' losses, and the share of rows whose prediction, rounded at 0.5, equals the label.
public func testBRNN(_ brnn: BRNN, on loader: DataLoader, loss: BidirectionalLoss, scaledInputs: Bool = false) -> (loss: Float, accuracy: Float) {
    var (losses, correct, total) = ([Float](), 0, 0)
    for (digits, labels) in loader.epoch() {
        let (forward, backward) = bidirectionalInputs(digits, scaled: scaledInputs)
        let prediction = Tensor.withoutGradients { brnn(forward, backward).detached() }   // (N, 1), under torch.no_grad()
        losses.append(loss(prediction, labels).item)
        for (p, y) in zip(prediction.values, labels.values) where (p >= 0.5 ? 1 : 0) == y { correct += 1 }
        total += labels.count
    }
    return (losses.reduce(0, +) / Float(Swift.max(losses.count, 1)), Float(correct) / Float(Swift.max(total, 1)))
}
