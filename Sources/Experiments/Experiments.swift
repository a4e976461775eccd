// The notebooks' experiments as every chapter builds them: the data and the model drawn from one
// generator, the loaders over them, and, for the chapters after Chapter05-Training, its three
// trained models (loaded from its checkpoints, or trained here as Chapter05 trains them).

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

/// Experiment (b): `deep_rnn = nn.Sequential(nn.RNN(1, 8, num_layers=2), OutputLayer(8, 1))`,
/// from a fresh generator.
public func conciseModel(_ options: ChapterOptions) -> ConciseDRNN {
    var generator = options.generator()
    return ConciseDRNN(inputSize: 1, hiddenSize: options.hiddenSize(8), outputSize: 1, numLayers: 2,
                       using: &generator)
}

/// Experiment (b) whole: the same `data` (drawn first from the seed's generator), the concise model
/// from a generator of its own, and the training loader.
public func conciseExperiment(_ options: ChapterOptions) -> (line: NoisyLine, model: ConciseDRNN,
                                                             dataset: DataLoader) {
    var generator = options.generator()
    let line = NoisyLine(count: 200, using: &generator)
    return (line, conciseModel(options), deepRNNLoaders(line, options).dataset)
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

// MARK: - The trained models, for the chapters after Chapter05

/// The from-scratch DRNN (its variant from `--corrected`): loaded from the file given with
/// `--checkpoint deep-rnn-scratch=FILE` or from Chapter05-Training's checkpoint, or trained here by
/// ``trainAsChapter05(_:_:_:)``, without its log, when there is none (or with `retrain`). Prints one
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
        try trainAsChapter05(drnn: $0, $1)
    }
    return (line, drnn)
}

/// The concise model, loaded or trained (by ``trainAsChapter05(_:_:_:)``) as
/// ``trainedDRNN(_:_:label:retrain:)`` does.
public func trainedConcise(_ options: ChapterOptions, _ output: Output, label: String = "concise model",
                           retrain: Bool = false, sourceFile: String = #fileID,
                           sourceLine: Int = #line) throws -> ConciseDRNN {
    let concise = conciseModel(options)
    try SavedModel.concise.loadOrTrain(into: concise.namedParameters, options, output,
                                       label: label, retrain: retrain,
                                       sourceFile: sourceFile, sourceLine: sourceLine) {
        try trainAsChapter05(concise: $0, $1)
    }
    return concise
}

/// The bidirectional model, loaded or trained (by ``trainAsChapter05(_:_:_:)``) as
/// ``trainedDRNN(_:_:label:retrain:)`` does.
public func trainedBRNN(_ options: ChapterOptions, _ output: Output,
                        label: String = "bidirectional model", retrain: Bool = false,
                        sourceFile: String = #fileID,
                        sourceLine: Int = #line) throws -> (task: DigitTask, brnn: BRNN) {
    let (task, brnn) = bidirectionalExperiment(options)
    try SavedModel.bidirectional.loadOrTrain(into: brnn.namedParameters, options, output,
                                             label: label, retrain: retrain,
                                             sourceFile: sourceFile, sourceLine: sourceLine) {
        try trainAsChapter05(brnn: $0, $1)
    }
    return (task, brnn)
}

// MARK: - The deep RNN notebook's process

/// The deep RNN notebook's series, `data = B_0 + B_1*x + Normal(0, 10)` (`B_0, B_1 = 5, 7`), as
/// ``NoisyLine`` draws it by default: its differences are `slope + e(t+1) − e(t)`.
public enum SeriesProcess {
    /// `B_1`, the mean of the differences.
    public static let slope: Float = 7
    /// σ, the noise's standard deviation.
    public static let noise: Float = 10
    /// σ², the least mean squared error of any one-step prediction: the next noise is unknown.
    public static var variance: Double { Double(noise) * Double(noise) }

    /// The least mean squared error of a one-step prediction from `k` past differences:
    /// σ²(1 + 1/(k + 1)).
    public static func optimum(after k: Int) -> Double { variance * (1 + 1 / Double(k + 1)) }
}
