/*:
 # Chapter 07 — Beyond the notebooks

 The notebooks stop where the interesting part begins. Their bidirectional model answers the base
 rate; their from-scratch deep RNN, its first layer never trained, stays far above any useful
 error; and nothing says whether the concise model's good-looking fit would hold on data it has
 not seen. This chapter answers with measurements.

 **The bidirectional model, one fix at a time.** Chapter 05's `--corrected` run applies four fixes
 at once. Here they are added one by one to the notebook's training — its 300 epochs, its
 clipping — and each step is measured on the notebook's 1250 test rows for seeds 0 to 4. Then the
 notebook's design (two RNNs, each reading half of the row, their outputs multiplied) is set
 beside the standard bidirectional RNN, `nn.RNN(bidirectional=True)`: two RNNs that both read all
 six digits, one forwards and one backwards, their final states concatenated into a linear layer.

 **The deep RNN: fit or memorisation?** The series is `5 + 7x + e` with noise `e` drawn from
 $N(0, \sigma^2)$, $\sigma = 10$, so its differences are `7 + e(t+1) − e(t)`. From $k$ past
 differences, the best possible one-step prediction still has a mean squared error of
 $\sigma^2 (1 + 1/(k + 1))$: {{fresh_series.optimum_by_position.0}} after one difference,
 {{fresh_series.optimum_by_position.-1}} after 19, {{fresh_series.optimum}} averaged over the 19
 positions of a window; predicting the mean 7 scores $2\sigma^2$ in expectation
 ({{fresh_series.predicting_seven}} on the fresh series below). The notebook's loss averages over the
 same 19 positions, so {{fresh_series.optimum}} is the floor of an honest model, and a training loss
 below it is a sign of memorisation. The only way to tell is a fresh series of the same process:
 here 2000 new points, drawn with the seed plus 1000.

 **Your own series.** `swift run Chapter07-Beyond --csv FILE` trains the deep RNNs on a series of
 yours (one number per line, or a column of a CSV file with `--column NAME`) and draws the same
 figures.

 The chapter trains about fifty models. The runs are independent, so they share the machine's
 cores (`parallelMap`), with the same results as one after the other; on two cores it takes
 under a minute, the longest chapter of the workbook. `--epochs N` shortens every run to N epochs.
 */
import ArgumentParser
import AtomicFiles
import ChapterSupport
import Figures
import Experiments
import Workbook

@main
struct BeyondChapter: Chapter {
    static let configuration = chapter(
        "Chapter07-Beyond",
        abstract: "What it takes for the notebooks' models to really learn: the bidirectional fixes "
            + "one at a time, fit against memorisation for the deep RNN, and your own series.")

    // This chapter has no --corrected variant: it measures the notebooks' code and its
    // corrections side by side.
    @OptionGroup var common: CommonOptions         // --seed, --quiet, --json
    @OptionGroup var model: ModelOptions           // --hidden-size, --window-length
    @OptionGroup var training: TrainingOptions     // --epochs, --learning-rate
    @OptionGroup var figures: FigureOptions        // --plots-dir, --no-render, --plots-in-terminal
    @OptionGroup var loading: CheckpointOptions    // --checkpoints-dir, --checkpoint
    @OptionGroup var series: SeriesFileOptions     // --csv, --column
    var options: ChapterOptions { ChapterOptions(common, model, training, figures, loading) }

