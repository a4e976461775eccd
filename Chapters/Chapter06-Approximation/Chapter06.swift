/*:
 # Chapter 06 — Approximation and testing

 `DRNNapproximation` runs a trained deep RNN over the 180 windows in order and keeps, for each, the
 output of its last step: the prediction of the difference that follows the window. Together they
 are a one-step-ahead prediction of the differences from step 19 on (`Y_hat`, 180 values), drawn
 in red over the differences (figures 3 and 4), and, added to the series itself, a one-step-ahead
 prediction of the series (figure 5). The same for the concise model gives figures 6 and 7 — where
 the notebook, by a slip (`CY_hat = Y_hat.flatten()`), plots the from-scratch predictions again;
 these figures use the concise model's own, as the reference figures do.

 Figure 5 has a slip of its own. Its red point at step t is `data[t]` plus the difference predicted
 after it, that is the prediction of `data[t + 1]`, but the notebook draws it at t
 (`torch.arange(sequence_len, num_data-1)`): one step early, over the value before the one it
 predicts. The faithful figure keeps the notebook's placing; with `--corrected`, each point is drawn
 at the step it predicts.

 How good can such a prediction be? The differences are `7 + e(t+1) − e(t)` with noise `e` of
 standard deviation $\sigma = 10$: the best predictor from the past still misses `e(t+1)`, a mean
 squared error of at least $\sigma^2$; knowing the $k = 19$ differences of a window, at least
 $\sigma^2 (1 + 1/(k + 1))$ = {{deep_rnn.best_one_step_error}} (Chapter 07's exercise 3 derives it). Predicting the
 mean 7 scores $2\sigma^2$ in expectation ({{deep_rnn.predicting_seven_error}} on these 180 windows).
 A model that scores far below $\sigma^2$ on the data it trained on has memorised them.

 The bidirectional notebook's `testBRNN` reports the mean loss on the 1250 test rows; the accuracy
 (predictions rounded at 0.5) says more. As the notebook trains it, the model answers the labels'
 mean for nearly every row and its accuracy is close to the base rate (the share of 0 labels);
 trained with `--corrected` (Chapter 05) it
 gets every test row right.
 */
//: @Fold(The program: its imports, options and title line)
import ArgumentParser
import ChapterSupport
import Figures
import Experiments
import Workbook

@main
struct ApproximationChapter: Chapter {
    static let configuration = chapter(
        "Chapter06-Approximation",
        abstract: "One-step-ahead predictions of the deep RNNs with figures 3–7, and the "
            + "bidirectional model's test loss and accuracy.")

    @OptionGroup var common: CommonOptions         // --seed, --quiet, --json
    @OptionGroup var variant: CorrectedOption      // --corrected
    @OptionGroup var model: ModelOptions           // --hidden-size, --window-length
    @OptionGroup var training: TrainingOptions     // --epochs, --learning-rate: when it trains
    @OptionGroup var figures: FigureOptions        // --plots-dir, --no-render, --plots-in-terminal
    @OptionGroup var loading: CheckpointOptions    // --checkpoints-dir, --checkpoint
    @OptionGroup var retraining: RetrainOption     // --retrain
    var options: ChapterOptions {
        ChapterOptions(common, variant, model, training, figures, loading, retraining)
    }

