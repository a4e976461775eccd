/*:
 # Chapter 03 — Loss and transformations

 The models read their input time-major: step `t` of every sequence at once. The notebooks'
 `XTransform` turns a batch of windows `(B, T)` into `(T, B, 1)`, and `YTransform` turns the
 targets into `(T, B)`. The deep RNN's loss, `loss(Y_hat, Y)`, concatenates the 19 outputs
 `(180, 1)` into `(3420, 1)`, flattens the targets to the same shape, and takes the mean squared
 error over every step $t$ of every window $b$:

 $$L = \frac{1}{TB} \sum_{t=1}^{T} \sum_{b=1}^{B} \left(\hat y_{t,b} - y_{t,b}\right)^2.$$

 The bidirectional notebook's loss is `((Y_hat - Y)**2).mean()` with `Y_hat` of shape `(N, 1)` and
 `Y` of shape `(N,)`. PyTorch broadcasts the difference to an `N × N` matrix: every prediction
 $\hat y_i$ is compared with every label $y_j$. Expanding the square and summing over $i$ and $j$,
 with $\overline{\hat y}$ and $\bar y$ the means and $\frac1N \sum_i \hat y_i^2 = \operatorname{var}(\hat y) + \overline{\hat y}^2$:

 $$\frac{1}{N^2} \sum_{i,j} (\hat y_i - y_j)^2 = \frac1N \sum_i \hat y_i^2 - 2 \overline{\hat y} \bar y + \frac1N \sum_j y_j^2 = \operatorname{var}(\hat y) + \left(\overline{\hat y} - \bar y\right)^2 + \operatorname{var}(y).$$

 The loss sees only the predictions' spread and mean. Its minimum is at $\operatorname{var}(\hat y) = 0$
 and $\overline{\hat y} = \bar y$: a constant prediction equal to the labels' mean, which scores
 $\operatorname{var}(y)$. A perfect classifier, $\hat y = y$, scores $2 \operatorname{var}(y)$, twice as much.
 `broadcastMeanSquaredError` computes it in this closed form, in O(N) instead of the $N^2$ = 3750²
 elements per step; the corrected loss flattens `Y_hat` to `(N,)` first and compares each
 prediction with its own label.
 */
//: @Fold(The program: its imports, options and title line)
import ArgumentParser
import ChapterSupport
import Experiments
import Foundation
import Workbook

@main
struct LossChapter: Chapter {
    static let configuration = chapter(
        "Chapter03-Loss",
        abstract: "Time-major transformations, the deep RNN's loss, and the bidirectional notebook's "
            + "N × N loss against the fixed one.")

    @OptionGroup var common: CommonOptions         // --seed, --quiet, --json
    @OptionGroup var variant: CorrectedOption      // --corrected
    @OptionGroup var model: ModelOptions           // --hidden-size, --window-length
    var options: ChapterOptions { ChapterOptions(common, variant, model) }

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
        // experiment (a): the data, then the weights (Sources/Experiments)
        let (line, drnn, _) = deepRNNExperiment(options)
        let (inputs, targets) = slidingWindows(of: line.differences, length: options.windowLength)
        let x = timeMajorInputs(inputs), y = timeMajorTargets(targets)
        output.heading("Transformations")
        output.line("XTransform: X \(describe(shape: inputs.shape)) -> \(describe(shape: x.shape)); "
                    + "YTransform: Y \(describe(shape: targets.shape)) -> \(describe(shape: y.shape))")
        output.line("X[t] is step t of every window: "
                    + "X[0][:3] = \(x[0].values.prefix(3).map(Output.python).joined(separator: ", ")), "
                    + "the first differences of windows 0, 1, 2")

        //: ## The deep RNN's loss on a fresh model
        let scratchLoss = sequenceLoss(drnn(x), y).item
        // experiment (b): a fresh generator (Sources/Experiments)
        let concise = conciseModel(options)
        let conciseLoss = sequenceLoss(concise(x), y).item
        let (_, std) = meanAndStandardDeviation(line.differences.values)
        output.heading("Deep RNN: loss(drnn(X), Y) before training")
        output.line("from scratch (\(variant == .notebook ? "notebook" : "corrected")): "
                    + "\(Output.python(scratchLoss))")
        output.line("concise nn.RNN:          \(Output.python(conciseLoss))")
        output.line("predicting 0 everywhere would score about \(format(std * std + 49)); "
                    + "predicting the mean 7, about \(format(std * std))")
        if variant == .notebook {
            output.line("Notebook defect: a fresh from-scratch model has a loss of "
                        + "\(format(scratchLoss)), not the ~200 the notebook printed")
            output.line("first: its linear recurrence multiplies the state by W_hh at every step "
                        + "(--corrected: tanh).")
        }
        output.record("deep_rnn", "scratch_initial_loss", value: .float(scratchLoss))
        output.record("deep_rnn", "concise_initial_loss", value: .float(conciseLoss))