    func run(_ output: Output) throws {
        if let csv = series.csv { return try ownSeries(csv, output) }
        output.line("Chapter 07 — Beyond the notebooks (seed \(options.seed))")

        //: ## The bidirectional model, one fix at a time
        //: Every run starts from the notebook's experiment for its seed (the digits, then the
        //: weights) and trains on the 3750 training rows in one batch per epoch for the notebook's
        //: 300 epochs: SGD at lr 0.1 for 100 epochs then 0.01 for 200, or Adam at lr 0.01, always with
        //: the notebook's clipping. The accuracy counts a prediction as 1 when it is at least 0.5.
        let seeds = 0..<5
        output.heading("Test accuracy on the 1250 test rows, seeds 0-4, "
                       + "after \(BidirectionalRecipe.epochs(options)) epochs")
        output.line("recipe".padding(toLength: 20, withPad: " ", startingAt: 0)
                    + seeds.map { "seed \($0)".leftPadded(to: 9) }.joined()
                    + "    test MSE, mean of seeds")
        var curves: [(String, [Float])] = []
        // The 25 runs (5 recipes × 5 seeds) are independent: they share the cores, with the results
        // a loop over them gives.
        let figureSeed = options.seed % 5
        let jobs = BidirectionalRecipe.ablation.flatMap { recipe in
            seeds.map { seed in (recipe, seed) }
        }
        let allRuns = parallelMap(jobs.count) { i in
            jobs[i].0.train(seed: jobs[i].1, options, accuracyPerEpoch: jobs[i].1 == figureSeed)
        }
        for (i, recipe) in BidirectionalRecipe.ablation.enumerated() {
            // this recipe, seeds 0-4
            let runs = Array(allRuns[(i * seeds.count)..<((i + 1) * seeds.count)])
            output.line(recipe.name.padding(toLength: 20, withPad: " ", startingAt: 0)
                        + runs.map { String(format: "%8.2f%%", 100 * $0.accuracy) }.joined()
                        + "    "
                        + "\(format(runs.map { Double($0.loss) }.reduce(0, +) / Double(runs.count)))")
            output.record("ablation", recipe.key, "test_accuracy", value: .floats(runs.map(\.accuracy)))
            output.record("ablation", recipe.key, "test_mse", value: .floats(runs.map(\.loss)))
            curves.append((recipe.name, runs[figureSeed].accuracies))
        }
        let allFour = Array(allRuns.suffix(seeds.count))                 // the last row: every fix
        try output.draw(accuracyFigure("BEYOND_ablation", curves),
                        caption: "test accuracy after each epoch, seed \(options.seed % 5), "
                            + "for each step of the ablation.")

        //: What each fix does. The loss fix alone changes little (mean accuracy
        //: {{ablation.loss_fixed.test_accuracy|mean|%}}): the raw digits and `randn` weights still blow
        //: the first updates up (to {{Chapter05: bidirectional_rnn.losses_per_epoch|max}} in Chapter 05's run),
        //: and clipping tensor by tensor leaves the model near the base rate. Scaling the inputs stops the
        //: blow-up but, from `randn` weights whose products are in the tens, SGD still cannot leave the base
        //: rate ({{ablation.inputs_scaled.test_accuracy|mean|%}}). Xavier's weights start every unit in its
        //: working range, and plain SGD climbs to {{ablation.xavier.test_accuracy|mean|%}} on average. Adam,
        //: which scales each weight's step by its own gradient history, reaches
        //: {{ablation.adam.test_accuracy|min|%}} on its worst seed.
        //:
        //: ## The standard bidirectional RNN
        //: `ConciseBRNN` is `nn.RNN(1, 32, bidirectional=True)` followed by `nn.Linear(64, 1)` on the
        //: two final states, with PyTorch's own initialisation. It is trained as the last row above:
        //: the fixed loss, the six digits scaled to [0, 1], Adam at lr 0.01, the notebook's clipping.
        //: @Code(Sources/Workbook/ConciseBRNN.swift, ConciseBRNN)
        output.heading("The notebook's two halves against nn.RNN(bidirectional=True): "
                       + "test accuracy, seeds 0-4")
        let standard = parallelMap(seeds.count) {
            BidirectionalRecipe.trainStandard(seed: $0, options, accuracyPerEpoch: $0 == figureSeed)
        }
        for (name, parameters, runs) in [
            ("two halves (BRNN), four fixes",
             BidirectionalRecipe.parameterCount(twoHalves: true, options), allFour),
            ("nn.RNN(bidirectional=True)",
             BidirectionalRecipe.parameterCount(twoHalves: false, options), standard)] {
            let firstPerfect = runs[figureSeed].accuracies.firstIndex(of: 1).map { "epoch \($0 + 1)" }
                ?? "never"
            output.line(name.padding(toLength: 30, withPad: " ", startingAt: 0)
                        + runs.map { String(format: "%8.2f%%", 100 * $0.accuracy) }.joined()
                        + "   \(parameters) parameters; "
                        + "seed \(figureSeed) first at 100%: \(firstPerfect)")
        }
        output.record("standard_bidirectional", "test_accuracy",
                      value: .floats(standard.map(\.accuracy)))
        output.record("standard_bidirectional", "test_mse", value: .floats(standard.map(\.loss)))
        try output.draw(accuracyFigure("BEYOND_standard",
                                       [("two halves (the notebook's design, four fixes)",
                                         allFour[figureSeed].accuracies),
                                        ("nn.RNN(bidirectional=True) + Linear",
                                         standard[figureSeed].accuracies)]),
                        caption: "test accuracy after each epoch, seed \(figureSeed): "
                            + "the notebook's two-halves design and the standard bidirectional RNN, "
                            + "trained alike.")

        //: The notebook's design is told the task's structure: each half sees only the digits it
        //: needs, and the product is an AND. The standard model has to find out which three digits
        //: matter in each direction. It gets there, but later, and at lr 0.01 Adam's steps keep
        //: knocking it off its best answer now and then. PyTorch {{pytorch: beyond_bidirectional_pytorch.torch_version}}, with
        //: the same recipe (`scripts/beyond_bidirectional_pytorch.py`), gives
        //: {{pytorch: beyond_bidirectional_pytorch.test_accuracy.two_halves|min|%}} on the worst of seeds 0–4 for
        //: the two halves, and from {{pytorch: beyond_bidirectional_pytorch.test_accuracy.standard|min|%}} to
        //: {{pytorch: beyond_bidirectional_pytorch.test_accuracy.standard|max|%}} for the standard model.
        //:
        //: ## The deep RNN: the notebook's models on a fresh series
        //: The notebook's three deep RNNs as Chapter 05 trains them (from its checkpoints when
        //: they are there), scored on the windows they were trained on and on every window of the
        //: fresh series. The error is the notebook's loss: the mean over the window's positions.
        let s = options.windowLength
        let fresh = FreshSeries(seed: options.seed, windowLength: s)
        output.heading("One-step error of the notebook's models: "
                       + "training windows against a fresh 2000-point series")
        var corrected = options
        corrected.corrected = true
        let (line, faithfulDRNN) = try trainedDRNN(options, output,
                                                   label: "from-scratch DRNN (notebook)")
        // --checkpoint deep-rnn-scratch=FILE names the notebook's DRNN, the run's own variant.
        let correctedDRNN = try trainedDRNN(corrected, output, label: "from-scratch DRNN (corrected)",
                                            usesGivenFile: false).drnn
        let concise = try trainedConcise(options, output, label: "concise model (nn.RNN)")
        let (windows, targets) = slidingWindows(of: line.differences, length: s)
        let training = (x: timeMajorInputs(windows), y: timeMajorTargets(targets))
        output.line("model".padding(toLength: 32, withPad: " ", startingAt: 0)
                    + "training windows   fresh series   above the optimum")
        var notebookErrors: [String: [Double]] = [:]
        for (name, model) in [("DRNN from scratch (notebook)", faithfulDRNN as any SequenceModel),
                              ("DRNN from scratch (corrected)", correctedDRNN),
                              ("concise nn.RNN", concise)] {
            let trainingError = Tensor.withoutGradients {
                sequenceLoss(model(training.x), training.y).item
            }
            let errors = fresh.positionErrors(model)
            notebookErrors[name] = errors
            output.line(name.padding(toLength: 32, withPad: " ", startingAt: 0)
                        + format(trainingError).leftPadded(to: 16)
                        + format(errors.mean).leftPadded(to: 15) + fresh.gap(errors).leftPadded(to: 20))
            output.record("fresh_series", name,
                          value: .object([("training", .float(trainingError)),
                                          ("fresh", .float(Float(errors.mean)))]))
            if model === concise {
                output.record("fresh_series", "concise",
                              value: .object([("training", .float(trainingError)),
                                              ("fresh", .float(Float(errors.mean)))]))
            }
        }
        output.record("fresh_series", "predicting_seven", value: .number(fresh.constantError))
        output.record("fresh_series", "optimum", value: .number(fresh.optimum.mean))
        output.record("fresh_series", "optimum_by_position",
                      value: .array(fresh.optimum.map(JSON.number)))
        // A squared Gaussian error of variance v has standard deviation √2 v: the standard error of a
        // position's mean over the fresh windows, at the position with the largest optimum.
        let freshWindows = fresh.windows.x.shape[1]
        output.record("fresh_series", "windows", value: .number(Double(freshWindows)))
        output.record("fresh_series", "position_standard_error",
                      value: .number(2.0.squareRoot() * (fresh.optimum.max() ?? 0)
                                     / Double(freshWindows).squareRoot()))
        output.record("parameters", "concise",
                      value: .number(Double(concise.parameters.reduce(0) { $0 + $1.count })))
        output.record("parameters", "corrected_drnn",
                      value: .number(Double(correctedDRNN.parameters.reduce(0) { $0 + $1.count })))
        output.line("predicting 7 every time".padding(toLength: 32, withPad: " ", startingAt: 0)
                    + "".leftPadded(to: 16)
                    + format(fresh.constantError).leftPadded(to: 15))
        output.line("the best possible predictor".padding(toLength: 32, withPad: " ", startingAt: 0)
                    + "".leftPadded(to: 16)
                    + format(fresh.optimum.mean).leftPadded(to: 15))

        //: The concise model's error on its own windows is near the optimum; on the fresh series it is
        //: far above it — what it learnt from 200 points was partly those points. The notebook's
        //: from-scratch model is no predictor at all; the corrected one, trained by SGD at lr 0.0001, fits
        //: its windows less closely and loses less on the fresh series.
        //:
        //: ## What closes the gap
        //: Each model is trained again with Adam (lr 0.003) on shuffled batches of 180 windows for
        //: 2000 steps — every run gets the same number of updates — and scored on the same fresh
        //: series. The regularisers are tried on the notebook's 200 points: early stopping keeps the
        //: epoch with the lowest loss on the series' last quarter, held out from training; weight decay
        //: is Adam's L2 penalty with λ = 3, the best of a grid from 0.1 to 30 tried on seed 0. More data
        //: means longer series of the same process (drawn from the same seed, so the first run's
        //: series is the notebook's own).
        output.heading("Fresh-series error after \(DeepRNNRecipe.budget(options)) "
                       + "(concise nn.RNN / corrected DRNN; optimum \(format(fresh.optimum.mean)))")
        var dataCurves: [String: [(points: Int, error: Double)]] = [:]
        var bestErrors: [String: [Double]] = [:]
        let study = DeepRNNRecipe.study, kinds = DeepRNNRecipe.Kind.allCases
        // independent runs, on every core
        let results = parallelMap(study.count * kinds.count) { job in
            let (model, trainingError) = study[job / kinds.count].train(kinds[job % kinds.count],
                                                                        seed: options.seed, options)
            return (trainingError, fresh.positionErrors(model))
        }
        output.line("training series, regulariser".padding(toLength: 34, withPad: " ", startingAt: 0)
                    + kinds.map { ($0 == .concise ? "concise nn.RNN" : "corrected DRNN")
                                      .padding(toLength: 28, withPad: " ", startingAt: 0) }
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
            output.line(recipe.name.padding(toLength: 34, withPad: " ", startingAt: 0)
                        + cells.map { $0.padding(toLength: 28, withPad: " ", startingAt: 0) }.joined()
                            .trimmingCharacters(in: .whitespaces))
        }
        output.line("(each cell: training loss / fresh-series error (above the optimum))")
        if DeepRNNRecipe.heldOutStart(200 - 1, windowLength: s) == nil {
            output.line("(with --window-length \(s), 200 points cannot hold out a part "
                        + "with a whole window: the early-stopping row trains on all of them)")
        }

        let positions = (1...s).map(Float.init)
        var notebookModels = Figure(name: "BEYOND_fresh",
                                    xLabel: "position in the window (past differences seen)",
                                    yLabel: "mean squared error on the fresh series")
        notebookModels.keyPosition = "at graph 0.98, graph 0.8 right top"
        notebookModels.addLine(x: positions,
                               y: (notebookErrors["concise nn.RNN"] ?? []).map(Float.init),
                               label: "concise, as the notebook trains it")
        notebookModels.addLine(x: positions,
                               y: (notebookErrors["DRNN from scratch (corrected)"] ?? [])
                                   .map(Float.init),
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
        for kind in DeepRNNRecipe.Kind.allCases {
            moreData.addLine(x: positions, y: (bestErrors[kind.rawValue] ?? []).map(Float.init),
                             label: "\(kind.rawValue), "
                                 + "Adam on \(DeepRNNRecipe.study.map(\.points).max() ?? 0) points")
        }
        moreData.addLine(x: positions, y: fresh.optimum.map(Float.init), color: "#000000",
                         label: "the best predictor")
        try output.draw(moreData,
                        caption: "the same architectures trained on 4000 points: "
                            + "close to the best possible at every position.")
        var data = Figure(name: "BEYOND_data", xLabel: "points in the training series",
                          yLabel: "fresh-series error")
        for (kind, curve) in dataCurves.sorted(by: { $0.key < $1.key }) {
            data.addLine(x: curve.map { Float($0.points) }, y: curve.map { Float($0.error) },
                         label: kind)
        }
        data.addHorizontalLine(y: fresh.optimum.mean, color: "#000000", label: "the optimum")
        try output.draw(data,
                        caption: "more data closes the gap: "
                            + "the fresh-series error against the length of the training series.")

        //: Why 200 points are not enough. The best predictor weighs the past differences with
        //: coefficients that depend on each position: about 19 numbers to estimate, from 199 noisy
        //: differences, by a model with {{parameters.concise}} (concise) or {{parameters.corrected_drnn}}
        //: (from scratch, corrected) parameters. Adam fits those 199 values far better than any honest
        //: predictor could (a training loss of {{closing_the_gap.points_200.concise.training}} for the
        //: concise model, against the optimum's {{fresh_series.optimum}}), and early stopping, weight
        //: decay or a smaller model only trade some of that memorisation for bias. With 4000 points the
        //: same architecture cannot memorise: training and fresh errors meet near the optimum
        //: ({{closing_the_gap.points_4000.concise.fresh}} for the concise model). What is left is at the
        //: end of the window, where the models use less of the past than the best predictor does. (The
        //: fresh series is finite too: an error measured on its {{fresh_series.windows}} windows has a
        //: standard error of up to {{fresh_series.position_standard_error}} at a position, so a curve
        //: can dip below the optimum at one position by chance.)
        //:
        //: ## Your own series
        output.heading("Your own series")
        output.line("Run `swift run Chapter07-Beyond --csv FILE` (one number per line) "
                    + "or `--csv FILE --column NAME` (a CSV")
        output.line("file with a header line) to train both deep RNNs on it, "
                    + "test them on its last quarter and draw figures")
        output.line("CSV_fig1 to CSV_fig4.")
        output.summary("Summary: with the four fixes the bidirectional model reaches "
                       + "\(allFour.map { format(100 * $0.accuracy) + "%" }.joined(separator: ", ")) "
                       + "test accuracy (seeds 0-4); "
                       + "on a fresh series the notebook's concise model scores "
                       + "\(format(notebookErrors["concise nn.RNN"]?.mean ?? .nan)) "
                       + "against an optimum of \(format(fresh.optimum.mean)), "
                       + "and \(format(bestErrors["concise"]?.mean ?? .nan)) "
                       + "when trained on more data.")
    }
}

//: ## How the runs are made
//: The ablation's rows and their training loop, the standard model's, the fresh series and the
//: deep RNN study's runs.

extension BeyondChapter {
    /// A figure of test accuracies (in %) per epoch.
    func accuracyFigure(_ name: String, _ curves: [(String, [Float])]) -> Figure {
        var figure = Figure(name: name, xLabel: "epoch", yLabel: "test accuracy (%)")
        figure.keyPosition = "bottom right"
        for (label, accuracies) in curves {
            figure.addLine(x: accuracies.indices.map { Float($0 + 1) }, y: accuracies.map { 100 * $0 },
                           label: label)
        }
        return figure
    }
}

/// One row of the ablation: the notebook's bidirectional training with some of the four fixes.
struct BidirectionalRecipe {
    let name: String
    let key: String
    let loss: BidirectionalLoss
    let scaledInputs: Bool
    let initialization: BRNN.Initialization
    let adam: Bool