    func run(_ output: Output) throws {
        output.line("Chapter 06 — Approximation and testing (seed \(options.seed)"
                    + "\(options.corrected ? ", corrected" : ""))")

        //: ## The trained models: given with `--checkpoint NAME=FILE`, from Chapter05's checkpoints, or trained here
        //: `trainedDRNN` and `trainedConcise` ([`Sources/Experiments/Experiments.swift`](../Sources/Experiments/Experiments.swift))
        //: load the models Chapter 05 saved, or, when there are none, train them here with Chapter 05's
        //: settings and say so (`loadOrTrain` in
        //: [`Sources/ChapterSupport/SavedModels.swift`](../Sources/ChapterSupport/SavedModels.swift)
        //: checks each file before it uses it).
        let (line, drnn) = try trainedDRNN(options, output, retrain: options.retrain)
        let concise = try trainedConcise(options, output, retrain: options.retrain)

        //: ## `Y_hat = DRNNapproximation(drnn_trained, dataset_approx)`
        //: @Notebook(deep-rnn, "def DRNNapproximation(")
        //: @Code(Sources/Workbook/Training.swift, approximate)
        //:
        //: @Notebook(deep-rnn, "Y_hat = DRNNapproximation(drnn_trained, dataset_approx);")
        let (_, datasetApprox) = deepRNNLoaders(line, options)
        let yHat = approximate(drnn, on: datasetApprox)                      // (180)
        let s = options.windowLength, n = 200                                 // sequence_len, num_data
        let actual = Array(line.differences.values[s...])                    // data_trans[19:199]
        output.heading("Deep RNN: one-step-ahead predictions of the differences")
        output.line("Y_hat.shape \(describe(shape: yHat.shape))")
        let scratchError = meanSquaredDifference(yHat.values, actual)
        let meanError = meanSquaredDifference([Float](repeating: SeriesProcess.slope, count: actual.count), actual)
        // The best predictor of 7 + e(t+1) − e(t) from the s differences before it:
        // σ² (s + 2) / (s + 1).
        let bestError = Float(SeriesProcess.variance) * Float(s + 2) / Float(s + 1)   // σ = 10 (Sources/Experiments)
        output.line("mean squared error on the training windows: from scratch \(format(scratchError)); "
                    + "predicting 7 every time: \(format(meanError)); "
                    + "the best predictor from \(s) differences: "
                    + "\(format(bestError)) on average")
        output.record("deep_rnn", "scratch_one_step_error", value: .float(scratchError))
        output.record("deep_rnn", "predicting_seven_error", value: .float(meanError))
        output.record("deep_rnn", "best_one_step_error", value: .float(bestError))
        output.record("deep_rnn", "Y_hat", value: .floats(yHat.values))

        //: The notebook's figures draw the differences (blue) and the predictions (red); one function
        //: draws figures 3, 4, 6 and 7, whole or zoomed on steps 75 to 125.
        let x = line.x.values, differences = line.differences.values
        let steps = (s..<(n - 1)).map(Float.init)
        // With --corrected, the figures say what their axes and lines are; as written they look as
        // the notebook's.
        let labelled = options.corrected
        func prediction(_ name: String, _ predicted: [Float], zoom: Bool) -> Figure {
            var figure = Figure(name: name, xLabel: labelled ? "step" : nil,
                                yLabel: labelled ? "difference" : nil)
            let range = zoom ? 75..<125 : 0..<(n - 1)
            figure.addLine(x: Array(x[range]), y: Array(differences[range]),
                           label: labelled ? "data_trans" : nil)
            // The predictions start at step s (the window length): show those between 75 and 125.
            let shown = zoom
                ? min(max(75 - s, 0), predicted.count)..<min(max(125 - s, 0), predicted.count)
                : 0..<predicted.count
            figure.addLine(x: Array(steps[shown]), y: Array(predicted[shown]), color: "#ff0000",
                           label: labelled ? "one-step prediction" : nil)
            figure.keyPosition = "bottom right"
            return figure
        }

        //: @Notebook(deep-rnn, "fig2, ax2 = plt.subplots();")
        try output.draw(prediction("DEEPRNN_fig3", yHat.values, zoom: false),
                        caption: "the from-scratch model's one-step predictions (red) over "
                            + "the differences (blue).")

        //: @Notebook(deep-rnn, "fig_zoom, ax_zoom = plt.subplots();")
        try output.draw(prediction("DEEPRNN_fig4", yHat.values, zoom: true),
                        caption: "the same, steps 75 to 125.")

        //: @Notebook(deep-rnn, "data_approx = Y_hat + data[sequence_len:-1];")
        //:
        //: `data[t]` plus the difference predicted after it is the prediction of `data[t + 1]`. The
        //: notebook plots it at `t` (`arange(sequence_len, num_data-1)`), one step early; with
        //: `--corrected` it is drawn at `t + 1`.
        var series = Figure(name: "DEEPRNN_fig5", xLabel: labelled ? "x" : nil,
                            yLabel: labelled ? "data" : nil)
        series.addLine(x: x, y: line.data.values, label: labelled ? "data" : nil)
        let dataApprox = zip(yHat.values, line.data.values[s..<(n - 1)]).map(+)   // Y_hat + data[19:-1]
        series.addLine(x: options.corrected ? steps.map { $0 + 1 } : steps, y: dataApprox,
                       color: "#ff0000",
                       label: labelled ? "data[t] + predicted difference, at t + 1" : nil)
        series.keyPosition = "bottom right"   // the series rises to the top right
        try output.draw(series, caption: options.corrected
            ? "the series (blue) and its one-step prediction (red), drawn at the step it predicts."
            : "the series (blue) and its one-step prediction (red), drawn one step early "
              + "as the notebook does.")

        //: ## The concise model: `CY_hat`
        //: @Notebook(deep-rnn, "CY_hat = DRNNapproximation(cdrnn_trained, dataset_approx);")
        //:
        //: The notebook's second line, `CY_hat = Y_hat.flatten()`, throws the concise model's
        //: predictions away and keeps the from-scratch ones, so its figures 6 and 7 show figure 3's
        //: predictions again. Here `CY_hat` is the concise model's own, as in the reference figures.
        let cyHat = approximate(concise, on: datasetApprox)                  // (180)
        let conciseError = meanSquaredDifference(cyHat.values, actual)
        output.line("CY_hat.shape \(describe(shape: cyHat.shape)); "
                    + "its mean squared error on the training windows: "
                    + "\(format(conciseError))")
        output.record("deep_rnn", "concise_one_step_error", value: .float(conciseError))
        output.record("deep_rnn", "CY_hat", value: .floats(cyHat.values))

        //: @Notebook(deep-rnn, "cfig2, cax2 = plt.subplots();")
        try output.draw(prediction("DEEPRNN_fig6", cyHat.values, zoom: false),
                        caption: "the concise model's own predictions (red) over "
                            + "the differences (blue).")

        //: @Notebook(deep-rnn, "cfig_zoom, cax_zoom = plt.subplots();")
        try output.draw(prediction("DEEPRNN_fig7", cyHat.values, zoom: true),
                        caption: "the concise model's predictions, steps 75 to 125.")

        //: ## `testBRNN(brnn_trained, dataset_test)`
        //: @Notebook(bidirectional-rnn, "def testBRNN(")
        //: @Code(Sources/Workbook/Training.swift, testBRNN)
        //:
        //: @Notebook(bidirectional-rnn, "testBRNN(brnn_trained, dataset_test);")
        let (task, brnn) = try trainedBRNN(options, output, retrain: options.retrain)
        let (_, datasetTest) = bidirectionalLoaders(task, seed: options.seed)
        let loss: BidirectionalLoss = options.corrected ? .fixed : .notebook
        let (testLoss, accuracy) = testBRNN(brnn, on: datasetTest, loss: loss,
                                            scaledInputs: options.corrected)
        let fixedLoss = testBRNN(brnn, on: datasetTest, loss: .fixed,
                                 scaledInputs: options.corrected).loss
        let testLabels = datasetTest.targets.values
        let baseRate = Float(testLabels.filter { $0 == 0 }.count) / Float(testLabels.count)
        output.heading("Bidirectional model on the \(datasetTest.count) test rows")
        output.line("mean loss at testing time \(Output.python(testLoss))")
        output.line("fixed (per-row) test loss \(format(fixedLoss)); "
                    + "accuracy \(format(100 * accuracy))% "
                    + "(answering 0 for every row: \(format(100 * baseRate))%)")
        output.record("bidirectional_rnn", "test_loss", value: .float(testLoss))
        output.record("bidirectional_rnn", "test_fixed_loss", value: .float(fixedLoss))
        output.record("bidirectional_rnn", "test_accuracy", value: .float(accuracy))
        output.record("bidirectional_rnn", "base_rate", value: .float(baseRate))
        //: PyTorch's test loss (above) and this run's, {{bidirectional_rnn.test_loss}}, differ as their training runs
        //: do ([Chapter 05](Chapter05-Training.md): no seed in the notebook); both are the N × N loss of
        //: a model that answers about the labels' mean.


        output.summary("Summary: one-step-ahead error \(format(scratchError)) (from scratch), "
                       + "\(format(conciseError)) (concise), "
                       + "against \(format(bestError)) for the best predictor; "
                       + "bidirectional test loss \(format(testLoss)), "
                       + "accuracy \(format(100 * accuracy))%.")
    }

