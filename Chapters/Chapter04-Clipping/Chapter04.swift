/*:
 # Chapter 04 — Gradient clipping

 A recurrent network multiplies its state by the same matrix at every step, so its gradients can
 explode. d2l's equation (9.5.3) shrinks a gradient $g$ that is too long back to length $\theta$:
 $g \leftarrow \min(1, \theta / \lVert g \rVert) g$, where $g$ gathers the gradients of all parameters. The notebooks apply the
 rule to each parameter on its own, with a threshold that grows with the tensor's size,
 $\theta = \alpha \cdot \mathrm{numel}$: an 8 × 8 matrix may have a gradient of length 64 before it is touched, a bias
 of eight elements only 8. Each tensor is then scaled by its own factor, which changes the
 direction of the overall step, where the global rule only shortens it.

 One more effect hides in PyTorch's float32 `torch.norm`: a gradient longer than about 1.8 · 10¹⁹
 has norm `inf`, `θ / inf = 0`, and the notebook's rule sets that gradient to zero. The
 bidirectional model reaches such gradients in its first epochs.
 */
//: @Fold(The program: its imports, options and title line)
import ArgumentParser
import ChapterSupport
import Experiments
import Foundation
import Workbook

@main
struct ClippingChapter: Chapter {
    static let configuration = chapter(
        "Chapter04-Clipping",
        abstract: "The notebooks' per-parameter gradient clipping against the global-norm rule of "
            + "d2l (9.5.3).")

    @OptionGroup var common: CommonOptions         // --seed, --quiet, --json
    @OptionGroup var variant: CorrectedOption      // --corrected
    @OptionGroup var model: ModelOptions           // --hidden-size, --window-length
    @OptionGroup var rate: LearningRateOption      // --learning-rate
    var options: ChapterOptions { ChapterOptions(common, variant, model, rate) }

