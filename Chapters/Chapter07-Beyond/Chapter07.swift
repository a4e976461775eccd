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
//: @Fold(The program: its options, and the sections in order; each section's runs, tables and figures are in a file of its own, linked below)
import ArgumentParser
import AtomicFiles
import ChapterSupport
import Experiments
import Figures
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
        let seeds = 0..<5, figureSeed = options.seed % 5

        //: ## The bidirectional model, one fix at a time
        //: Every run starts from the notebook's experiment for its seed (the digits, then the
        //: weights) and trains on the 3750 training rows in one batch per epoch for the notebook's
        //: 300 epochs: SGD at lr 0.1 for 100 epochs then 0.01 for 200, or Adam at lr 0.01, always with
        //: the notebook's clipping. The accuracy counts a prediction as 1 when it is at least 0.5.
        //: @Code(Chapters/Chapter07-Beyond/Ablation.swift, BidirectionalRecipe)
        //: @Code(Chapters/Chapter07-Beyond/BidirectionalTrainingLoops.swift, train)
        //:
        //: The runs, the table and the figure: `runAblation` in
        //: [`Ablation.swift`](../Chapters/Chapter07-Beyond/Ablation.swift).
        output.heading("Test accuracy on the 1250 test rows, seeds 0-4, "
                       + "after \(BidirectionalRecipe.epochs(options)) epochs")
        let rows = try BidirectionalRecipe.runAblation(seeds: seeds, figureSeed: figureSeed, options, output)
        let allFour = rows[rows.count - 1]                 // the last row: every fix

        //: What each fix does. The loss fix alone changes little (mean accuracy
        //: {{ablation.loss_fixed.test_accuracy|mean|%}}): the raw digits and `randn` weights still blow
        //: the first updates up (to {{Chapter05: bidirectional_rnn.losses_per_epoch|max}} in Chapter 05's run),
        //: and clipping tensor by tensor leaves the model near the base rate. Scaling the inputs stops the
        //: blow-up but, from `randn` weights whose products are in the tens, SGD still cannot leave the base
        //: rate (a mean accuracy of {{ablation.inputs_scaled.test_accuracy|mean|%}} over the five seeds, each with its own base rate). Xavier's weights start every unit in its
        //: working range, and plain SGD climbs to {{ablation.xavier.test_accuracy|mean|%}} on average. Adam,
        //: which scales each weight's step by its own gradient history, reaches
        //: {{ablation.adam.test_accuracy|min|%}} on its worst seed.
        //:
        //: ## The standard bidirectional RNN
        //: `ConciseBRNN` is `nn.RNN(1, 32, bidirectional=True)` followed by `nn.Linear(64, 1)` on the
        //: two final states, with PyTorch's own initialisation. It is trained as the last row above:
        //: the fixed loss, the six digits scaled to [0, 1], Adam at lr 0.01, the notebook's clipping.
        //: @Code(Sources/Workbook/ConciseBRNN.swift, ConciseBRNN)
        //: @Code(Chapters/Chapter07-Beyond/BidirectionalTrainingLoops.swift, trainStandard)
        output.heading("The notebook's two halves against nn.RNN(bidirectional=True): "
                       + "test accuracy, seeds 0-4")
        _ = try BidirectionalRecipe.compareWithStandard(allFour, seeds: seeds, figureSeed: figureSeed,
                                                        options, output)

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
        //: @Code(Chapters/Chapter07-Beyond/FreshSeries.swift, FreshSeries)
        //:
        //: The notebook's three deep RNNs as Chapter 05 trains them (from its checkpoints when
        //: they are there), scored on the windows they were trained on and on every window of the
        //: fresh series. The error is the notebook's loss: the mean over the window's positions.
        let fresh = FreshSeries(seed: options.seed, windowLength: options.windowLength)
        output.heading("One-step error of the notebook's models: "
                       + "training windows against a fresh 2000-point series")
        let notebookErrors = try scoreNotebookModels(on: fresh, options, output)

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
        //: @Code(Chapters/Chapter07-Beyond/ClosingTheGap.swift, study)
        //:
        //: Each run (`train` and `fit`), the table and the figures: `DeepRNNRecipe` in
        //: [`ClosingTheGap.swift`](../Chapters/Chapter07-Beyond/ClosingTheGap.swift).
        output.heading("Fresh-series error after \(DeepRNNRecipe.budget(options)) "
                       + "(concise nn.RNN / corrected DRNN; optimum \(format(fresh.optimum.mean)))")
        let bestErrors = try DeepRNNRecipe.runStudy(on: fresh, notebookErrors: notebookErrors, options, output)

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
        //: `--csv FILE` is read by `readSeries`, in
        //: [`Sources/ChapterSupport/SeriesFile.swift`](../Sources/ChapterSupport/SeriesFile.swift)
        //: (one number per line, or a column of a CSV file, read as a stream with limits); the
        //: models are trained and drawn by `ownSeries`, in
        //: [`OwnSeries.swift`](../Chapters/Chapter07-Beyond/OwnSeries.swift).
        output.heading("Your own series")
        printHowToRunOnYourSeries(output)
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

 ## Try it

 - `swift run Chapter07-Beyond --epochs 20`: every run shortened to 20 epochs, in seconds; the
   ablation's rows stay near the base rate.
 - `swift run Chapter07-Beyond --hidden-size 16`: wider models in every study, the same fresh series.
 - `swift run Chapter07-Beyond --csv FILE --column NAME`: the deep RNNs on a series of yours.
 - To edit: the ablation's rows are `static let ablation = [` in
   `Chapters/Chapter07-Beyond/Ablation.swift` (exercise 1 adds one); the deep RNN study's settings
   are the line `static let learningRate: Float = 0.003, batchSize = 180, steps = 2000` in
   `Chapters/Chapter07-Beyond/ClosingTheGap.swift`.

 ## Exercises

 1. Add a row to the ablation that uses Adam without Xavier's weights. Which of the two matters more?
 2. Train the concise model on 4000 points with the notebook's SGD schedule instead of Adam. Does
    more data alone close the gap?
 3. The best one-step error at position k is σ²(1 + 1/(k + 1)). Derive it: the differences are
    `7 + e(t+1) − e(t)`; what does the best predictor know about `e(t)` after k differences?
 4. Save a series of your own (a temperature record, a price) and run
    `swift run Chapter07-Beyond --csv FILE`. Do the models beat predicting the mean difference?
 */
