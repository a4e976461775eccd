// The notebooks' training cells, with their settings as the notebooks write them. Chapter05-Training
// shows and runs them; Chapter06-Approximation and Chapter07-Beyond run them too when no checkpoint
// of Chapter05's is there (`trained…` below). The options (`--epochs`, `--learning-rate`,
// `--hidden-size`, `--window-length`) replace a notebook's value only when they are given.

import ChapterSupport
import Workbook

// MARK: - The deep RNN notebook

/// The deep RNN notebook's set-up, experiment (a): `data` (200 points) and `drnn = DRNN(2, 1, 8, 1)`,
/// drawn from one generator, and the training loader over the windows of `data_trans`.
public func deepRNNExperiment(_ options: ChapterOptions) -> (line: NoisyLine, drnn: DRNN,
                                                             dataset: DataLoader) {
    var generator = options.generator()
    let line = NoisyLine(count: 200, using: &generator)
    let drnn = DRNN(numLayers: 2, inputSize: 1, hiddenSize: options.hiddenSize(8), outputSize: 1,
                    variant: options.corrected ? .corrected : .notebook, using: &generator)
    return (line, drnn, deepRNNLoaders(line, options).dataset)
}

/// `dataset` and `dataset_approx`: every window of `data_trans` (19 long) in one batch of
/// `(num_data − 1) − sequence_len` = 180, shuffled for training and in order for approximation.
public func deepRNNLoaders(_ line: NoisyLine, _ options: ChapterOptions)
    -> (dataset: DataLoader, datasetApprox: DataLoader) {
    let (x, y) = slidingWindows(of: line.differences, length: options.windowLength)
    let batchSize = line.differences.count - options.windowLength
    return (DataLoader(inputs: x, targets: y, batchSize: batchSize, shuffle: true,
                       seed: UInt64(options.seed)),
            DataLoader(inputs: x, targets: y, batchSize: batchSize, shuffle: false))
}

/// `optimizer = torch.optim.SGD(drnn.parameters(), lr=0.0001)` and
/// `drnn_trained = trainDRNN(drnn, dataset, loss, optimizer, 5000)`, with the per-parameter clipping.
public func trainDRNNCell(_ options: ChapterOptions,
                          _ output: Output) throws -> (line: NoisyLine, drnn: DRNN, losses: [Float]) {
    let (line, drnn, dataset) = deepRNNExperiment(options)
    let optimizer = SGD(drnn.parameters, learningRate: options.learningRate(0.0001))
    let epochs = options.epochs(5000)
    let log = output.trainingLog("DRNN", epochs: epochs)
    let losses = trainDeepRNN(drnn, on: dataset, optimizer: optimizer, epochs: epochs, clippingAlpha: 1,
                              onEpoch: log.report)
    log.finish()
    // The notebook's linear recurrence multiplies its state by about 1.8 per step: a long window
    // alone overflows a fresh model, whatever the learning rate.
    // A large hidden size sums that many such states into each one: about 150 and more overflow
    // at the first epoch, even at a learning rate of 1e-12.
    let longWindow = !options.corrected && options.windowLength > 19 && losses.count == 1
    let wideState = !options.corrected && options.hiddenSize(8) > 8 && losses.count == 1
        && optimizer.learningRate <= 0.0001
    try TrainingDiverged.check(losses, run: "the from-scratch DRNN",
                               learningRate: optimizer.learningRate, clipped: true,
                               cause: longWindow
                                   ? "The notebook's linear recurrence can grow about 1.8 times per "
                                     + "step, so a window of \(options.windowLength) overflows a fresh "
                                     + "model: use a shorter --window-length, or --corrected (tanh)."
                                   : wideState
                                   ? "The notebook's linear recurrence has no tanh to bound it, so a "
                                     + "fresh model with --hidden-size \(options.hiddenSize(8)) overflows "
                                     + "float32 at once, whatever the learning rate: use a smaller "
                                     + "--hidden-size, or --corrected (tanh)."
                                   : nil)
    return (line, drnn, losses)
}

/// Experiment (b): `deep_rnn = nn.Sequential(nn.RNN(1, 8, num_layers=2), OutputLayer(8, 1))`,
/// from a fresh generator.
public func conciseModel(_ options: ChapterOptions) -> ConciseDRNN {
    var generator = options.generator()
    return ConciseDRNN(inputSize: 1, hiddenSize: options.hiddenSize(8), outputSize: 1, numLayers: 2,
                       using: &generator)
}