    func run(_ output: Output) throws {
        output.line("Chapter 04 — Gradient clipping (seed \(options.seed))")

        //: ## The gradients of a fresh deep RNN, and what `gradientClipping(drnn, 1)` does to them
        //: @Notebook(deep-rnn, "def gradientClipping(drnn, alpha=1):")
        //: @Code(Sources/Workbook/Clipping.swift, clipGradientsPerParameter)
        // experiment (a): the data, then the weights (Sources/Experiments)
        let (line, drnn, _) = deepRNNExperiment(options)
        let (inputs, targets) = slidingWindows(of: line.differences, length: options.windowLength)
        let x = timeMajorInputs(inputs), y = timeMajorTargets(targets)
        let loss = sequenceLoss(drnn(x), y)
        loss.backward()
        output.heading("Deep RNN from scratch: per-parameter clipping, theta = numel")
        output.line("loss \(Output.python(loss.item))")
        output.line("  tensor   numel  gradient norm  theta  scaled by")
        var norms: [(String, JSON)] = []
        for (name, tensor) in drnn.allTensors {
            let norm = tensor.grad?.norm ?? 0
            let registered = drnn.namedParameters.contains { $0.tensor === tensor }
            let theta = Float(tensor.count)                              // alpha * numel, alpha = 1
            let scale = !registered ? "not clipped (not registered)"
                : norm > theta ? format(theta / norm) : "1 (short enough)"
            output.line("  " + tableRow((name, 8), (String(tensor.count), 6), (format(norm), 14),
                                        (String(Int(theta)), 6), (scale, nil), separator: " "))
            norms.append((name, .float(norm)))
        }
        output.record("deep_rnn", "scratch_initial_grad_norms", value: .object(norms))

        //: ## Backpropagation through time: why the gradient grows with the window
        //: Take one linear layer, $H_t = I_t W_{xh} + H_{t-1} W_{hh} + b_h$ and $O_t = H_t W_{hq} + b_q$,
        //: over a window of $T$ steps. $H_t$ reaches the loss through its output $O_t$ and through
        //: $H_{t+1}$, so the loss's gradient with respect to it, $\delta_t = \partial L / \partial H_t$, obeys
        //:
        //: $$\delta_t = \frac{\partial L}{\partial O_t} W_{hq}^\top + \delta_{t+1} W_{hh}^\top
        //: \quad\Longrightarrow\quad \delta_t = \sum_{s=t}^{T} \frac{\partial L}{\partial O_s} W_{hq}^\top \left(W_{hh}^\top\right)^{s-t},$$
        //:
        //: and every step that used $W_{hh}$ adds to its gradient:
        //:
        //: $$\frac{\partial L}{\partial W_{hh}} = \sum_{t=1}^{T} H_{t-1}^\top \delta_t.$$
        //:
        //: With a spectral radius $\rho > 1$ ([Chapter 03](Chapter03-Loss.md)) each factor grows: $H_{t-1}$ like $\rho^{t}$,
        //: the powers of $W_{hh}^\top$ in $\delta_t$ like $\rho^{T-t}$, and the errors $\partial L / \partial O_s$,
        //: which are the errors of the outputs at step $s$, like $\rho^{s}$. The largest term of $\delta_t$,
        //: at $s = T$, is of order $\rho^{T} \rho^{T-t}$, so each of the $T$ terms $H_{t-1}^\top \delta_t$ is of order $\rho^{2T}$:
        //: the gradient grows by about $\rho^2$ for every step the window gets longer. The autodiff
        //: computes exactly these sums (`backward()` walks the recorded steps in reverse); the same
        //: fresh model, measured on windows of growing length:
        let lengths = [3, 7, 11, 15, 19].filter { $0 <= options.windowLength }
        output.heading("Deep RNN from scratch: the gradient of the last layer's W_hh "
                       + "against the window length")
        output.line("  T    loss         |dL/dW_hh|   growth per added step")
        var gradientNorms: [Double] = []
        for length in lengths {
            // the same fresh model as above: the notebook's, or the corrected one with --corrected
            let (freshLine, fresh, _) = deepRNNExperiment(options)
            let (windows, windowTargets) = slidingWindows(of: freshLine.differences, length: length)
            let windowLoss = sequenceLoss(fresh(timeMajorInputs(windows)),
                                          timeMajorTargets(windowTargets))
            windowLoss.backward()
            let norm = Double(fresh.layers[fresh.layers.count - 1].recurrentWeights.grad?.norm ?? 0)
            let perStep = gradientNorms.last.map {
                pow(norm / $0, 1 / Double(length - lengths[gradientNorms.count - 1]))
            }
            output.line("  " + tableRow((String(length), 5), (format(windowLoss.item), 13), (format(norm), 13),
                                        (perStep.map(format) ?? "", nil)))
            gradientNorms.append(norm)
        }
        let rho = drnn.layers.map { spectralRadius($0.recurrentWeights) }.max() ?? 0
        output.line("rho_max^2 = \(format(rho * rho)) (rho_max = \(format(rho)), "
                    + "the largest spectral radius of the two W_hh)")
        output.record("deep_rnn", "bptt", "window_lengths",
                      value: .array(lengths.map { .number(Double($0)) }))
        output.record("deep_rnn", "bptt", "grad_norms", value: .array(gradientNorms.map(JSON.number)))
        output.record("deep_rnn", "bptt", "rho_max_squared", value: .number(rho * rho))
        //: From {{deep_rnn.bptt.window_lengths.0}} to {{deep_rnn.bptt.window_lengths.-1}} steps the gradient grows
        //: from {{deep_rnn.bptt.grad_norms.0}} to {{deep_rnn.bptt.grad_norms.-1}}, by a factor per added step
        //: of the order of $\rho_{\max}^2$ = {{deep_rnn.bptt.rho_max_squared}}: the explosion that the
        //: clipping below has to tame.

        //: ## Per parameter or global: the direction of the step
        //: @Code(Sources/Workbook/Clipping.swift, clipGradientsGlobally)
        //:
        //: The global rule scales every gradient by the same factor; the notebook's rule by one factor
        //: per tensor. The cosine between the clipped step and the raw gradient says how far the
        //: per-parameter rule turns the step away from steepest descent.
        let parameters = drnn.parameters
        let raw = parameters.map { $0.grad?.values ?? [] }
        clipGradientsPerParameter(parameters, alpha: 1)
        let perParameter = parameters.map { $0.grad?.values ?? [] }
        for (p, g) in zip(parameters, raw) { p.grad?.assign(Tensor(g, shape: p.shape)) }
        let globalNorm = clipGradientsGlobally(parameters, maxNorm: 1)
        let global = parameters.map { $0.grad?.values ?? [] }
        output.line("global norm of the registered gradients \(format(globalNorm)); "
                    + "d2l's rule with theta = 1 scales all by \(format(min(1, 1 / globalNorm)))")
        output.line("cosine between the step and the raw gradient: "
                    + "per-parameter \(format(cosine(perParameter, raw))), "
                    + "global \(format(cosine(global, raw)))")

        //: ## The bidirectional model: gradients beyond float range
        //: @Notebook(bidirectional-rnn, "def gradientClipping(brnn, alpha=1):")
        //:
        //: The same rule over the BRNN's ten tensors: `clipGradientsPerParameter(brnn.parameters, alpha: 1)`.
        // experiment (c): the digits, then the weights (Sources/Experiments)
        let (task, brnn) = bidirectionalExperiment(options)
        // int(np.floor(5000 * 0.75))
        let n = 3750
        let (forward, backward) = bidirectionalInputs(task.digits.narrowed(along: 0, to: 0..<n),
                                                      scaled: options.corrected)
        let labels = task.labels.narrowed(along: 0, to: 0..<n)
        let lossFunction: BidirectionalLoss = options.corrected ? .fixed : .notebook
        let optimizer = SGD(brnn.parameters, learningRate: options.learningRate(0.1))
        output.heading("Bidirectional model: two clipped SGD steps at lr 0.1 "
                       + "(\(lossFunction.rawValue) loss)")
        var zeroed: [String] = []
        for step in 1...2 {
            lossFunction(brnn(forward, backward), labels).backward()
            let infinite = brnn.namedParameters.filter { $0.tensor.grad?.norm.isInfinite ?? false }
                .map(\.name)
            clipGradientsPerParameter(brnn.parameters, alpha: 1)
            optimizer.step()
            optimizer.zeroGrad()
            let after = lossFunction(brnn(forward, backward), labels).item
            output.line("step \(step): loss after it \(Output.python(after)); "
                        + "gradients with an infinite float32 norm, zeroed by the clipping: "
                        + (infinite.isEmpty ? "none" : infinite.joined(separator: ", ")))
            zeroed += infinite
        }
        output.record("bidirectional_rnn", "zeroed_by_overflow", value: .array(zeroed.map(JSON.string)))

        output.summary("Summary: per-parameter clipping turns the deep RNN's step to cosine "
                       + "\(format(cosine(perParameter, raw))) with the gradient "
                       + "(global clipping keeps 1); \(zeroed.count) bidirectional gradients "
                       + "overflowed and were zeroed in two steps.")
    }