    /// Each row adds one fix to the row above it.
    static let ablation = [
        BidirectionalRecipe(name: "the notebook", key: "notebook", loss: .notebook, scaledInputs: false,
                            initialization: .notebook, adam: false),
        BidirectionalRecipe(name: "+ loss fixed", key: "loss_fixed", loss: .fixed, scaledInputs: false,
                            initialization: .notebook, adam: false),
        BidirectionalRecipe(name: "+ inputs scaled", key: "inputs_scaled", loss: .fixed,
                            scaledInputs: true, initialization: .notebook, adam: false),
        BidirectionalRecipe(name: "+ Xavier weights", key: "xavier", loss: .fixed, scaledInputs: true,
                            initialization: .xavier, adam: false),
        BidirectionalRecipe(name: "+ Adam (all four)", key: "adam", loss: .fixed, scaledInputs: true,
                            initialization: .xavier, adam: true),
    ]

    /// The notebook's 300 epochs (100 + 200), unless `--epochs` sets each round's count.
    static func epochs(_ options: ChapterOptions) -> Int { [100, 200].map(options.epochs).reduce(0, +) }

    /// The test accuracy and test MSE at the end, and the accuracy after each epoch when asked.
    struct Run {
        var accuracies: [Float] = []
        var accuracy: Float = 0
        var loss: Float = 0
    }

