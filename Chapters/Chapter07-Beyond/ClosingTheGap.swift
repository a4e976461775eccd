// What closes the gap between the deep RNNs' training loss and their error on a fresh series:
// the same architectures trained with Adam, with regularisers on the notebook's 200 points, and
// on longer series of the same process.

import ChapterSupport
import Experiments
import Figures
import Workbook

/// One run of the study: a deep RNN trained with Adam on a series of the notebook's process.
struct DeepRNNRecipe {
    /// The two deep RNNs: `nn.RNN` with the output layer, and the corrected from-scratch DRNN.
    enum Kind: String, CaseIterable {
        case concise
        case corrected = "corrected DRNN"

        /// A fresh model, its weights drawn from `torch.manual_seed(seed)`.
        func model(hiddenSize h: Int, seed: Int) -> any SequenceModel {
            var weights = TorchGenerator(seed: UInt64(seed))
            return switch self {
            case .concise: ConciseDRNN(inputSize: 1, hiddenSize: h, outputSize: 1, numLayers: 2,
                                       using: &weights)
            case .corrected: DRNN(numLayers: 2, inputSize: 1, hiddenSize: h, outputSize: 1,
                                  variant: .corrected, using: &weights)
            }
        }
    }

    let name: String
    let key: String
    var points = 200
    /// `nil`: the notebook's 8 (or `--hidden-size`).
    var hiddenSize: Int?
    var weightDecay: Float = 0
    /// Keep the parameters of the epoch with the lowest loss on the series' last quarter, which is not
    /// trained on.
    var earlyStopping = false
    var isDataRun = false

    static let learningRate: Float = 0.003, batchSize = 180, steps = 2000

    static let study = [
        DeepRNNRecipe(name: "the notebook's 200 points", key: "points_200", isDataRun: true),
        DeepRNNRecipe(name: "200 points, early stopping", key: "early_stopping", earlyStopping: true),
        DeepRNNRecipe(name: "200 points, hidden size 2", key: "hidden_2", hiddenSize: 2),
        DeepRNNRecipe(name: "200 points, weight decay 3", key: "weight_decay", weightDecay: 3),
        DeepRNNRecipe(name: "1000 points", key: "points_1000", points: 1000, isDataRun: true),
        DeepRNNRecipe(name: "2000 points", key: "points_2000", points: 2000, isDataRun: true),
        DeepRNNRecipe(name: "4000 points", key: "points_4000", points: 4000, isDataRun: true),
    ]

    /// Where early stopping's held-out part of `count` differences starts: the last quarter, or
    /// less, so that both parts hold a window; `nil` when they cannot (a long `--window-length`).
    static func heldOutStart(_ count: Int, windowLength s: Int) -> Int? {
        let cut = Swift.min(count * 3 / 4, count - (s + 1))
        return cut > s ? cut : nil
    }

    /// "2000 steps", or the epochs `--epochs` asks for.
    static func budget(_ options: ChapterOptions) -> String {
        options.epochs.map { "\($0) epochs" } ?? "\(steps) steps"
    }

    /// Trains a fresh model of `kind` (weights from `torch.manual_seed(seed)`) on `points` points of
    /// the process.
    /// - Returns: the model and its training loss (with early stopping, at the epoch kept).
    func train(_ kind: Kind, seed: Int, _ options: ChapterOptions) -> (any SequenceModel, Float) {
        var generator = TorchGenerator(seed: UInt64(seed))
        let differences = NoisyLine(count: points, using: &generator).differences
        let model = kind.model(hiddenSize: hiddenSize ?? options.hiddenSize(8), seed: seed)
        let s = options.windowLength
        let cut = earlyStopping ? Self.heldOutStart(differences.count, windowLength: s) : nil
        let (x, y) = slidingWindows(
            of: cut.map { differences.narrowed(along: 0, to: 0..<$0) } ?? differences, length: s)
        guard let cut else {
            return (model,
                    Self.fit(model, x, y, seed: seed, weightDecay: weightDecay, options).last ?? .nan)
        }
        let (vx, vy) = slidingWindows(of: differences.narrowed(along: 0, to: cut..<differences.count),
                                      length: s)
        let validation = (x: timeMajorInputs(vx), y: timeMajorTargets(vy))
        var (best, kept, lossKept) = (Float.infinity, [[Float]](), Float.nan)
        Self.fit(model, x, y, seed: seed, weightDecay: weightDecay, options) { loss in
            let held = Tensor.withoutGradients { sequenceLoss(model(validation.x), validation.y).item }
            if held < best { (best, kept, lossKept) = (held, model.parameters.map(\.values), loss) }
        }
        for (p, values) in zip(model.parameters, kept) { p.assign(Tensor(values, shape: p.shape)) }
        return (model, lossKept)
    }

    /// Trains `model` on windows `x` → `y` `(W, T)` with Adam (lr 0.003) on shuffled batches of 180
    /// for about 2000 steps (or `--epochs` epochs), calling `afterEpoch` with each epoch's loss.
    /// - Returns: the loss of every epoch, as
    ///   ``trainDeepRNN(_:on:optimizer:epochs:clippingAlpha:onEpoch:)`` reports it.
    @discardableResult
    static func fit(_ model: some SequenceModel, _ x: Tensor, _ y: Tensor, seed: Int,
                    weightDecay: Float = 0, _ options: ChapterOptions,
                    afterEpoch: (Float) -> Void = { _ in }) -> [Float] {
        let loader = DataLoader(inputs: x, targets: y, batchSize: batchSize, shuffle: true,
                                seed: UInt64(seed))
        let optimizer = Adam(model.parameters, learningRate: learningRate, weightDecay: weightDecay)
        let batches = (x.shape[0] + batchSize - 1) / batchSize
        return trainDeepRNN(model, on: loader, optimizer: optimizer,
                            epochs: options.epochs(Swift.max(1, steps / batches)),
                            clippingAlpha: nil, onEpoch: { afterEpoch($1) })
    }
}

