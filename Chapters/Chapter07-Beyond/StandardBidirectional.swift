// The notebook's two-halves design against the standard bidirectional RNN,
// `nn.RNN(bidirectional=True)` and a linear layer, trained alike (the ablation's last row).

import ChapterSupport
import Experiments
import Workbook

extension BidirectionalRecipe {
    /// Trains the standard model for each of `seeds`, prints both designs' accuracies beside each
    /// other with their sizes, and draws seed `figureSeed`'s accuracy per epoch for both.
    /// `allFour`: the ablation's last row. Returns the standard model's runs.
    static func compareWithStandard(_ allFour: [Run], seeds: Range<Int>, figureSeed: Int,
                                    _ options: ChapterOptions, _ output: Output) throws -> [Run] {
        let standard = parallelMap(seeds.count) {
            trainStandard(seed: seeds.lowerBound + $0, options, accuracyPerEpoch: $0 == figureSeed)
        }
        for (name, parameters, runs) in [
            ("two halves (BRNN), four fixes", parameterCount(twoHalves: true, options), allFour),
            ("nn.RNN(bidirectional=True)", parameterCount(twoHalves: false, options), standard)] {
            let firstPerfect = runs[figureSeed].accuracies.firstIndex(of: 1).map { "epoch \($0 + 1)" }
                ?? "never"
            output.line(tableRow((name, 30)) + percentages(runs)
                        + "   \(parameters) parameters; seed \(figureSeed) first at 100%: \(firstPerfect)")
        }
        output.record("standard_bidirectional", "test_accuracy", value: .floats(standard.map(\.accuracy)))
        output.record("standard_bidirectional", "test_mse", value: .floats(standard.map(\.loss)))
        try output.draw(accuracyFigure("BEYOND_standard",
                                       [("two halves (the notebook's design, four fixes)",
                                         allFour[figureSeed].accuracies),
                                        ("nn.RNN(bidirectional=True) + Linear",
                                         standard[figureSeed].accuracies)]),
                        caption: "test accuracy after each epoch, seed \(figureSeed): "
                            + "the notebook's two-halves design and the standard bidirectional RNN, "
                            + "trained alike.")
        return standard
    }
}
