// The notebooks' three training functions as the chapters call them: the engine's loops
// (Sources/Workbook/Training.swift) with the progress line of `--verbose` and a stop that says why
// when the loss overflows. Chapter05-Training calls them in its cells, with the notebooks' settings
// written there; the chapters after it train the same way when Chapter05's checkpoints are not
// there (`trainAsChapter05`).

import ChapterSupport
import Workbook

/// The notebook's `trainDRNN(drnn, dataset, loss, optimizer, epochs)`: the engine's
/// ``trainDeepRNN(_:on:optimizer:epochs:clippingAlpha:onEpoch:)`` with the per-parameter clipping
/// (α = 1).
/// - Returns: the loss printed after each epoch.
public func trainDRNN(_ drnn: DRNN, _ dataset: DataLoader, _ optimizer: SGD, epochs: Int,
                      _ output: Output, _ options: ChapterOptions) throws -> [Float] {
    let log = output.trainingLog("DRNN", epochs: epochs)
    let losses = trainDeepRNN(drnn, on: dataset, optimizer: optimizer, epochs: epochs, clippingAlpha: 1,
                              onEpoch: log.report)
    log.finish()
    try TrainingDiverged.check(losses, run: "the from-scratch DRNN",
                               learningRate: optimizer.learningRate, clipped: true,
                               cause: fromScratchOverflow(losses, optimizer, options))
    return losses
}

/// Why a fresh from-scratch DRNN overflows whatever its learning rate, when that is why. The
/// notebook's linear recurrence multiplies its state by about 1.8 per step: a long window alone
/// overflows a fresh model; a large hidden size sums that many such states into each one, and
/// about 150 and more overflow at the first epoch, even at a learning rate of 1e-12.
func fromScratchOverflow(_ losses: [Float], _ optimizer: SGD, _ options: ChapterOptions) -> String? {
    guard !options.corrected, losses.count == 1 else { return nil }
    if options.windowLength > 19 {
        return "The notebook's linear recurrence can grow about 1.8 times per step, so a window of "
            + "\(options.windowLength) overflows a fresh model: use a shorter --window-length, or "
            + "--corrected (tanh)."
    }
    if options.hiddenSize(8) > 8 && optimizer.learningRate <= 0.0001 {
        return "The notebook's linear recurrence has no tanh to bound it, so a fresh model with "
            + "--hidden-size \(options.hiddenSize(8)) overflows float32 at once, whatever the "
            + "learning rate: use a smaller --hidden-size, or --corrected (tanh)."
    }
    return nil
}

/// The notebook's `trainCDEEPRNN(deep_rnn, dataset, loss, optimizer, epochs)`: `trainDRNN` without
/// the clipping. `round` names the run in its log and in the message when it diverges.
public func trainCDEEPRNN(_ model: ConciseDRNN, _ dataset: DataLoader, _ optimizer: SGD, epochs: Int,
                          round: Int, _ output: Output) throws -> [Float] {
    let log = output.trainingLog("concise \(round)", epochs: epochs)
    let losses = trainDeepRNN(model, on: dataset, optimizer: optimizer, epochs: epochs,
                              clippingAlpha: nil, onEpoch: log.report)
    log.finish()
    try TrainingDiverged.check(losses, run: "the concise model's round \(round)",
                               learningRate: optimizer.learningRate, clipped: false)
    return losses
}

/// The notebook's `trainBRNN(brnn, dataset_train, loss, optimizer, epochs)`, with its clipping:
/// the engine's ``trainBRNN(_:on:loss:scaledInputs:optimizer:epochs:clippingAlpha:onEpoch:)``.
/// `round` names the run (`nil`: a run of one round).
public func trainBRNN(_ brnn: BRNN, _ datasetTrain: DataLoader, loss: BidirectionalLoss,
                      scaledInputs: Bool = false, _ optimizer: some Optimizer, epochs: Int,
                      round: Int? = nil, _ output: Output) throws -> [Float] {
    let log = output.trainingLog("BRNN" + (round.map { " \($0)" } ?? ""), epochs: epochs)
    let losses = trainBRNN(brnn, on: datasetTrain, loss: loss, scaledInputs: scaledInputs,
                           optimizer: optimizer, epochs: epochs, clippingAlpha: 1, onEpoch: log.report)
    log.finish()
    try TrainingDiverged.check(losses, run: "the bidirectional model" + (round.map { "'s round \($0)" } ?? ""),
                               learningRate: learningRate(of: optimizer), clipped: true)
    return losses
}

/// The learning rate of SGD or Adam, for the message of a run that diverged.
func learningRate(of optimizer: some Optimizer) -> Float {
    (optimizer as? SGD)?.learningRate ?? (optimizer as? Adam)?.learningRate ?? .nan
}

// MARK: - Chapter05's runs, for the chapters after it

// Each is the cell of Chapter05.swift with the same settings; ChapterTests check that a chapter
// that trains here ends with the model Chapter05 saves.

/// Chapter05's `drnn_trained`: SGD at lr 0.0001 for 5000 epochs. Returns its checkpoint's tensors.
public func trainAsChapter05(drnn options: ChapterOptions, _ output: Output) throws
    -> [(name: String, tensor: Tensor)] {
    let (_, drnn, dataset) = deepRNNExperiment(options)
    let optimizer = SGD(drnn.parameters, learningRate: options.learningRate(0.0001))
    _ = try trainDRNN(drnn, dataset, optimizer, epochs: options.epochs(5000), output, options)
    return drnn.checkpointTensors
}

/// Chapter05's concise model: three rounds of 500 epochs at lr 0.03, 0.003, 0.0003.
public func trainAsChapter05(concise options: ChapterOptions, _ output: Output) throws
    -> [(name: String, tensor: Tensor)] {
    let (_, deepRNN, dataset) = conciseExperiment(options)
    for (i, learningRate) in options.learningRates([0.03, 0.003, 0.0003]).enumerated() {
        let optimizer = SGD(deepRNN.parameters, learningRate: learningRate)
        _ = try trainCDEEPRNN(deepRNN, dataset, optimizer, epochs: options.epochs(500), round: i, output)
    }
    return deepRNN.namedParameters
}

/// Chapter05's bidirectional model: 100 epochs at lr 0.1 and 200 at 0.01; with `--corrected` the
/// fixed loss, scaled inputs, Xavier weights and Adam at lr 0.01 for 2000 epochs.
public func trainAsChapter05(brnn options: ChapterOptions, _ output: Output) throws
    -> [(name: String, tensor: Tensor)] {
    let (task, brnn) = bidirectionalExperiment(options)
    let (datasetTrain, _) = bidirectionalLoaders(task, seed: options.seed)
    if options.corrected {
        let optimizer = Adam(brnn.parameters, learningRate: options.learningRate(0.01))
        _ = try trainBRNN(brnn, datasetTrain, loss: .fixed, scaledInputs: true, optimizer,
                          epochs: options.epochs(2000), output)
    } else {
        for (i, learningRate) in options.learningRates([0.1, 0.01]).enumerated() {
            let optimizer = SGD(brnn.parameters, learningRate: learningRate)
            _ = try trainBRNN(brnn, datasetTrain, loss: .notebook, optimizer,
                              epochs: options.epochs((i + 1) * 100), round: i, output)
        }
    }
    return brnn.namedParameters
}