    /// Trains the notebook's experiment for `seed` with this recipe. The loop is the notebook's
    /// `trainBRNN` without the loss it prints.
    func train(seed: Int, _ options: ChapterOptions, accuracyPerEpoch: Bool) -> Run {
        var generator = TorchGenerator(seed: UInt64(seed))
        let task = DigitTask(rows: 5000, using: &generator)
        let brnn = BRNN(inputSize: 1, hiddenSize: options.hiddenSize(32), outputSize: 1,
                        initialization: initialization, using: &generator)
        let (trainingRows, testRows) = bidirectionalLoaders(task, seed: seed)
        let rounds: [(optimizer: any Optimizer, epochs: Int)] = adam
            ? [(Adam(brnn.parameters, learningRate: 0.01), Self.epochs(options))]
            : zip([0.1, 0.01], [100, 200]).map {   // 0.1/10**i, (i+1)*100
                (SGD(brnn.parameters, learningRate: $0), options.epochs($1))
            }
        var run = Run()
        for (optimizer, epochs) in rounds {
            for _ in 0..<epochs {
                for (digits, labels) in trainingRows.epoch() {
                    let (forward, backward) = bidirectionalInputs(digits, scaled: scaledInputs)
                    loss(brnn(forward, backward), labels).backward()
                    clipGradientsPerParameter(brnn.parameters, alpha: 1)
                    optimizer.step()
                    optimizer.zeroGrad()
                }
                if accuracyPerEpoch {
                    run.accuracies.append(testBRNN(brnn, on: testRows, loss: .fixed,
                                                   scaledInputs: scaledInputs).accuracy)
                }
            }
        }
        (run.loss, run.accuracy) = testBRNN(brnn, on: testRows, loss: .fixed,
                                            scaledInputs: scaledInputs)
        return run
    }
}

extension BidirectionalRecipe {
    /// Trains `ConciseBRNN` on the notebook's experiment for `seed` (the digits, then the weights)
    /// with the four fixes: the fixed loss, inputs scaled, Adam at lr 0.01, the notebook's clipping.
    static func trainStandard(seed: Int, _ options: ChapterOptions, accuracyPerEpoch: Bool) -> Run {
        var generator = TorchGenerator(seed: UInt64(seed))
        let task = DigitTask(rows: 5000, using: &generator)
        let model = ConciseBRNN(hiddenSize: options.hiddenSize(32), using: &generator)
        let (trainingRows, testRows) = bidirectionalLoaders(task, seed: seed)
        let optimizer = Adam(model.parameters, learningRate: 0.01)
        // (6, 1250, 1), (1250)
        let (testInputs, labels) = (timeMajorInputs(testRows.inputs / 9), testRows.targets)
        func test() -> (loss: Float, accuracy: Float) {
            // (1250, 1)
            let prediction = Tensor.withoutGradients { model(testInputs).detached() }
            let correct = zip(prediction.values, labels.values)
                .filter { ($0 >= 0.5 ? 1 : 0) == $1 }.count
            return (meanSquaredError(prediction.flattened(), labels).item,
                    Float(correct) / Float(labels.count))
        }
        var run = Run()
        for _ in 0..<epochs(options) {
            for (digits, labels) in trainingRows.epoch() {
                // all six digits, (6, N, 1)
                meanSquaredError(model(timeMajorInputs(digits / 9)).flattened(), labels).backward()
                clipGradientsPerParameter(model.parameters, alpha: 1)
                optimizer.step()
                optimizer.zeroGrad()
            }
            if accuracyPerEpoch { run.accuracies.append(test().accuracy) }
        }
        (run.loss, run.accuracy) = test()
        return run
    }

