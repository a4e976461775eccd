/*:
 # Chapter 03 — Loss and transformations

 The models read their input time-major: step `t` of every sequence at once. The notebooks'
 `XTransform` turns a batch of windows `(B, T)` into `(T, B, 1)`, and `YTransform` turns the
 targets into `(T, B)`. The deep RNN's loss, `loss(Y_hat, Y)`, concatenates the 19 outputs
 `(180, 1)` into `(3420, 1)`, flattens the targets to the same shape, and takes the mean squared
 error over every step of every window.

 The bidirectional notebook's loss is `((Y_hat - Y)**2).mean()` with `Y_hat` of shape `(N, 1)` and
 `Y` of shape `(N,)`. PyTorch broadcasts the difference to an `N × N` matrix: every prediction is
 compared with every label. Expanding the square, the loss is
 $\operatorname{var}(\hat y) + (\overline{\hat y} - \bar y)^2 + \operatorname{var}(y)$: it only sees the predictions' mean and spread, so its
 minimum is a constant prediction equal to the labels' mean. Even a perfect classifier scores
 `2 var(y)` under it, twice the constant's score. `broadcastMeanSquaredError` computes it in
 closed form, in O(N) instead of 14 million elements per step; the corrected loss flattens
 `Y_hat` to `(N,)` first.
 */
import ArgumentParser
import ChapterSupport
import Workbook

@main
struct LossChapter: Chapter {
    static let configuration = CommandConfiguration(
        commandName: "Chapter03-Loss",
        abstract: "Time-major transformations, the deep RNN's loss, and the bidirectional notebook's N × N loss against the fixed one.")

    @OptionGroup var options: ChapterOptions

