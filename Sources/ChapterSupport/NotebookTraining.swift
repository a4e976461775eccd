// The notebooks' training cells, shared by Chapter05-Training (which shows them) and
// Chapter06-Approximation (which reruns them when no checkpoint is there).

import Workbook

/// The three training runs of the notebooks, with their settings.
public enum NotebookTraining {
    /// `drnn_trained = trainDRNN(drnn, dataset, loss, optimizer, 5000)` with `SGD(lr=0.0001)` and clipping.
    public static func scratch(_ options: ChapterOptions, _ output: Output) throws -> (line: NoisyLine, drnn: DRNN, losses: [Float]) {
        let (line, drnn) = DeepRNNNotebook.scratchExperiment(seed: options, variant: options.corrected ? .corrected : .notebook)
        let (dataset, _) = DeepRNNNotebook.loaders(line, options: options)
        let optimizer = SGD(drnn.parameters, learningRate: options.learningRates([DeepRNNNotebook.scratchLearningRate])[0])
        let epochs = options.epochs(DeepRNNNotebook.scratchEpochs)
        let log = output.trainingLog("DRNN", epochs: epochs)
        let losses = trainDeepRNN(drnn, on: dataset, optimizer: optimizer, epochs: epochs,
                                  clippingAlpha: DeepRNNNotebook.clippingAlpha, onEpoch: log.report)
        log.finish()
        // The notebook's linear recurrence multiplies its state by about 1.8 per step: a long window
        // alone overflows a fresh model, whatever the learning rate.
        let longWindow = !options.corrected && options.windowLength > DeepRNNNotebook.sequenceLength
        try TrainingDiverged.check(losses, run: "the from-scratch DRNN", learningRate: optimizer.learningRate, clipped: true,
                                   cause: longWindow && losses.count == 1
                                       ? "The notebook's linear recurrence can grow about 1.8 times per step, so a window of \(options.windowLength) overflows a fresh model: use a shorter --window-length, or --corrected (tanh)."
                                       : nil)
        return (line, drnn, losses)
    }

    /// `for i in range(3): SGD(lr=0.03/10**i); trainCDEEPRNN(deep_rnn, dataset, loss, optimizer, 500)`: no clipping.
    public static func concise(_ options: ChapterOptions, _ output: Output) throws -> (model: ConciseDRNN, losses: [[Float]]) {
        var generator = options.generator()
        let line = NoisyLine(count: DeepRNNNotebook.numData, using: &generator)
        let (dataset, _) = DeepRNNNotebook.loaders(line, options: options)
        let model = DeepRNNNotebook.conciseModel(seed: options)
        var losses: [[Float]] = []
        for (i, learningRate) in options.learningRates(DeepRNNNotebook.conciseLearningRates).enumerated() {
            let optimizer = SGD(model.parameters, learningRate: learningRate)
            let epochs = options.epochs(DeepRNNNotebook.conciseEpochs)
            output.line("round \(i): SGD(lr=\(learningRate)), \(epochs) epochs")
            let log = output.trainingLog("concise \(i)", epochs: epochs)
            losses.append(trainDeepRNN(model, on: dataset, optimizer: optimizer, epochs: epochs,
                                       clippingAlpha: nil, onEpoch: log.report))
            log.finish()
            try TrainingDiverged.check(losses[i], run: "the concise model's round \(i)", learningRate: learningRate, clipped: false)
        }
        return (model, losses)
    }

    /// `for i in range(2): SGD(lr=0.1/10**i); trainBRNN(brnn, dataset_train, loss, optimizer, (i+1)*100)`;
    /// with `--corrected`, one run of Adam at lr 0.01 for 2000 epochs on scaled inputs and the fixed loss.
    public static func bidirectional(_ options: ChapterOptions, _ output: Output) throws -> (task: DigitTask, brnn: BRNN, losses: [[Float]]) {
        let (task, brnn) = BidirectionalNotebook.experiment(seed: options)
        let (datasetTrain, _) = BidirectionalNotebook.loaders(task, seed: options.seed)
        if options.corrected {
            let optimizer = Adam(brnn.parameters, learningRate: options.learningRates([BidirectionalNotebook.correctedLearningRate])[0])
            let epochs = options.epochs(BidirectionalNotebook.correctedEpochs)
            output.line("Adam(lr=\(optimizer.learningRate)), \(epochs) epochs, fixed loss, inputs scaled to [0, 1], Xavier weights")
            let log = output.trainingLog("BRNN", epochs: epochs)
            let losses = trainBRNN(brnn, on: datasetTrain, loss: .fixed, scaledInputs: true, optimizer: optimizer, epochs: epochs,
                                   clippingAlpha: BidirectionalNotebook.clippingAlpha, onEpoch: log.report)
            log.finish()
            try TrainingDiverged.check(losses, run: "the bidirectional model", learningRate: optimizer.learningRate, clipped: true)
            return (task, brnn, [losses])
        }
        let loss = BidirectionalLoss.notebook
        var losses: [[Float]] = []
        for (i, learningRate) in options.learningRates(BidirectionalNotebook.learningRates).enumerated() {
            let optimizer = SGD(brnn.parameters, learningRate: learningRate)
            let epochs = options.epochs(BidirectionalNotebook.epochs[i])
            output.line("round \(i): SGD(lr=\(learningRate)), \(epochs) epochs, \(loss.rawValue) loss")
            let log = output.trainingLog("BRNN \(i)", epochs: epochs)
            losses.append(trainBRNN(brnn, on: datasetTrain, loss: loss, optimizer: optimizer, epochs: epochs,
                                    clippingAlpha: BidirectionalNotebook.clippingAlpha, onEpoch: log.report))
            log.finish()
            try TrainingDiverged.check(losses[i], run: "the bidirectional model's round \(i)", learningRate: learningRate, clipped: true)
        }
        return (task, brnn, losses)
    }
}

/// A training run whose loss became NaN or infinite: it stopped at that epoch, with the parameters
/// of the epoch before, the last finite ones. Chapters exit with ``ExitCode32/diverged``.
public struct TrainingDiverged: Error, CustomStringConvertible {
    public let run: String
    public let epoch: Int
    public let loss: Float
    public let learningRate: Float
    public let clipped: Bool

    /// Why, when it is known not to be the learning rate.
    public let cause: String?

    public init(run: String, epoch: Int, loss: Float, learningRate: Float, clipped: Bool, cause: String? = nil) {
        (self.run, self.epoch, self.loss, self.learningRate, self.clipped, self.cause) = (run, epoch, loss, learningRate, clipped, cause)
    }

    /// Throws when the last loss of a run is not finite.
    static func check(_ losses: [Float], run: String, learningRate: Float, clipped: Bool, cause: String? = nil) throws {
        guard let last = losses.last, !last.isFinite else { return }
        throw TrainingDiverged(run: run, epoch: losses.count - 1, loss: last, learningRate: learningRate, clipped: clipped, cause: cause)
    }

    public var description: String {
        "\(run) diverged at epoch \(epoch) (loss \(loss.isNaN ? "nan" : "\(loss)")); it stopped there and kept its last finite parameters, and no "
            + "checkpoint was written. "
            + (cause ?? "The learning rate \(learningRate) is likely too large"
                + (clipped ? "" : " for a run without gradient clipping") + ": lower it with --learning-rate.")
    }
}
