// `--csv FILE`: the deep RNNs trained on a learner's own series, tested on its last quarter, with
// the notebook's figures. The file is read by `readSeries` (Sources/ChapterSupport/SeriesFile.swift).

import ArgumentParser
import AtomicFiles
import ChapterSupport
import Figures
import Workbook

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
    /// What the default run prints in place of the `--csv` run: how to ask for it.
    func printHowToRunOnYourSeries(_ output: Output) {
        output.line("Run `swift run Chapter07-Beyond --csv FILE` (one number per line) "
                    + "or `--csv FILE --column NAME` (a CSV")
        output.line("file with a header line) to train both deep RNNs on it, "
                    + "test them on its last quarter and draw figures")
        output.line("CSV_fig1 to CSV_fig4.")
    }

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