    /// The number of trained values of each design.
    static func parameterCount(twoHalves: Bool, _ options: ChapterOptions) -> Int {
        var generator = TorchGenerator(seed: 0)
        let h = options.hiddenSize(32)
        let model: any Module = twoHalves
            ? BRNN(inputSize: 1, hiddenSize: h, outputSize: 1, using: &generator)
            : ConciseBRNN(hiddenSize: h, using: &generator)
        return model.parameters.map(\.count).reduce(0, +)
    }
}

/// A fresh series of the deep RNN notebook's process, and the best one-step error possible on it.
struct FreshSeries {
    let windows: (x: Tensor, y: Tensor)
    /// σ²(1 + 1/(k + 1)) at position k = 1 … T of the window.
    let optimum: [Double]
    /// Predicting the mean difference, 7, at every step.
    let constantError: Double

    /// 2000 points drawn as the notebook draws its 200, from `torch.manual_seed(seed + 1000)`.
    init(seed: Int, windowLength: Int, count: Int = 2000) {
        var generator = TorchGenerator(seed: UInt64(seed) + 1000)
        let line = NoisyLine(count: count, using: &generator)
        let (inputs, targets) = slidingWindows(of: line.differences, length: windowLength)
        windows = (timeMajorInputs(inputs), timeMajorTargets(targets))
        optimum = (1...windowLength).map { 100 * (1 + 1 / Double($0 + 1)) }
        constantError = targets.values.reduce(0.0) { $0 + Double($1 - 7) * Double($1 - 7) }
            / Double(targets.count)
    }

