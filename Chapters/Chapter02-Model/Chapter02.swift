/*:
 # Chapter 02 — Model

 Three models, each drawn from the seed as the notebooks draw them.

 **The deep RNN from scratch**, `DRNN(2, 1, 8, 1)`: two layers of eight hidden units. Layer $l$
 turns the sequence below it, $I_t$ (the input $X_t$ for the first layer, the states of the layer
 below for the others), into a sequence of hidden states, and the last layer's states give the outputs:

 $$H_t = I_t W_{xh} + H_{t-1} W_{hh} + b_h, \qquad O_t = H_t W_{hq} + b_q.$$

 The notebook draws every weight uniform in [−1, 1] and applies no activation: the recurrence is
 linear, and with 8 × 8 matrices of such weights its states grow step after step, here by a factor
 of {{deep_rnn.scratch_growth_per_step}} a step on average: from a window's first output to its
 last, 18 steps later, by {{deep_rnn.scratch_output_growth}}. [Chapter 03](Chapter03-Loss.md) shows why (the powers of $W_{hh}$).

 Its constructor also has a bug: it assigns `self.W_xh`, `self.W_hh` and `self.b_h` again for each
 layer, and PyTorch registers only the tensors an attribute holds last. `drnn.parameters()`
 therefore holds five tensors, not eight: the first layer computes but is never trained.

 **The concise deep RNN**: `torch.nn.RNN(1, 8, num_layers=2, nonlinearity='tanh')` followed by the
 notebook's `OutputLayer`. `RNN` reproduces `nn.RNN`, which stores its weights transposed,
 `(hidden, input)`, and adds two biases per layer:

 $$H_t = \tanh\left(I_t W_{ih}^\top + b_{ih} + H_{t-1} W_{hh}^\top + b_{hh}\right),$$

 every tensor uniform in $[-1/\sqrt 8, 1/\sqrt 8]$; `OutputLayer` is $O_t = H_t W_{hq} + b_q$ again.

 **The bidirectional model**, `BRNN(1, 32, 1)`: a forward RNN over digits 1–3 and a backward RNN
 over digits 6, 5, 4, each with ReLU and its own output, and the prediction is the product of the
 two outputs, for a row whose digits are read as $f_1, f_2, f_3$ forwards and $b_1, b_2, b_3$ backwards:

 $$F_t = \operatorname{ReLU}\left(f_t W^f_{xh} + F_{t-1} W^f_{hh} + b^f_h\right), \qquad B_t = \operatorname{ReLU}\left(b_t W^b_{xh} + B_{t-1} W^b_{hh} + b^b_h\right),$$

 $$\hat y = \left(F_3 W^f_{hq} + b^f_q\right) \cdot \left(B_3 W^b_{hq} + b^b_q\right).$$

 Weights come from `randn`, biases are zero.
 */
//: @Fold(The program: its imports, options and title line)
import ArgumentParser
import ChapterSupport
import Experiments
import Figures
import Foundation
import Workbook

@main
struct ModelChapter: Chapter {
    static let configuration = chapter(
        "Chapter02-Model",
        abstract: "The from-scratch deep RNN, the concise nn.RNN model and the bidirectional model, "
            + "as drawn from the seed.")

    @OptionGroup var common: CommonOptions         // --seed, --quiet, --json
    @OptionGroup var variant: CorrectedOption      // --corrected
    @OptionGroup var model: ModelOptions           // --hidden-size, --window-length
    @OptionGroup var figures: FigureOptions        // --plots-dir, --no-render, --plots-in-terminal
    var options: ChapterOptions { ChapterOptions(common, variant, model, figures) }

