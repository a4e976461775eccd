// The notebooks' settings and the set-up that several chapters share.

import Workbook

/// The deep RNN notebook's settings.
public enum DeepRNNNotebook {
    public static let numData = 200
    public static let sequenceLength = 19
    /// `(num_data − 1) − sequence_len`: every window in one batch.
    public static let batchSize = (numData - 1) - sequenceLength
    public static let numLayers = 2, inputSize = 1, hiddenSize = 8, outputSize = 1
    public static let scratchLearningRate: Float = 1e-4
    public static let scratchEpochs = 5000
    public static let clippingAlpha: Float = 1
    /// `lr=0.03/10**i` for `i` in 0, 1, 2, each for 500 epochs.
    public static let conciseLearningRates: [Float] = [0.03, 0.003, 0.0003]
    public static let conciseEpochs = 500

    /// Experiment (a): the data, then the from-scratch weights, from one generator.
    public static func scratchExperiment(seed options: ChapterOptions, variant: DRNN.Variant) -> (line: NoisyLine, drnn: DRNN) {
        var generator = options.generator()
        let line = NoisyLine(count: numData, using: &generator)
        let drnn = DRNN(numLayers: numLayers, inputSize: inputSize, hiddenSize: options.hiddenSize(hiddenSize),
                        outputSize: outputSize, variant: variant, using: &generator)
        return (line, drnn)
    }

    /// Experiment (b): the concise model's weights, from a fresh generator.
    public static func conciseModel(seed options: ChapterOptions) -> ConciseDRNN {
        var generator = options.generator()
        return ConciseDRNN(inputSize: inputSize, hiddenSize: options.hiddenSize(hiddenSize), outputSize: outputSize,
                           numLayers: numLayers, using: &generator)
    }

    /// The notebook's two loaders over the windows of `data_trans` (`--window-length` long, all in
    /// one batch): shuffled for training, in order for approximation.
    public static func loaders(_ line: NoisyLine, options: ChapterOptions) -> (training: DataLoader, approximation: DataLoader) {
        let (x, y) = slidingWindows(of: line.differences, length: options.windowLength)
        let batchSize = (line.differences.count) - options.windowLength
        return (DataLoader(inputs: x, targets: y, batchSize: batchSize, shuffle: true, seed: UInt64(options.seed)),
                DataLoader(inputs: x, targets: y, batchSize: batchSize, shuffle: false))
    }
}

/// The bidirectional notebook's settings.
public enum BidirectionalNotebook {
    public static let numData = 5000
    /// `int(np.floor(num_data * 0.75))`.
    public static let numTrainingData = 3750
    public static let batchSize = 5000
    public static let inputSize = 1, hiddenSize = 32, outputSize = 1
    /// `lr=0.1/10**i` for `(i+1)*100` epochs, `i` in 0, 1.
    public static let learningRates: [Float] = [0.1, 0.01]
    public static let epochs = [100, 200]
    public static let clippingAlpha: Float = 1

    /// The corrected training (`--corrected`): Adam at lr 0.01 for 2000 epochs, on inputs scaled to
    /// [0, 1], from Xavier weights, with the fixed loss. The batch of 5000 holds all 3750 training
    /// rows, so every epoch is one full-batch step, as in the PyTorch runs that reach 100% accuracy.
    public static let correctedLearningRate: Float = 0.01
    public static let correctedEpochs = 2000

    /// Experiment (c): the digits, then the model's weights, from one generator (`randn` weights as
    /// the notebook draws them, or Xavier weights with `--corrected`).
    public static func experiment(seed options: ChapterOptions) -> (task: DigitTask, brnn: BRNN) {
        var generator = options.generator()
        let task = DigitTask(rows: numData, using: &generator)
        let brnn = BRNN(inputSize: inputSize, hiddenSize: options.hiddenSize(hiddenSize), outputSize: outputSize,
                        initialization: options.corrected ? .xavier : .notebook, using: &generator)
        return (task, brnn)
    }

    /// The first 75% of the rows for training (shuffled), the rest for testing.
    public static func loaders(_ task: DigitTask, seed: Int) -> (training: DataLoader, test: DataLoader) {
        let train = 0..<numTrainingData, test = numTrainingData..<numData
        return (DataLoader(inputs: task.digits.narrowed(along: 0, to: train), targets: task.labels.narrowed(along: 0, to: train),
                           batchSize: batchSize, shuffle: true, seed: UInt64(seed)),
                DataLoader(inputs: task.digits.narrowed(along: 0, to: test), targets: task.labels.narrowed(along: 0, to: test),
                           batchSize: batchSize, shuffle: false))
    }
}