    func positionErrors(_ model: some SequenceModel) -> [Double] {
        oneStepErrors(model, windows.x, windows.y)
    }

    /// How far a mean error is above the optimum, in percent.
    func gap(_ errors: [Double]) -> String {
        let percent = 100 * (errors.mean / optimum.mean - 1)
        return (percent >= 0 ? "+" : "") + format(percent) + "%"
    }
}

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

//: ## Reading and training on your series
//: @Code(Sources/ChapterSupport/SeriesFile.swift, readSeries)

/// `--csv FILE` and `--column NAME`: a learner's own series.
struct SeriesFileOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Train the deep RNNs on your own series instead: one number per line, "
                               + "or a CSV file (RFC 4180: quoted fields, CRLF) with a header line "
                               + "(with --column). Read as a stream: "
                               + "at most \(SeriesFileLimits.values) values, "
                               + "rows of at most \(SeriesFileLimits.rowBytes) bytes, "
                               + "\(SeriesFileLimits.lines) lines."))
    var csv: String?

    @Option(help: "The column of the --csv file to read, by its header name.")
    var column: String?

    func validate() throws {
        if column != nil && csv == nil {
            throw ValidationError("--column needs --csv FILE: it names a column of that file")
        }
    }
}

extension BeyondChapter {
    /// `--csv FILE`: both deep RNNs trained on the first three quarters of a learner's series, tested
    /// on the last quarter, with the notebook's figures.
    func ownSeries(_ file: String, _ output: Output) throws {
        let path = shownPath(file)   // as the lines below show it: escaped, cut
        let s = options.windowLength
        let values = try readSeries(path: file, column: series.column, minimumCount: s + 2)
        let line = NoisyLine(values: values)
        let d = line.differences
        if let j = d.values.firstIndex(where: { !$0.isFinite }) {
            throw SeriesFileError("\(path): the difference of values \(j + 1) and \(j + 2) is too "
                                  + "large for float32; divide the series by a constant")
        }
        output.line("Chapter 07 — Beyond the notebooks: your own series (seed \(options.seed))")
        let cut = d.count * 3 / 4
        let testable = d.count - cut > s && cut > s
        output.line("\(path): \(values.count) values, \(d.count) differences (mean "
                    + "\(format(meanAndStandardDeviation(d.values).mean)), "
                    + "standard deviation \(format(meanAndStandardDeviation(d.values).std)))")
        output.line(testable
                    ? "training on the first \(cut) differences, testing on the last \(d.count - cut)"
                    : "too short to hold out a test part with a window of \(s): "
                      + "training and scoring on all of it")
        var series = Figure(name: "CSV_fig1")
        series.addLine(x: line.x.values, y: values)
        try output.draw(series, caption: "your series.")
        var differences = Figure(name: "CSV_fig2")
        differences.addLine(x: Array(line.x.values.dropLast()), y: d.values)
        try output.draw(differences,
                        caption: "its first differences, what the models read and predict.")

        let trainingPart = testable ? d.narrowed(along: 0, to: 0..<cut) : d
        let testPart = testable ? d.narrowed(along: 0, to: cut..<d.count) : d
        let (tx, ty) = slidingWindows(of: testPart, length: s)
        let test = (x: timeMajorInputs(tx), y: timeMajorTargets(ty))
        let (mean, _) = meanAndStandardDeviation(trainingPart.values)
        let constant = ty.values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) }
            / Double(ty.count)
        var predictions = Figure(name: "CSV_fig3")
        let steps = (0..<tx.shape[0]).map { Float((testable ? cut : 0) + s + $0) }
        predictions.keyPosition = "bottom right"
        predictions.addLine(x: steps, y: (0..<tx.shape[0]).map { ty.values[$0 * s + s - 1] })
        var seriesPredictions = Figure(name: "CSV_fig4")                   // as the notebook's figure 5
        seriesPredictions.keyPosition = "top left"
        seriesPredictions.addLine(x: line.x.values, y: values)
        for kind in DeepRNNRecipe.Kind.allCases {
            let model = kind.model(hiddenSize: options.hiddenSize(8), seed: options.seed)
            let (x, y) = slidingWindows(of: trainingPart, length: s)
            let scale = Float(Swift.max(meanAndStandardDeviation(trainingPart.values).std, 1e-6))
            let losses = DeepRNNRecipe.fit(model, x / scale, y / scale, seed: options.seed, options)
            if let last = losses.last, !last.isFinite {
                throw TrainingDiverged(run: "the \(kind.rawValue) model", epoch: losses.count - 1,
                                       loss: last, learningRate: DeepRNNRecipe.learningRate,
                                       clipped: false)
            }
            // Trained on the series divided by its spread; errors and predictions in the series'
            // own units.
            // Widened before squaring: the square of a spread above about 1.8e19 overflows float32.
            let error = oneStepErrors(model, test.x / scale, test.y / scale).mean
                * (Double(scale) * Double(scale))
            let lastStep = Tensor.withoutGradients { (model(test.x / scale)[s - 1] * scale).detached() }
            let predicted = zip(steps, lastStep.values).map { values[Int($0)] + $1 }
            if let j = predicted.firstIndex(where: { !$0.isFinite }) {
                throw SeriesFileError("\(path): the \(kind.rawValue) model's prediction of value "
                                      + "\(Int(steps[j]) + 2) is too large for float32; "
                                      + "divide the series by a constant")
            }
            output.line("\(kind.rawValue): one-step error on the \(testable ? "test part" : "series") "
                        + "\(format(error)) (predicting the mean difference: \(format(constant)))")
            output.record("csv", kind.rawValue,
                          value: Float(error).isFinite ? .float(Float(error)) : .number(error))
            predictions.addLine(x: steps, y: lastStep.values,
                                color: kind == .concise ? "#ff0000" : "#2ca02c", label: kind.rawValue)
            // Difference j predicted: the value at j + 1 is the value at j plus it.
            seriesPredictions.addLine(x: steps.map { $0 + 1 }, y: predicted,
                                      color: kind == .concise ? "#ff0000" : "#2ca02c",
                                      label: kind.rawValue)
        }
        try output.draw(predictions,
                        caption: "the \(testable ? "test part's" : "series'") differences (blue) and "
                            + "both models' one-step predictions.")
        try output.draw(seriesPredictions,
                        caption: "your series (blue) and its one-step predictions: "
                            + "the last value plus the predicted difference.")
        output.summary("Summary: your series of \(values.count) values; see the one-step errors above "
                       + "against predicting the mean, \(format(constant)).")
    }
}

