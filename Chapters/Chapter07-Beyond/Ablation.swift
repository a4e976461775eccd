// The ablation: the notebook's bidirectional training with the four fixes added one at a time,
// each row trained for seeds 0 to 4 and scored on the 1250 test rows.

import ChapterSupport
import Experiments
import Figures
import Workbook

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
}

extension BidirectionalRecipe {
    /// The number of trained values of each design.
    static func parameterCount(twoHalves: Bool, _ options: ChapterOptions) -> Int {
        var generator = TorchGenerator(seed: 0)
        let h = options.hiddenSize(32)
        let model: any Module = twoHalves
            ? BRNN(inputSize: 1, hiddenSize: h, outputSize: 1, using: &generator)
            : ConciseBRNN(hiddenSize: h, using: &generator)
        return model.parameters.map(\.count).reduce(0, +)
    }

    /// Trains every row of the ablation for each of `seeds` (the runs share the cores, with the
    /// results a loop over them gives), prints the table and draws the accuracy per epoch of seed
    /// `figureSeed`. Returns each row's runs, in the order of ``ablation``.
    static func runAblation(seeds: Range<Int>, figureSeed: Int, _ options: ChapterOptions,
                            _ output: Output) throws -> [[Run]] {
        let jobs = ablation.flatMap { recipe in seeds.map { seed in (recipe, seed) } }
        let allRuns = parallelMap(jobs.count) { i in
            jobs[i].0.train(seed: jobs[i].1, options, accuracyPerEpoch: jobs[i].1 == figureSeed)
        }
        let rows = ablation.indices.map { i in Array(allRuns[(i * seeds.count)..<((i + 1) * seeds.count)]) }
        output.line(tableRow(("recipe", 20)) + seeds.map { leftPadded("seed \($0)", 9) }.joined()
                    + "    test MSE, mean of seeds")
        for (recipe, runs) in zip(ablation, rows) {
            output.line(tableRow((recipe.name, 20)) + percentages(runs) + "    "
                        + "\(format(runs.map { Double($0.loss) }.mean))")
            output.record("ablation", recipe.key, "test_accuracy", value: .floats(runs.map(\.accuracy)))
            output.record("ablation", recipe.key, "test_mse", value: .floats(runs.map(\.loss)))
        }
        // The notebook's row is drawn last, dashed over the others, which end near it.
        let curves = zip(ablation, rows).map { ($0.name, $1[figureSeed - seeds.lowerBound].accuracies) }
        try output.draw(accuracyFigure("BEYOND_ablation", Array(curves.dropFirst()), last: curves.first),
                        caption: "test accuracy after each epoch, seed \(figureSeed), "
                            + "for each step of the ablation (the notebook's own row in black).")
        return rows
    }
}

/// Each run's test accuracy, in %, in columns of 9.
func percentages(_ runs: [BidirectionalRecipe.Run]) -> String {
    runs.map { String(format: "%8.2f%%", 100 * $0.accuracy) }.joined()
}

/// A figure of test accuracies (in %) per epoch; `last` drawn over the others in black.
func accuracyFigure(_ name: String, _ curves: [(String, [Float])],
                    last: (String, [Float])? = nil) -> Figure {
    var figure = Figure(name: name, xLabel: "epoch", yLabel: "test accuracy (%)")
    figure.keyPosition = "bottom right"
    for (label, accuracies) in curves {
        figure.addLine(x: accuracies.indices.map { Float($0 + 1) }, y: accuracies.map { 100 * $0 },
                       label: label)
    }
    if let (label, accuracies) = last {
        figure.addLine(x: accuracies.indices.map { Float($0 + 1) }, y: accuracies.map { 100 * $0 },
                       color: "#000000", label: label)
    }
    return figure
}