    /// The mean of the squared differences of two lists of numbers (outside the graph).
    func meanSquaredDifference(_ a: [Float], _ b: [Float]) -> Float {
        Float(zip(a, b).reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) }
              / Double(max(a.count, 1)))
    }
}

/*:
 ## To PyTorch and back

 The checkpoints are safetensors files with the PyTorch models' `state_dict` names (Chapter 05),
 so the same trained models run in PyTorch. After a default `swift run Chapter05-Training`,
 `python scripts/load_in_pytorch.py` loads the three files into the notebooks' own classes with
 `safetensors.torch.load_file` and `load_state_dict(strict=True)`, runs the notebooks'
 approximation and testing cells, and prints (PyTorch {{pytorch: load_in_pytorch.from_workbook.torch_version}}, on the CPU,
 recorded in `scripts/recorded/load_in_pytorch.json`):

 | | PyTorch, from the workbook's checkpoints | this chapter |
 | --- | --- | --- |
 | one-step error, from scratch | {{pytorch: load_in_pytorch.from_workbook.scratch_one_step_error}} | {{deep_rnn.scratch_one_step_error}} |
 | one-step error, concise | {{pytorch: load_in_pytorch.from_workbook.concise_one_step_error}} | {{deep_rnn.concise_one_step_error}} |
 | mean loss at testing time | {{pytorch: load_in_pytorch.from_workbook.test_loss}} | {{bidirectional_rnn.test_loss}} |

 The same to the digits shown; in full they differ by a few parts in a million, the from-scratch
 model's linear recurrence summing its large values in another order. The other way, `python scripts/load_in_pytorch.py
 --train-and-save pytorch-checkpoints --epochs 3` trains the notebooks' models in PyTorch for 3
 epochs a round and saves their `state_dict`s with `safetensors.torch.save_file` (and the
 metadata this chapter checks: model, seed, epochs, corrected, CRC-32), printing a one-step error
 of {{pytorch: load_in_pytorch.trained_3_epochs.scratch_one_step_error}} from scratch,
 {{pytorch: load_in_pytorch.trained_3_epochs.concise_one_step_error}} concise, and a test loss of
 {{pytorch: load_in_pytorch.trained_3_epochs.test_loss}}; `swift run Chapter06-Approximation
 --checkpoints-dir pytorch-checkpoints --epochs 3` loads them and prints the same numbers. Such a
 folder made by PyTorch is a test fixture (`Tests/ChapterTests/Fixtures/pytorch-checkpoints`), and
 `PyTorchCheckpointTests` checks that this chapter computes the script's numbers from it, to 1e-5.
 Plain `state_dict`s, as `save_file(model.state_dict(), path)` writes them with no metadata at all,
 load too (`--plain` makes them: `Tests/ChapterTests/Fixtures/pytorch-plain`, which
 `PlainPyTorchFileTests` checks in the same way): from `--checkpoints-dir` as they are, or each with
 `--checkpoint NAME=FILE`, which loads a file whatever settings it records and never trains in its
 place. The notebook's `DRNN` saves no layer 0, which it never trains: it is the seed's initial one.

 ## Summary

 A one-step-ahead prediction of the differences can at best miss the next noise term: from 19 past
 values, a mean squared error of {{deep_rnn.best_one_step_error}}. That is the floor for these
 predictions, each made at the last position of a window; averaged over a window's 19 positions, as
 the training loss is, the floor is {{Chapter07: fresh_series.optimum}} (Chapter 07), a different
 quantity. The concise model scores {{deep_rnn.concise_one_step_error}} on the windows it was
 trained on, against the floor of {{deep_rnn.best_one_step_error}} for these predictions: as close
 to it as 180 windows can tell apart, so on its own windows the fit looks honest. Only a fresh series
 of the same process can tell, and Chapter 07 measures {{Chapter07: fresh_series.concise.fresh}}
 there, averaged over the window's positions, against a floor of {{Chapter07: fresh_series.optimum}}.
 The bidirectional model as the notebook trains it answers about the labels' mean for every row:
 its test accuracy, {{bidirectional_rnn.test_accuracy|%}}, sits just below the base rate of
 {{bidirectional_rnn.base_rate|%}} (answering 0 everywhere), because the few predictions that
 cross 0.5 are mostly wrong; corrected, its test accuracy is
 {{corrected: bidirectional_rnn.test_accuracy|%}}.

 ## Try it

 - `swift run Chapter06-Approximation --corrected`: figure 5 with each point at the step it predicts,
   and the corrected bidirectional model's test accuracy.
 - `swift run Chapter06-Approximation --retrain --epochs 100`: the three models trained here, for 100
   epochs each, instead of loaded from Chapter 05's checkpoints.
 - `swift run Chapter06-Approximation --checkpoint deep-rnn-concise=FILE`: a concise model of your
   own, such as one saved from PyTorch (`scripts/load_in_pytorch.py --train-and-save DIR`).
 - To edit: in `Chapters/Chapter06-Approximation/Chapter06.swift`, the line
   `let yHat = approximate(drnn, on: datasetApprox)`; with `concise` in place of `drnn`, figures 3 to 5
   show the concise model.

 ## Exercises

 1. Draw a fresh series with another seed and evaluate the trained concise model on it. How does
    its error compare with the best predictor's, and with its error on the training windows?
 2. Figure 5's red point is `data[t]` plus the predicted difference. Show that its error is the
    error of that difference in figure 3. Then why does a model that predicts well look closer to
    its series in figure 5 than to its differences in figure 3?
 3. Which test rows does the notebook's bidirectional model get wrong, and why exactly those?
 */