/// `for i in range(3): optimizer = SGD(deep_rnn.parameters(), lr=0.03/10**i);
/// trainCDEEPRNN(deep_rnn, dataset, loss, optimizer, 500)`: no clipping.
public func trainConciseCell(_ options: ChapterOptions,
                             _ output: Output) throws -> (model: ConciseDRNN, losses: [[Float]]) {
    var generator = options.generator()
    let (dataset, _) = deepRNNLoaders(NoisyLine(count: 200, using: &generator), options)
    let deepRNN = conciseModel(options)
    var losses: [[Float]] = []
    for (i, learningRate) in options.learningRates([0.03, 0.003, 0.0003]).enumerated() {   // 0.03/10**i
        let optimizer = SGD(deepRNN.parameters, learningRate: learningRate)
        let epochs = options.epochs(500)
        output.line("round \(i): SGD(lr=\(learningRate)), \(epochs) epochs")
        let log = output.trainingLog("concise \(i)", epochs: epochs)
        losses.append(trainDeepRNN(deepRNN, on: dataset, optimizer: optimizer, epochs: epochs,
                                   clippingAlpha: nil, onEpoch: log.report))
        log.finish()
        try TrainingDiverged.check(losses[i], run: "the concise model's round \(i)",
                                   learningRate: learningRate, clipped: false)
    }
    return (deepRNN, losses)
}

// MARK: - The bidirectional notebook

/// The bidirectional notebook's set-up, experiment (c): 5000 rows of digits, then
/// `brnn = BRNN(1, 32, 1)` (`randn` weights, or Xavier's with `--corrected`), from one generator.
public func bidirectionalExperiment(_ options: ChapterOptions) -> (task: DigitTask, brnn: BRNN) {
    var generator = options.generator()
    let task = DigitTask(rows: 5000, using: &generator)
    let brnn = BRNN(inputSize: 1, hiddenSize: options.hiddenSize(32), outputSize: 1,
                    initialization: options.corrected ? .xavier : .notebook, using: &generator)
    return (task, brnn)
}

/// `dataset_train` and `dataset_test`: the first `int(np.floor(5000 * 0.75))` = 3750 rows for
/// training (shuffled), the other 1250 for testing, in batches of 5000 (so each is one batch).
public func bidirectionalLoaders(_ task: DigitTask, seed: Int) -> (datasetTrain: DataLoader,
                                                                   datasetTest: DataLoader) {
    let train = 0..<3750, test = 3750..<5000
    return (DataLoader(inputs: task.digits.narrowed(along: 0, to: train),
                       targets: task.labels.narrowed(along: 0, to: train),
                       batchSize: 5000, shuffle: true, seed: UInt64(seed)),
            DataLoader(inputs: task.digits.narrowed(along: 0, to: test),
                       targets: task.labels.narrowed(along: 0, to: test),
                       batchSize: 5000, shuffle: false))
}