        //: ## Why a fresh linear DRNN's loss is so large: the powers of `W_hh`
        //: Without an activation the recurrence is linear, and unrolled, layer 1's state at step $t$
        //: is a sum of powers of $W_{hh}$:
        //:
        //: $$H_t = \sum_{s=0}^{t} \left(I_s W_{xh} + b_h\right) W_{hh}^{t-s}.$$
        //:
        //: A power $W^k$ grows like $\rho(W)^k$, where the spectral radius $\rho(W) = \max_i \lvert\lambda_i(W)\rvert$
        //: is the largest modulus of an eigenvalue (Gelfand's formula: $\rho(W) = \lim_k \lVert W^k \rVert^{1/k}$).
        //: For an $n \times n$ matrix of independent entries of variance $\sigma^2$, the circular law puts
        //: the eigenvalues in a disc of radius $\sigma\sqrt n$: uniform in $[-1, 1]$ means $\sigma^2 = 1/3$,
        //: and with $n = 8$, $\rho \approx \sqrt{8/3} \approx 1.63$. The second layer reads the first
        //: layer's growing states and multiplies by its own $W_{hh}$, so the outputs at the end of a
        //: window are about $\rho_{\max}^{18}$ times those at its start, and the loss, their mean
        //: square, grows like $\rho_{\max}^{2 \cdot 18}$, so that a small change of radius is orders of
        //: magnitude of loss. The chapter measures $\rho$ (by Gelfand's formula) for ten
        //: seeds beside the outputs' growth and the loss:
        //:
        //: @Code(Sources/ChapterSupport/Measures.swift, spectralRadius)
        let seeds = 0..<10
        output.heading("The notebook's linear DRNN, fresh, for \(seeds.count) seeds: "
                       + "the powers of W_hh")
        output.line("seed   rho(W_hh) layer 1   layer 2   rho_max^18   "
                    + "outputs' growth over 18 steps   initial loss")
        var radii: [Double] = [], growths: [Double] = [], losses: [Double] = [], ratios: [Double] = []
        for seed in seeds {
            // experiment (a) for this seed, with the notebook's model whatever --corrected says
            var notebookRun = options
            (notebookRun.seed, notebookRun.corrected) = (seed, false)
            let (seedLine, model, _) = deepRNNExperiment(notebookRun)
            let (seedInputs, seedTargets) = slidingWindows(of: seedLine.differences,
                                                           length: options.windowLength)
            let outputs = model(timeMajorInputs(seedInputs))
            let rho = model.layers.map { spectralRadius($0.recurrentWeights) }
            let growth = Double(rootMeanSquare(outputs[outputs.count - 1]) / rootMeanSquare(outputs[0]))
            let loss = Double(sequenceLoss(outputs, timeMajorTargets(seedTargets)).item)
            let steps = Double(outputs.count - 1)
            output.line(tableRow((String(seed), 7), (format(rho[0]), 20), (format(rho[1]), 10),
                                 (format(pow(rho.max()!, steps)), 13), (format(growth), 32), (format(loss), nil)))
            radii += rho
            growths.append(growth)
            ratios.append(growth / pow(rho.max()!, steps))
            losses.append(loss)
        }
        output.record("deep_rnn", "fresh_models", "spectral_radius",
                      value: .array(radii.map(JSON.number)))
        output.record("deep_rnn", "fresh_models", "growth", value: .array(growths.map(JSON.number)))
        output.record("deep_rnn", "fresh_models", "initial_loss",
                      value: .array(losses.map(JSON.number)))
        output.record("deep_rnn", "fresh_models", "growth_over_rho_power",
                      value: .array(ratios.map(JSON.number)))
        //: Over these seeds the radii run from {{deep_rnn.fresh_models.spectral_radius|min}} to
        //: {{deep_rnn.fresh_models.spectral_radius|max}}, with a mean of {{deep_rnn.fresh_models.spectral_radius|mean}}:
        //: above the circular law's 1.63, a limit for large $n$ that an $8 \times 8$ matrix's largest
        //: eigenvalue often exceeds. The initial
        //: loss runs from {{deep_rnn.fresh_models.initial_loss|min|order}} to {{deep_rnn.fresh_models.initial_loss|max|order}}
        //: (seed 0: {{deep_rnn.scratch_initial_loss}}). The larger the radius, the larger the loss, but
        //: only roughly: the outputs grow between {{deep_rnn.fresh_models.growth_over_rho_power|min}} and
        //: {{deep_rnn.fresh_models.growth_over_rho_power|max}} times $\rho_{\max}^{18}$, because the powers of
        //: a non-symmetric matrix approach $\rho^k$ slowly and the first layer's growing states feed the
        //: second. Either way no learning rate can make such a model's first steps small.

