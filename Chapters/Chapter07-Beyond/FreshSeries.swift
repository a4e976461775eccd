// The notebook's three deep RNNs, as Chapter 05 trains them, on a fresh series of the same
// process: the error at each position of the window against the best possible.

import ChapterSupport
import Experiments
import Figures
import Workbook

/// A fresh series of the deep RNN notebook's process, and the best one-step error possible on it.
struct FreshSeries {
    let windows: (x: Tensor, y: Tensor)
    /// σ²(1 + 1/(k + 1)) at position k = 1 … T of the window.
    let optimum: [Double]
    /// Predicting the mean difference, the slope 7, at every step.
    let constantError: Double

    /// 2000 points drawn as the notebook draws its 200, from `torch.manual_seed(seed + 1000)`.
    init(seed: Int, windowLength: Int, count: Int = 2000) {
        var generator = TorchGenerator(seed: UInt64(seed) + 1000)
        let line = NoisyLine(count: count, using: &generator)
        let (inputs, targets) = slidingWindows(of: line.differences, length: windowLength)
        windows = (timeMajorInputs(inputs), timeMajorTargets(targets))
        optimum = (1...windowLength).map(SeriesProcess.optimum(after:))
        constantError = targets.values.reduce(0.0) {
            $0 + Double($1 - SeriesProcess.slope) * Double($1 - SeriesProcess.slope)
        }
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


/// The error of each of the notebook's models on its training windows and on the fresh series,
/// printed as a table; returns each model's errors by position on the fresh series, by name.
func scoreNotebookModels(on fresh: FreshSeries, _ options: ChapterOptions,
                         _ output: Output) throws -> [String: [Double]] {
    var corrected = options
    corrected.corrected = true
    let (line, faithfulDRNN) = try trainedDRNN(options, output, label: "from-scratch DRNN (notebook)")
    // --checkpoint deep-rnn-scratch=FILE names the notebook's DRNN, the run's own variant.
    let correctedDRNN = try trainedDRNN(corrected, output, label: "from-scratch DRNN (corrected)",
                                        usesGivenFile: false).drnn
    let concise = try trainedConcise(options, output, label: "concise model (nn.RNN)")
    let (windows, targets) = slidingWindows(of: line.differences, length: options.windowLength)
    let training = (x: timeMajorInputs(windows), y: timeMajorTargets(targets))
    output.line(tableRow(("model", 32)) + "training windows   fresh series   above the optimum")
    var notebookErrors: [String: [Double]] = [:]
    for (name, model) in [("DRNN from scratch (notebook)", faithfulDRNN as any SequenceModel),
                          ("DRNN from scratch (corrected)", correctedDRNN),
                          ("concise nn.RNN", concise)] {
        let trainingError = Tensor.withoutGradients { sequenceLoss(model(training.x), training.y).item }
        let errors = fresh.positionErrors(model)
        notebookErrors[name] = errors
        output.line(tableRow((name, 32)) + leftPadded(format(trainingError), 16)
                    + leftPadded(format(errors.mean), 15) + leftPadded(fresh.gap(errors), 20))
        let scores = JSON.object([("training", .float(trainingError)), ("fresh", .float(Float(errors.mean)))])
        output.record("fresh_series", name, value: scores)
        if model === concise { output.record("fresh_series", "concise", value: scores) }
    }
    output.record("fresh_series", "predicting_seven", value: .number(fresh.constantError))
    output.record("fresh_series", "optimum", value: .number(fresh.optimum.mean))
    output.record("fresh_series", "optimum_by_position", value: .array(fresh.optimum.map(JSON.number)))
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
    output.line(tableRow(("predicting 7 every time", 32)) + leftPadded("", 16)
                + leftPadded(format(fresh.constantError), 15))
    output.line(tableRow(("the best possible predictor", 32)) + leftPadded("", 16)
                + leftPadded(format(fresh.optimum.mean), 15))
    return notebookErrors
}
