/*:
 # Chapter 00 — Data

 Both notebooks start by making their data. The deep RNN notebook draws a noisy straight line,
 `data = 5 + 7x + noise` for `x = 0 … 199`, with noise drawn from a normal distribution of standard
 deviation 10, and then works on its first differences `data_trans = data[1:] − data[:-1]`: the
 line's slope, 7, plus the difference of two noises. The bidirectional notebook draws 5000 rows of
 six random digits and labels a row 1 when the number formed by its first three digits is below
 500 and the number formed by its last three digits, read backwards, is above 500.

 Every draw comes from `TorchGenerator`, which reproduces PyTorch's CPU generator: with the same
 seed, the numbers below are the numbers the notebooks get after `torch.manual_seed(seed)`.
 */
//: @Fold(The program: its imports, options and title line)
import ArgumentParser
import ChapterSupport
import Figures
import Workbook

@main
struct DataChapter: Chapter {
    static let configuration = chapter(
        "Chapter00-Data",
        abstract: "The notebooks' data: a noisy line and its differences; rows of six digits and "
            + "their labels.")

    @OptionGroup var common: CommonOptions         // --seed, --quiet, --json
    @OptionGroup var variant: CorrectedOption      // --corrected: labelled figures
    @OptionGroup var figures: FigureOptions        // --plots-dir, --no-render, --plots-in-terminal
    var options: ChapterOptions { ChapterOptions(common, variant, figures) }

    func run(_ output: Output) throws {
        output.line("Chapter 00 — Data (seed \(options.seed))")

        //: ## The deep RNN notebook: a noisy line
        //: @Notebook(deep-rnn, "data = B_0 + B_1*x;")
        //: @Code(Sources/Workbook/Series.swift, NoisyLine)
        //:
        //: `torch.distributions.normal.Normal(0, 10).sample((200,))` draws 200 standard normal
        //: values and scales them by 10; `NoisyLine` does the same with the same generator.
        var generator = options.generator()
        let line = NoisyLine(count: 200, intercept: 5, slope: 7, noise: 10, using: &generator)
        output.heading("Deep RNN: data = 5 + 7 x + Normal(0, 10)")
        output.line("x.shape \(describe(shape: line.x.shape)), "
                    + "data.shape \(describe(shape: line.data.shape))")
        output.line("data[:5] " + line.data.values.prefix(5).map(Output.python).joined(separator: ", "))
        output.record("deep_rnn", "data", value: .floats(line.data.values))

        //: @Notebook(deep-rnn, "ax1.plot(x, data);")
        // With --corrected, the figures say what their axes and lines are; as written they look as
        // the notebook's.
        let labelled = options.corrected
        var series = Figure(name: "DEEPRNN_fig1", xLabel: labelled ? "x" : nil,
                            yLabel: labelled ? "data" : nil)
        series.addLine(x: line.x.values, y: line.data.values,
                       label: labelled ? "data = 5 + 7 x + Normal(0, 10)" : nil)
        series.keyPosition = "bottom right"   // the series rises to the top right
        try output.draw(series,
                        caption: "the series: a straight line of slope 7 under noise of "
                            + "standard deviation 10.")

        //: @Notebook(deep-rnn, "data_trans = data[1:] - data[:-1];")
        //:
        //: `NoisyLine` computes them as it draws the series: `line.differences`.
        let differences = line.differences
        output.line("data_trans.shape \(describe(shape: differences.shape))")
        let (mean, std) = meanAndStandardDeviation(differences.values)
        output.line("data_trans: mean \(format(mean)) (the slope, 7), "
                    + "standard deviation \(format(std)) (about 10·√2 = 14.1: "
                    + "each difference holds two noises)")
        output.record("deep_rnn", "data_trans", value: .floats(differences.values))
        output.record("deep_rnn", "data_trans_mean", value: .number(mean))
        output.record("deep_rnn", "data_trans_std", value: .number(std))

        //: @Notebook(deep-rnn, "ax_t.plot(x[0:num_data-1], data_trans);")
        var trend = Figure(name: "DEEPRNN_fig2", xLabel: labelled ? "x" : nil,
                           yLabel: labelled ? "data_trans" : nil)
        trend.addLine(x: Array(line.x.values.prefix(differences.count)), y: differences.values,
                      label: labelled ? "data_trans[x] = data[x + 1] - data[x]" : nil)
        // above the plot: the differences reach both the top (x = 67) and the bottom (x = 58) under any corner
        trend.keyPosition = "at graph 1, graph 1.01 right bottom"
        try output.draw(trend,
                        caption: "its first differences: noise around 7, with no trend left to learn.")

        //: ## The bidirectional notebook: six digits and a label
        //: @Notebook(bidirectional-rnn, "X = torch.floor(10*torch.rand((num_data, 6)));")
        //: @Code(Sources/Workbook/Digits.swift, DigitTask)
        //:
        //: `X = torch.floor(10*torch.rand((5000, 6)))`; the label multiplies two tests, one on the
        //: first half read forwards and one on the second half read backwards. That is the task a
        //: bidirectional model suits: each half is best read by its own RNN.
        var digitsGenerator = options.generator()
        let task = DigitTask(rows: 5000, using: &digitsGenerator)
        output.heading("Bidirectional: X = floor(10 · rand(5000, 6)), "
                       + "Y = (d1d2d3 < 500) · (d6d5d4 > 500)")
        output.line("X.shape \(describe(shape: task.digits.shape)), "
                    + "Y.shape \(describe(shape: task.labels.shape))")
        for row in 0..<5 {
            let d = (0..<6).map { Int(task.digits[element: row, $0]) }
            let forward = d[0] * 100 + d[1] * 10 + d[2], backward = d[5] * 100 + d[4] * 10 + d[3]
            output.line("  \(d.map(String.init).joined(separator: " "))  ->  "
                        + "\(forward) < 500: \(forward < 500), "
                        + "\(backward) > 500: \(backward > 500)  ->  "
                        + "Y = \(Int(task.labels[element: row]))")
        }
        let sums = (0..<6).map { c in
            (0..<task.digits.shape[0]).reduce(Float(0)) { $0 + task.digits[element: $1, c] }
        }
        let positives = Int(task.labels.values.reduce(0, +))
        output.line("column sums \(sums.map { String(Int($0)) }.joined(separator: " ")) "
                    + "(about 5000 × 4.5 = 22500 each)")
        output.line("labels equal to 1: \(positives) of \(task.labels.count) "
                    + "(\(percent(positives, task.labels.count)));"
                    + " answering 0 for every row is right "
                    + "\(percent(task.labels.count - positives, task.labels.count))"
                    + " of the time")

        let firstRows = (0..<5).map { r in JSON.floats((0..<6).map { task.digits[element: r, $0] }) }
        output.record("bidirectional_rnn", "digits_first_rows", value: .array(firstRows))
        output.record("bidirectional_rnn", "digits_column_sums", value: .floats(sums))
        output.record("bidirectional_rnn", "label_count", value: .number(Double(positives)))
        output.record("bidirectional_rnn", "labels_first_40",
                      value: .floats(Array(task.labels.values.prefix(40))))

        output.summary("Summary: 200 points and 199 differences "
                       + "(mean \(format(mean)), sd \(format(std))); "
                       + "5000 digit rows, \(positives) labelled 1 "
                       + "(\(percent(positives, task.labels.count))).")
    }
}