        //: ## The bidirectional loss: `(N, 1) − (N,)` broadcast to N × N
        //: @Notebook(bidirectional-rnn, "return ((Y_hat-Y)**2).mean();")
        //: @Code(Sources/Workbook/Loss.swift, broadcastMeanSquaredError)
        // experiment (c): the digits, then the weights (Sources/Experiments)
        let (task, brnn) = bidirectionalExperiment(options)
        // int(np.floor(5000 * 0.75))
        let n = 3750
        let digits = task.digits.narrowed(along: 0, to: 0..<n),
            labels = task.labels.narrowed(along: 0, to: 0..<n)
        let (forward, backward) = bidirectionalInputs(digits, scaled: options.corrected)
        let yHat = brnn(forward, backward)                                 // (N, 1)
        let notebookLoss = BidirectionalLoss.notebook(yHat, labels).item
        let fixedLoss = BidirectionalLoss.fixed(yHat, labels).item
        output.heading("Bidirectional: Y_hat \(describe(shape: yHat.shape)) against Y "
                       + "\(describe(shape: labels.shape))")
        output.line("notebook loss ((Y_hat - Y)**2).mean(), broadcast to \(n) x \(n): "
                    + "\(Output.python(notebookLoss))")
        output.line("fixed loss ((Y_hat.flatten() - Y)**2).mean():              "
                    + "\(Output.python(fixedLoss))")

        //: What each loss thinks of two ideal answers: the labels themselves, and their mean everywhere.
        let perfect = labels.reshaped([-1, 1])
        let constant = Tensor(zeros: [n, 1]) + labels.mean().item
        let variance = (labels - labels.mean().item).squared().mean().item
        output.line("the labels' mean \(format(labels.mean().item)), variance \(format(variance))")
        output.record("bidirectional_rnn", "label_variance", value: .float(variance))
        output.line("                             notebook loss   fixed loss")
        for (name, answer) in [("perfect answers Y_hat = Y", perfect),
                               ("constant Y_hat = mean(Y)", constant)] {
            let a = BidirectionalLoss.notebook(answer, labels).item,
                b = BidirectionalLoss.fixed(answer, labels).item
            output.line("  " + tableRow((name, 27), (format(a), 15), (format(b), nil), separator: " "))
        }
        output.line("Notebook defect: the broadcast loss scores the perfect answers twice the "
                    + "constant's: it can only learn")
        output.line("the labels' mean, and its least loss is their variance, \(format(variance)).")
        output.record("bidirectional_rnn", "losses", "seed_loss", "initial",
                      value: .float(notebookLoss))
        output.record("bidirectional_rnn", "losses", "fixed_loss", "initial", value: .float(fixedLoss))

        output.summary("Summary: initial losses \(format(scratchLoss)) (from scratch), "
                       + "\(format(conciseLoss)) (concise); "
                       + "bidirectional \(format(notebookLoss)) (notebook) and "
                       + "\(format(fixedLoss)) (fixed).")
    }
}

/*:
 ## Summary

 The deep RNN's loss is an ordinary mean squared error over every step of every window. The
 bidirectional notebook's loss is not: `(N, 1) − (N,)` broadcasts to N × N, and the resulting loss
 rewards predicting the labels' mean for every row. Fixed, it compares each prediction with its own
 label.

 ## Try it

 - `swift run Chapter03-Loss --corrected`: the tanh model's loss (near the data's spread) and the
   bidirectional loss compared row by row.
 - `swift run Chapter03-Loss --seed 3`: another fresh model and another initial loss.
 - `swift run Chapter03-Loss --window-length 10`: fewer steps for the linear recurrence to grow, a
   far smaller loss.
 - To edit: in `Chapters/Chapter03-Loss/Chapter03.swift`, the line `let seeds = 0..<10`; a longer
   range gives the table of radii and losses more fresh models.

 ## Exercises

 1. From the closed form, work out the gradient $\partial L / \partial \hat y_i$ of the N × N loss. Why does
    it push every prediction towards the same value?
 2. With `--corrected`, the bidirectional loss starts at {{corrected: bidirectional_rnn.losses.fixed_loss.initial}}.
    Why is it so much smaller than the notebook's {{bidirectional_rnn.losses.seed_loss.initial}}?
 3. What would the broadcast loss be if `Y` had shape `(N, 1)` too?
 */
