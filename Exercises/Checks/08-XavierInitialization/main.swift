// Checks exercise 08 against nn.init.xavier_uniform_ after torch.manual_seed (Exercises/Fixtures/
// 08-XavierInitialization.json): the bidirectional model's shapes and a (3, 5) weight, drawn one after
// the other, then the generator's next draw (one draw per element); and the workbook's
// BRNN(initialization: .xavier), which draws its six weights in the notebook's order.

import CheckSupport
import Exercise08
import Foundation
import Workbook

runChecks {
    let fixture = try Fixture("08-XavierInitialization")
    for c in fixture.cases {
        let seed = c.integer("seed")
        var generator = TorchGenerator(seed: UInt64(seed))
        for (i, expected) in c.list("weights").enumerated() {
            let shape = expected.shape
            let got = xavierUniform(shape, using: &generator)
            let bound = sqrt(6 / Double(shape[0] + shape[1]))
            let against = "PyTorch: torch.manual_seed(\(seed)), then nn.init.xavier_uniform_ on "
                + c.list("weights")[...i].map { "(\($0.shape.map(String.init).joined(separator: ", ")))" }.joined(separator: ", ")
            try require(got.shape == shape, "the weight for shape \(shape) has shape \(got.shape)")
            // Every value the same multiple of PyTorch's: the draws are right, the bound is not.
            let ratios = zip(got.values, expected.values).filter { $0.1 != 0 }.map { Double($0.0) / Double($0.1) }
            let ratio = ratios.first ?? 1
            let scaled = ratios.count == expected.values.count && ratios.allSatisfy { abs($0 - ratio) < 1e-4 * abs(ratio) }
                && abs(ratio - 1) > 1e-3 && ratio != 0
            do {
                try expectClose(got.values, expected.values, shape: shape, "weight \(i + 1), shape (\(shape[0]), \(shape[1])), seed \(seed)",
                                against: against, tolerance: 1e-6)
            } catch let failure as CheckFailure where scaled {
                throw CheckFailure(failure.message + "\nevery value is \(show(Float(ratio))) times PyTorch's: the draws are right "
                                   + "and the bound is not; PyTorch's is a = √(6 / (fan_in + fan_out)) = \(show(Float(bound))) here")
            }
        }
        passed("seed \(seed): the four weights are nn.init.xavier_uniform_'s")
        let next = generator.nextUniformFloat(), expectedNext = c.number("next_rand")
        try require(next == expectedNext,
                    "after the four weights, the generator's next draw is \(show(next)), PyTorch's torch.rand(1) is \(show(expectedNext)): "
                    + "draw exactly one number per element (\(c.list("weights").map { $0.values.count }.reduce(0, +)) in all), as uniform_ does")
        passed("seed \(seed): one draw per element, as nn.init.xavier_uniform_: PyTorch's next torch.rand is the generator's")
    }

    // The workbook's corrected bidirectional model draws its weights in the notebook's order (the biases,
    // zeros, draw nothing): fW_xh, fW_hh, bW_xh, bW_hh, fW_hq, bW_hq.
    var mine = TorchGenerator(seed: 0), theirs = TorchGenerator(seed: 0)
    let brnn = BRNN(inputSize: 1, hiddenSize: 32, outputSize: 1, initialization: .xavier, using: &theirs)
    let order = [("fW_xh", [1, 32]), ("fW_hh", [32, 32]), ("bW_xh", [1, 32]), ("bW_hh", [32, 32]), ("fW_hq", [32, 1]), ("bW_hq", [32, 1])]
    let named = Dictionary(uniqueKeysWithValues: brnn.namedParameters.map { ($0.name, $0.tensor) })
    for (name, shape) in order {
        guard let expected = named[name] else { continue }
        try expectClose(xavierUniform(shape, using: &mine), expected, "\(name) drawn in the notebook's order, seed 0",
                        against: "the workbook's BRNN(inputSize: 1, hiddenSize: 32, outputSize: 1, initialization: .xavier)", tolerance: 1e-6)
    }
    passed("the bidirectional model's six weights, drawn in the notebook's order, are the workbook's BRNN(initialization: .xavier)'s")
}