/// `for i in range(2): optimizer = SGD(brnn.parameters(), lr=0.1/10**i);
/// trainBRNN(brnn, dataset_train, loss, optimizer, (i+1)*100)`: 100 epochs at 0.1, then 200 at 0.01.
///
/// With `--corrected`: the fixed loss, digits scaled to [0, 1], Xavier weights, and
/// `Adam(brnn.parameters(), lr=0.01)` for 2000 epochs; the batch of 5000 holds all 3750 training
/// rows, so every epoch is one full-batch step, as in the PyTorch runs that reach 100% accuracy.
public func trainBRNNCell(_ options: ChapterOptions,
                          _ output: Output) throws -> (task: DigitTask, brnn: BRNN, losses: [[Float]]) {
    let (task, brnn) = bidirectionalExperiment(options)
    let (datasetTrain, _) = bidirectionalLoaders(task, seed: options.seed)
    if options.corrected {
        let optimizer = Adam(brnn.parameters, learningRate: options.learningRate(0.01))
        let epochs = options.epochs(2000)
        output.line("Adam(lr=\(optimizer.learningRate)), \(epochs) epochs, fixed loss, "
                    + "inputs scaled to [0, 1], Xavier weights")
        let log = output.trainingLog("BRNN", epochs: epochs)
        let losses = trainBRNN(brnn, on: datasetTrain, loss: .fixed, scaledInputs: true,
                               optimizer: optimizer, epochs: epochs,
                               clippingAlpha: 1, onEpoch: log.report)
        log.finish()
        try TrainingDiverged.check(losses, run: "the bidirectional model",
                                   learningRate: optimizer.learningRate, clipped: true)
        return (task, brnn, [losses])
    }
    var losses: [[Float]] = []
    for (i, learningRate) in options.learningRates([0.1, 0.01]).enumerated() {   // 0.1/10**i
        let optimizer = SGD(brnn.parameters, learningRate: learningRate)
        let epochs = options.epochs((i + 1) * 100)
        output.line("round \(i): SGD(lr=\(learningRate)), \(epochs) epochs, notebook loss")
        let log = output.trainingLog("BRNN \(i)", epochs: epochs)
        losses.append(trainBRNN(brnn, on: datasetTrain, loss: .notebook, optimizer: optimizer,
                                epochs: epochs, clippingAlpha: 1, onEpoch: log.report))
        log.finish()
        try TrainingDiverged.check(losses[i], run: "the bidirectional model's round \(i)",
                                   learningRate: learningRate, clipped: true)
    }
    return (task, brnn, losses)
}

// MARK: - The trained models, for the chapters after Chapter05

/// The from-scratch DRNN (its variant from `--corrected`): loaded from the file given with
/// `--checkpoint deep-rnn-scratch=FILE` or from Chapter05-Training's checkpoint, or trained here by
/// ``trainDRNNCell(_:_:)``, without its log, when there is none (or with `retrain`). Prints one
/// line saying which, naming the model `label`. The notebook's model registers only its last
/// layer, so a PyTorch `state_dict` leaves out layer 0: it keeps the seed's initial weights, which
/// the notebook never trains. `usesGivenFile: false` for a second DRNN beside the run's own, which
/// `--checkpoint` does not name.
public func trainedDRNN(_ options: ChapterOptions, _ output: Output,
                        label: String = "from-scratch DRNN", retrain: Bool = false,
                        usesGivenFile: Bool = true, sourceFile: String = #fileID,
                        sourceLine: Int = #line) throws -> (line: NoisyLine, drnn: DRNN) {
    let (line, drnn, _) = deepRNNExperiment(options)
    try SavedModel.scratch.loadOrTrain(into: drnn.namedParameters, optional: drnn.unregisteredTensors,
                                       options, output, label: label, retrain: retrain,
                                       usesGivenFile: usesGivenFile,
                                       sourceFile: sourceFile, sourceLine: sourceLine) {
        try trainDRNNCell($0, $1).drnn.checkpointTensors
    }
    return (line, drnn)
}

/// The concise model, loaded or trained (by ``trainConciseCell(_:_:)``) as
/// ``trainedDRNN(_:_:label:retrain:)`` does.
public func trainedConcise(_ options: ChapterOptions, _ output: Output, label: String = "concise model",
                           retrain: Bool = false, sourceFile: String = #fileID,
                           sourceLine: Int = #line) throws -> ConciseDRNN {
    let concise = conciseModel(options)
    try SavedModel.concise.loadOrTrain(into: concise.namedParameters, options, output,
                                       label: label, retrain: retrain,
                                       sourceFile: sourceFile, sourceLine: sourceLine) {
        try trainConciseCell($0, $1).model.namedParameters
    }
    return concise
}

/// The bidirectional model, loaded or trained (by ``trainBRNNCell(_:_:)``) as
/// ``trainedDRNN(_:_:label:retrain:)`` does.
public func trainedBRNN(_ options: ChapterOptions, _ output: Output,
                        label: String = "bidirectional model", retrain: Bool = false,
                        sourceFile: String = #fileID,
                        sourceLine: Int = #line) throws -> (task: DigitTask, brnn: BRNN) {
    let (task, brnn) = bidirectionalExperiment(options)
    try SavedModel.bidirectional.loadOrTrain(into: brnn.namedParameters, options, output,
                                             label: label, retrain: retrain,
                                             sourceFile: sourceFile, sourceLine: sourceLine) {
        try trainBRNNCell($0, $1).brnn.namedParameters
    }
    return (task, brnn)
}