    func run(_ output: Output) throws {
        output.line("Chapter 02 — Model (seed \(options.seed))")
        let variant: DRNN.Variant = options.corrected ? .corrected : .notebook

        //: ## The deep RNN from scratch: `drnn = DRNN(2, 1, 8, 1)`
        //: @Notebook(deep-rnn, "class DRNN(nn.Module):")
        //: @Code(Sources/Workbook/DRNN.swift, DRNN)
        //:
        //: @Notebook(deep-rnn, "drnn = DRNN(2, 1, 8, 1);")
        // experiment (a): the data, then the weights (Sources/Experiments)
        let (line, drnn, _) = deepRNNExperiment(options)
        output.heading("Deep RNN from scratch: DRNN(2, 1, 8, 1), "
                       + "\(variant == .notebook ? "as the notebook writes it" : "corrected")")
        for (name, tensor) in drnn.allTensors {
            let registered = drnn.namedParameters.contains { $0.tensor === tensor }
            output.line("  " + tableRow((name, 8), (describe(shape: tensor.shape), 7),
                                        (registered ? "registered" : "NOT registered: never trained or clipped", nil),
                                        separator: " "))
        }
        output.line("len(list(drnn.parameters())) = \(drnn.parameters.count) of "
                    + "\(drnn.allTensors.count) tensors")
        output.record("deep_rnn", "scratch_init",
                      value: .object(drnn.allTensors.map { ($0.name, .tensor($0.tensor)) }))
        output.record("deep_rnn", "scratch_registered",
                      value: .array(drnn.namedParameters.map { .string($0.name) }))

        //: The forward pass on the whole batch: 19 outputs of shape (180, 1). Without an
        //: activation the hidden states grow step after step ([Chapter 03](Chapter03-Loss.md) says why).
        let (inputs, _) = slidingWindows(of: line.differences, length: options.windowLength)
        let x = timeMajorInputs(inputs)                                   // (19, 180, 1)
        let outputs = drnn(x)
        output.line("drnn(X): \(outputs.count) outputs of shape \(describe(shape: outputs[0].shape))")
        let first = rootMeanSquare(outputs[0]), last = rootMeanSquare(outputs[outputs.count - 1])
        output.line("output size (root mean square) at t = 0: \(format(first)), "
                    + "at t = 18: \(format(last)) "
                    + "(× \(format(last / first)) over 18 steps; the targets are about 14)")
        output.record("deep_rnn", "scratch_output_rms", value: .floats(outputs.map(rootMeanSquare)))
        output.record("deep_rnn", "scratch_output_growth", value: .float(last / first))
        output.record("deep_rnn", "scratch_growth_per_step",
                      value: .number(pow(Double(last / first), 1 / Double(outputs.count - 1))))

        //: ## The concise deep RNN: `nn.Sequential(nn.RNN(1, 8, 2), OutputLayer(8, 1))`
        //: @Notebook(deep-rnn, "class OutputLayer(nn.Module):")
        //: @Code(Sources/Workbook/RNN.swift, OutputLayer)
        //:
        //: @Notebook(deep-rnn, "deep_rnn = nn.Sequential(")
        //: @Code(Sources/Workbook/RNN.swift, RNN)
        //: @Code(Sources/Workbook/RNN.swift, drawn)
        //: @Code(Sources/Workbook/RNN.swift, ConciseDRNN)
        // experiment (b): a fresh generator (Sources/Experiments)
        let concise = conciseModel(options)
        output.heading("Concise deep RNN: nn.RNN(1, 8, num_layers=2, tanh) + OutputLayer(8, 1)")
        for (name, tensor) in concise.namedParameters {
            let v = tensor.values
            output.line("  " + tableRow((name, 16), (describe(shape: tensor.shape), 7),
                                        ("values in [\(format(v.min() ?? 0)), \(format(v.max() ?? 0))]", nil),
                                        separator: " "))
        }
        output.line("nn.RNN draws every tensor uniform in [-1/sqrt(8), 1/sqrt(8)] = [-0.3536, 0.3536]; "
                    + "OutputLayer's W_hq is uniform in [-1, 1]")
        let conciseOutputs = concise(x)
        output.line("deep_rnn(X): \(conciseOutputs.count) outputs of shape "
                    + "\(describe(shape: conciseOutputs[0].shape)); size at t = 18: "
                    + "\(format(rootMeanSquare(conciseOutputs[conciseOutputs.count - 1]))) "
                    + "(tanh keeps the states in [-1, 1])")
        output.record("deep_rnn", "concise_init", value: .object(concise.namedParameters.map {
            (String($0.name.dropFirst(2)), .tensor($0.tensor))
        }))

        //: ## The bidirectional model: `brnn = BRNN(1, 32, 1)`
        //: @Notebook(bidirectional-rnn, "class BRNN(nn.Module):")
        //: @Code(Sources/Workbook/BRNN.swift, BRNN)
        //:
        //: The model reads its rows as two sequences of three steps, `fX` (digits 1, 2, 3) and
        //: `bX` (digits 6, 5, 4: the last three, flipped), each `(3, N, 1)`:
        //:
        //: @Notebook(bidirectional-rnn, "def XTransform(X, flip=False):")
        //: @Code(Sources/Workbook/Training.swift, bidirectionalInputs)
        //:
        //: @Notebook(bidirectional-rnn, "brnn = BRNN(1, 32, 1);")
        // experiment (c): the digits, then the weights (Sources/Experiments)
        let (task, brnn) = bidirectionalExperiment(options)
        output.heading("Bidirectional model: BRNN(1, 32, 1)")
        for (name, tensor) in brnn.namedParameters {
            output.line("  " + tableRow((name, 6), (describe(shape: tensor.shape), nil), separator: " "))
        }
        let xTrain = task.digits.narrowed(along: 0, to: 0..<3750)
        // XTransform(X), XTransform(X, True)
        let (forward, backward) = bidirectionalInputs(xTrain, scaled: options.corrected)
        let prediction = brnn(forward, backward)
        output.line("brnn(fX, bX) with fX \(describe(shape: forward.shape)), "
                    + "bX \(describe(shape: backward.shape)): \(describe(shape: prediction.shape))")
        output.line("prediction size (root mean square) \(format(rootMeanSquare(prediction))): "
                    + (options.corrected ? "digits scaled to [0, 1] through Xavier weights"
                                         : "raw digits 0–9 through randn weights")
                    + ", for labels 0 and 1")
        output.record("bidirectional_rnn", "init",
                      value: .object(brnn.namedParameters.map { ($0.name, .tensor($0.tensor)) }))
        try output.draw(bidirectionalDiagram(),
                        caption: "the model: a forward RNN over digits 1–3, "
                            + "a backward RNN over digits 6–4, their outputs multiplied.")

        output.summary("Summary: DRNN with \(drnn.parameters.count) of \(drnn.allTensors.count) "
                       + "tensors registered, outputs growing × \(format(last / first)) over a window; "
                       + "concise model with \(concise.parameters.count) tensors; "
                       + "BRNN with \(brnn.parameters.count).")
    }
}