extension DeepRNNRecipe {
    /// Trains every run of ``study`` for both kinds (the runs share the cores), prints the table
    /// and draws the three figures: the notebook's models position by position (`notebookErrors`),
    /// the runs on the most data, and the error against the length of the training series.
    /// Returns the errors by position of each kind trained on the most data, by kind.
    static func runStudy(on fresh: FreshSeries, notebookErrors: [String: [Double]],
                         _ options: ChapterOptions, _ output: Output) throws -> [String: [Double]] {
        let s = options.windowLength
        var dataCurves: [String: [(points: Int, error: Double)]] = [:]
        var bestErrors: [String: [Double]] = [:]
        let kinds = Kind.allCases
        // independent runs, on every core
        let results = parallelMap(study.count * kinds.count) { job in
            let (model, trainingError) = study[job / kinds.count].train(kinds[job % kinds.count],
                                                                        seed: options.seed, options)
            return (trainingError, fresh.positionErrors(model))
        }
        output.line(tableRow(("training series, regulariser", 34))
                    + kinds.map { tableRow(($0 == .concise ? "concise nn.RNN" : "corrected DRNN", 28)) }
                        .joined().trimmingCharacters(in: .whitespaces))
        for (i, recipe) in study.enumerated() {
            var cells: [String] = []
            for (j, kind) in kinds.enumerated() {
                let (trainingError, errors) = results[i * kinds.count + j]
                cells.append("\(format(trainingError)) / \(format(errors.mean)) (\(fresh.gap(errors)))")
                if recipe.isDataRun {
                    dataCurves[kind.rawValue, default: []].append((recipe.points, errors.mean))
                }
                if recipe.points == study.map(\.points).max() { bestErrors[kind.rawValue] = errors }
                output.record("closing_the_gap", recipe.key, kind.rawValue,
                              value: .object([("training", .float(trainingError)),
                                              ("fresh", .float(Float(errors.mean)))]))
            }
            output.line(tableRow((recipe.name, 34))
                        + cells.map { tableRow(($0, 28)) }.joined().trimmingCharacters(in: .whitespaces))
        }
        output.line("(each cell: training loss / fresh-series error (above the optimum))")
        if heldOutStart(200 - 1, windowLength: s) == nil {
            output.line("(with --window-length \(s), 200 points cannot hold out a part "
                        + "with a whole window: the early-stopping row trains on all of them)")
        }

        let positions = (1...s).map(Float.init)
        var notebookModels = Figure(name: "BEYOND_fresh",
                                    xLabel: "position in the window (past differences seen)",
                                    yLabel: "mean squared error on the fresh series")
        notebookModels.keyPosition = "at graph 0.98, graph 0.8 right top"
        notebookModels.xTicStep = s > 10 ? 2 : 1
        notebookModels.addLine(x: positions, y: (notebookErrors["concise nn.RNN"] ?? []).map(Float.init),
                               label: "concise, as the notebook trains it")
        notebookModels.addLine(x: positions,
                               y: (notebookErrors["DRNN from scratch (corrected)"] ?? []).map(Float.init),
                               label: "corrected DRNN, as Chapter 05 trains it")
        notebookModels.addLine(x: positions, y: fresh.optimum.map(Float.init), color: "#000000",
                               label: "the best predictor")
        notebookModels.addHorizontalLine(y: fresh.constantError, label: "predicting 7")
        try output.draw(notebookModels,
                        caption: "the notebook's models on the fresh series, position by position, "
                            + "against the best possible (black).")
        var moreData = Figure(name: "BEYOND_fresh_4000",
                              xLabel: "position in the window (past differences seen)",
                              yLabel: "mean squared error on the fresh series")
        moreData.xTicStep = s > 10 ? 2 : 1
        for kind in Kind.allCases {
            moreData.addLine(x: positions, y: (bestErrors[kind.rawValue] ?? []).map(Float.init),
                             label: "\(kind.rawValue), Adam on \(study.map(\.points).max() ?? 0) points")
        }
        moreData.addLine(x: positions, y: fresh.optimum.map(Float.init), color: "#000000",
                         label: "the best predictor")
        try output.draw(moreData,
                        caption: "the same architectures trained on 4000 points: "
                            + "close to the best possible at every position.")
        var data = Figure(name: "BEYOND_data", xLabel: "points in the training series",
                          yLabel: "fresh-series error")
        for (kind, curve) in dataCurves.sorted(by: { $0.key < $1.key }) {
            data.addLine(x: curve.map { Float($0.points) }, y: curve.map { Float($0.error) }, label: kind)
        }
        data.addHorizontalLine(y: fresh.optimum.mean, color: "#000000", label: "the optimum")
        try output.draw(data,
                        caption: "more data closes the gap: "
                            + "the fresh-series error against the length of the training series.")
        return bestErrors
    }
}