/*:
 ## Summary

 Both notebooks' data come from PyTorch's generator, and the workbook draws the same numbers for
 the same seed: 200 points of a noisy line `5 + 7x + Normal(0, 10)` and their first differences,
 and 5000 rows of six digits labelled 1 when the first three form a number below 500 and the last
 three, read backwards, a number above 500. About a quarter of the rows are labelled 1.

 ## Try it

 - `swift run Chapter00-Data --seed 1` draws another noise and other digits: the series keeps its
   slope, so the differences' mean stays near 7 while their values change.
 - `swift run Chapter00-Data --corrected` draws the same data with labelled axes and legends.
 - `swift run Chapter00-Data --plots-in-terminal` draws the figures in the terminal as well.
 - To edit: in `Chapters/Chapter00-Data/Chapter00.swift`, the line
   `let line = NoisyLine(count: 200, intercept: 5, slope: 7, noise: 10, using: &generator)`; with
   `noise: 1`, figure 2 shows differences close to 7 everywhere.

 ## Exercises

 1. Run `swift run Chapter00-Data --seed 1` and compare the differences' mean and spread with
    seed 0. Which of the two numbers depends on the slope, and which on the noise?
 2. Why do the differences have a standard deviation of {{deep_rnn.data_trans_std}}, nearer 14.1 than 10?
    (Hint: `e(t+1) − e(t)`.)
 3. Work out the share of rows labelled 1 from the rule alone, and compare it with the printed count.
 */