/// The mean squared error of a model's one-step predictions at each position of the window, over
/// every window: `x` `(T, B, 1)` and `y` `(T, B)` as `XTransform` and `YTransform` make them.
func oneStepErrors(_ model: some SequenceModel, _ x: Tensor, _ y: Tensor) -> [Double] {
    let outputs = Tensor.withoutGradients { model(x).map { $0.detached() } }   // T × (B, 1)
    return outputs.enumerated().map { t, prediction in
        let target = y[t].values
        return zip(prediction.values, target)
            .reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) } / Double(target.count)
    }
}

extension [Double] {
    var mean: Double { reduce(0, +) / Double(Swift.max(count, 1)) }
}

extension String {
    func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}

/*:
 ## Summary

 The bidirectional notebook needs all four fixes, and they do not add up evenly: the loss fix and
 the scaling change almost nothing on their own, Xavier's initialisation turns the base rate into
 {{ablation.xavier.test_accuracy|mean|%}} on average, and Adam turns that into
 {{ablation.adam.test_accuracy|min|%}} on the worst seed tried. The standard bidirectional RNN,
 which has to learn which half of the row matters, gets there too
 ({{standard_bidirectional.test_accuracy|min|%}} on its worst seed), more slowly and less steadily.

 The deep RNN notebook's concise model ends at {{fresh_series.concise.training}} on its own 200
 points, next to the best an honest predictor averages over a window ({{fresh_series.optimum}}); on
 a fresh series of the same process it scores {{fresh_series.concise.fresh}}, no better than
 predicting 7 every time ({{fresh_series.predicting_seven}}): what it learnt was those points more
 than the process. Regularisers help a little; what closes the gap is data: trained on 4000 points,
 the two deep RNNs score {{closing_the_gap.points_4000.concise.fresh}} and
 {{closing_the_gap.points_4000.corrected DRNN.fresh}} on the fresh series, against the optimum's
 {{fresh_series.optimum}}.

 ## Exercises

 1. Add a row to the ablation that uses Adam without Xavier's weights. Which of the two matters more?
 2. Train the concise model on 4000 points with the notebook's SGD schedule instead of Adam. Does
    more data alone close the gap?
 3. The best one-step error at position k is σ²(1 + 1/(k + 1)). Derive it: the differences are
    `7 + e(t+1) − e(t)`; what does the best predictor know about `e(t)` after k differences?
 4. Save a series of your own (a temperature record, a price) and run
    `swift run Chapter07-Beyond --csv FILE`. Do the models beat predicting the mean difference?
 */