    /// The cosine of the angle between two lists of gradients seen as one vector each.
    func cosine(_ a: [[Float]], _ b: [[Float]]) -> Double {
        var (dot, na, nb) = (0.0, 0.0, 0.0)
        for (u, v) in zip(a.joined(), b.joined()) {
            dot += Double(u) * Double(v); na += Double(u) * Double(u); nb += Double(v) * Double(v)
        }
        return na > 0 && nb > 0 ? dot / (na.squareRoot() * nb.squareRoot()) : 0
    }
}

/*:
 ## Summary

 The notebooks clip each parameter's gradient on its own, to a norm of `alpha` times its number of
 elements. That bounds every step but turns its direction away from the gradient's; d2l's global
 rule scales all gradients together and keeps the direction. For the bidirectional model the
 gradients are so large that their float32 norm overflows to infinity, and the clipping then sets
 them to zero: those tensors are not updated at all that step.

 ## Try it

 - `swift run Chapter04-Clipping --corrected`: the tanh model's gradients, which grow by about 1 per
   added step instead of about ρ².
 - `swift run Chapter04-Clipping --window-length 11`: the table stops at a window of 11.
 - `swift run Chapter04-Clipping --learning-rate 0.01`: the two clipped bidirectional steps at a
   smaller learning rate.
 - To edit: in `Chapters/Chapter04-Clipping/Chapter04.swift`, the line
   `let lengths = [3, 7, 11, 15, 19].filter { $0 <= options.windowLength }`; add lengths to see
   the growth step by step.

 ## Exercises

 1. Change `alpha` in your head: for which value would the per-parameter rule leave the fresh
    deep RNN's gradients untouched?
 2. Why does an infinite norm turn `theta / norm` into 0 rather than leave the gradient alone?
 3. Run `swift run Chapter04-Clipping --corrected`: do the corrected bidirectional gradients need
    clipping at all?
 */