/*:
 ## Summary

 Three models, the same idea: a hidden state updated from the input and the previous state. The
 notebook's from-scratch DRNN has no activation, so its states grow at every step, and it keeps only
 its last layer's tensors as parameters. The concise model is PyTorch's `nn.RNN` with tanh and a
 small uniform initialisation. The bidirectional model runs two ReLU RNNs over the two halves of a
 row and multiplies their outputs.

 ## Try it

 - `swift run Chapter02-Model --corrected`: every layer registered, with tanh; the outputs stay
   small at every step.
 - `swift run Chapter02-Model --hidden-size 16`: 16 × 16 recurrent matrices, whose spectral radius
   is larger, so the notebook's outputs grow faster.
 - `swift run Chapter02-Model --window-length 10`: nine steps of growth instead of 18.
 - To edit: the models are built in `Sources/Experiments/Experiments.swift`, the line
   `let drnn = DRNN(numLayers: 2, inputSize: 1, hiddenSize: options.hiddenSize(8), outputSize: 1,`;
   with `numLayers: 3` every chapter uses a three-layer model.

 ## Exercises

 1. Run `swift run Chapter02-Model --corrected` and compare the output sizes at t = 0 and t = 18.
    What does tanh change?
 2. Count the parameters of each model by hand and check the printed shapes.
 3. Why does reassigning `self.W_xh` in a loop register only the last layer's tensor in PyTorch?
 */