    func run(_ output: Output) throws {
        output.line("Chapter 03 — Loss and transformations (seed \(options.seed))")
        let variant: DRNN.Variant = options.corrected ? .corrected : .notebook

        //: ## The deep RNN's loss: `loss(Y_hat, Y)`
        //: @Notebook(deep-rnn, "def loss(Y_hat, Y):")
        //: @Code(Sources/Workbook/Loss.swift, sequenceLoss)
        //:
        //: The loss takes the outputs and the targets time-major, step `t` of every window together,
        //: as the models read them: the notebook's two transformations make them so.

        //: ## Transformations: `XTransform(X)`, `YTransform(Y)`
        //: @Notebook(deep-rnn, "def XTransform(X):")
        //: @Code(Sources/Workbook/Data.swift, timeMajorInputs)
        //:
        //: @Notebook(deep-rnn, "def YTransform(Y):")
        //: @Code(Sources/Workbook/Data.swift, timeMajorTargets)
        var generator = options.generator()                                   // experiment (a): the data, then the weights
        let line = NoisyLine(count: 200, using: &generator)
        let drnn = DRNN(numLayers: 2, inputSize: 1, hiddenSize: options.hiddenSize(8), outputSize: 1, variant: variant,
                        using: &generator)
        let (inputs, targets) = slidingWindows(of: line.differences, length: options.windowLength)
        let x = timeMajorInputs(inputs), y = timeMajorTargets(targets)
        output.heading("Transformations")
        output.line("XTransform: X \(describe(shape: inputs.shape)) -> \(describe(shape: x.shape)); YTransform: Y \(describe(shape: targets.shape)) -> \(describe(shape: y.shape))")
        output.line("X[t] is step t of every window: X[0][:3] = \(x[0].values.prefix(3).map(Output.python).joined(separator: ", ")), the first differences of windows 0, 1, 2")

        //: ## The deep RNN's loss on a fresh model
        let scratchLoss = sequenceLoss(drnn(x), y).item
        var conciseGenerator = options.generator()                            // experiment (b): a fresh generator
        let concise = ConciseDRNN(inputSize: 1, hiddenSize: options.hiddenSize(8), outputSize: 1, numLayers: 2,
                                  using: &conciseGenerator)
        let conciseLoss = sequenceLoss(concise(x), y).item
        let (_, std) = meanAndStandardDeviation(line.differences.values)
        output.heading("Deep RNN: loss(drnn(X), Y) before training")
        output.line("from scratch (\(variant == .notebook ? "notebook" : "corrected")): \(Output.python(scratchLoss))")
        output.line("concise nn.RNN:          \(Output.python(conciseLoss))")
        output.line("predicting 0 everywhere would score about \(format(std * std + 49)); predicting the mean 7, about \(format(std * std))")
        if variant == .notebook {
            output.line("Notebook defect: a fresh from-scratch model has a loss of \(format(scratchLoss)), not the ~200 the notebook")
            output.line("printed in its first epoch. Its linear recurrence amplifies the inputs ~1.8x per step; the notebook's")
            output.line("printed losses cannot come from a freshly drawn model. --corrected uses tanh and nn.RNN's initialisation.")
        }
        output.record("deep_rnn", "scratch_initial_loss", value: .float(scratchLoss))
        output.record("deep_rnn", "concise_initial_loss", value: .float(conciseLoss))

        //: ## The bidirectional loss: `(N, 1) − (N,)` broadcast to N × N
        //: @Notebook(bidirectional-rnn, "return ((Y_hat-Y)**2).mean();")
        //: @Code(Sources/Workbook/Loss.swift, broadcastMeanSquaredError)
        var digitsGenerator = options.generator()                             // experiment (c): the digits, then the weights
        let task = DigitTask(rows: 5000, using: &digitsGenerator)
        let brnn = BRNN(inputSize: 1, hiddenSize: options.hiddenSize(32), outputSize: 1,
                        initialization: options.corrected ? .xavier : .notebook, using: &digitsGenerator)
        let n = 3750                                                         // int(np.floor(5000 * 0.75))
        let digits = task.digits.narrowed(along: 0, to: 0..<n), labels = task.labels.narrowed(along: 0, to: 0..<n)
        let (forward, backward) = bidirectionalInputs(digits, scaled: options.corrected)
        let yHat = brnn(forward, backward)                                 // (N, 1)
        let notebookLoss = BidirectionalLoss.notebook(yHat, labels).item
        let fixedLoss = BidirectionalLoss.fixed(yHat, labels).item
        output.heading("Bidirectional: Y_hat \(describe(shape: yHat.shape)) against Y \(describe(shape: labels.shape))")
        output.line("notebook loss ((Y_hat - Y)**2).mean(), broadcast to \(n) x \(n): \(Output.python(notebookLoss))")
        output.line("fixed loss ((Y_hat.flatten() - Y)**2).mean():              \(Output.python(fixedLoss))")

        //: What each loss thinks of two ideal answers: the labels themselves, and their mean everywhere.
        let perfect = labels.reshaped([-1, 1])
        let constant = Tensor(zeros: [n, 1]) + labels.mean().item
        let variance = (labels - labels.mean().item).squared().mean().item
        output.line("the labels' mean \(format(labels.mean().item)), variance \(format(variance))")
        output.line("                             notebook loss   fixed loss")
        for (name, answer) in [("perfect answers Y_hat = Y", perfect), ("constant Y_hat = mean(Y)", constant)] {
            let a = BidirectionalLoss.notebook(answer, labels).item, b = BidirectionalLoss.fixed(answer, labels).item
            output.line("  \(name.padding(toLength: 27, withPad: " ", startingAt: 0)) \(format(a).padding(toLength: 15, withPad: " ", startingAt: 0)) \(format(b))")
        }
        output.line("Notebook defect: under the broadcast loss the perfect answers score twice the constant's loss,")
        output.line("so training drives every prediction to the labels' mean: the least loss it can reach is the")
        output.line("labels' variance (\(format(variance)) for these labels), and its accuracy is the base rate.")
        output.record("bidirectional_rnn", "losses", "seed_loss", "initial", value: .float(notebookLoss))
        output.record("bidirectional_rnn", "losses", "fixed_loss", "initial", value: .float(fixedLoss))

        output.summary("Summary: initial losses \(format(scratchLoss)) (from scratch), \(format(conciseLoss)) (concise); "
                       + "bidirectional \(format(notebookLoss)) (notebook) and \(format(fixedLoss)) (fixed).")
    }
}

/*:
 ## Summary

 The deep RNN's loss is an ordinary mean squared error over every step of every window. The
 bidirectional notebook's loss is not: `(N, 1) − (N,)` broadcasts to N × N, and the resulting loss
 rewards predicting the labels' mean for every row. Fixed, it compares each prediction with its own
 label.

 ## Exercises

 1. Show that the mean of $(\hat y_i - y_j)^2$ over all pairs equals $\operatorname{var}(\hat y) + (\overline{\hat y} - \bar y)^2 + \operatorname{var}(y)$.
 2. With `--corrected`, the bidirectional losses start near 0.26. Why are they so much smaller than
    the notebook's 5e8?
 3. What would the broadcast loss be if `Y` had shape `(N, 1)` too?
 */
