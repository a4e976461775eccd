// Checks exercise 04: the loss against PyTorch (Exercises/Fixtures/04-BackpropagationThroughTime.json),
// every gradient against central finite differences (double precision), PyTorch's and the workbook's
// autodiff; T = 1 with a batch of one first, then T = 2 and T = 5.

import CheckSupport
import ExerciseSupport
import Exercise04
import Workbook

/// The loss of the linear recurrence in double precision; `w` holds the five weights' values.
func loss(_ w: [[Double]], xs: [[Double]], ys: [[Double]], b: Int, x: Int, h: Int, q: Int) -> Double {
    var state: [Double] = [], total = 0.0
    for (t, input) in xs.enumerated() {
        var z = addingRow(product(input, w[0], b, x, h), w[2])
        if t > 0 { z = zip(z, product(state, w[1], b, h, h)).map(+) }
        state = z
        let o = addingRow(product(z, w[3], b, h, q), w[4])
        total += zip(o, ys[t]).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) }
    }
    return total / Double(xs.count * b * q)
}

runChecks {
    let fixture = try Fixture("04-BackpropagationThroughTime")
    let names = ["dW_xh", "dW_hh", "db_h", "dW_hq", "db_q"], keys = ["W_xh", "W_hh", "b_h", "W_hq", "b_q"]
    for c in fixture.cases {
        let (xs, ys) = (c.matrices("inputs"), c.matrices("targets"))
        let w = LinearRecurrence(inputWeights: c.matrix("weights", "W_xh"), recurrentWeights: c.matrix("weights", "W_hh"),
                                 bias: c.values("weights", "b_h"), outputWeights: c.matrix("weights", "W_hq"),
                                 outputBias: c.values("weights", "b_q"))
        let (b, x, h, q) = (xs[0].rows, xs[0].columns, w.recurrentWeights.rows, w.outputWeights.columns)
        let (gotLoss, g) = backpropagationThroughTime(inputs: xs, targets: ys, weights: w)
        let expectedLoss = c.number("loss")
        let count = Float(xs.count * b * q)
        try naming(mistakes: [([expectedLoss * count], "the loss is the sum: it is the mean over all T · B · Q = \(Int(count)) outputs")],
                   in: [gotLoss]) {
            try expectClose(gotLoss, expectedLoss, "the loss for \(c.name)", against: "PyTorch: ((O - Y)**2).mean()")
        }
        passed("\(c.name): the loss is PyTorch's")

        let gotValues = [g.inputWeights.values, g.recurrentWeights.values, g.bias, g.outputWeights.values, g.outputBias]
        let shapes = [[x, h], [h, h], [h], [h, q], [q]]
        let weights = [w.inputWeights.values, w.recurrentWeights.values, w.bias, w.outputWeights.values, w.outputBias].map(\.doubles)
        for i in 0..<5 {
            let measured = numericalGradient(at: weights[i]) { moved in
                var v = weights
                v[i] = moved
                return loss(v, xs: xs.map(\.values.doubles), ys: ys.map(\.values.doubles), b: b, x: x, h: h, q: q)
            }
            // Without the gradient that flows back from H_{t+1}, only the step's own output counts.
            var withoutCarry: [Float] = []
            if xs.count > 1, i < 3 {
                let pieces = (0..<xs.count).map { t in
                    backpropagationThroughTimeAlone(xs, ys, w, step: t)
                }
                withoutCarry = pieces.reduce(into: [Float](repeating: 0, count: gotValues[i].count)) { sum, piece in
                    for j in sum.indices { sum[j] += piece[i][j] }
                }
            }
            let zero = [Float](repeating: 0, count: gotValues[i].count)
            try naming(mistakes: [(i == 2 || i == 4 ? zero : [], "\(names[i]) is zero: the bias is added to every row at every step, "
                                   + "so its gradient is the sum of the rows of δ_t (or dO_t), added up over the steps"),
                                  (withoutCarry, "δ_t only holds dO_t W_hqᵀ: the gradient from H_{t+1}, δ_{t+1} W_hhᵀ, "
                                   + "must be added to it (walk the steps from the last, carrying it back)")],
                       in: gotValues[i]) {
                try expectClose(gotValues[i], measured.floats, shape: shapes[i], "\(names[i]) for \(c.name)",
                                against: "a central finite difference of the loss", tolerance: 1e-4)
            }
        }
        passed("\(c.name): the five gradients agree with finite differences")
        for i in 0..<5 {
            try expectClose(gotValues[i], c.values("grads", keys[i]), shape: shapes[i], "\(names[i]) for \(c.name)",
                            against: "PyTorch: loss.backward()")
        }
        passed("\(c.name): the five gradients are PyTorch's")

        // The workbook's autodiff, as the notebook's DRNN layer computes it.
        let tensors = [w.inputWeights, w.recurrentWeights].map { Tensor($0.values, shape: [$0.rows, $0.columns], requiresGrad: true) }
            + [Tensor(w.bias, requiresGrad: true), Tensor(w.outputWeights.values, shape: [h, q], requiresGrad: true),
               Tensor(w.outputBias, requiresGrad: true)]
        var state: Tensor? = nil, outputs: [Tensor] = []
        for input in xs {
            var z = Tensor(input.values, shape: [b, x]).matmul(tensors[0])
            if let state { z = z + state.matmul(tensors[1]) }
            state = z + tensors[2]
            outputs.append(state!.matmul(tensors[3]) + tensors[4])
        }
        (Tensor.stack(outputs) - Tensor(ys.flatMap(\.values), shape: [xs.count, b, q])).squared().mean().backward()
        for i in 0..<5 where xs.count > 1 || i != 1 {
            try expectClose(gotValues[i], try gradient(of: tensors[i], names[i]).values, shape: shapes[i], "\(names[i]) for \(c.name)",
                            against: "the workbook's autodiff of the same steps")
        }
        passed("\(c.name): the five gradients are the workbook's autodiff's")
    }
}

/// The gradients of W_xh, W_hh and b_h when step `t`'s output error goes back to H_t only, not
/// further: what a backward pass without the carried δ_{t+1} W_hhᵀ adds up.
func backpropagationThroughTimeAlone(_ xs: [Matrix], _ ys: [Matrix], _ w: LinearRecurrence, step t: Int) -> [[Float]] {
    var states: [Matrix] = []
    for (s, x) in xs.enumerated() {
        var z = x.matmul(w.inputWeights) + w.bias
        if s > 0 { z = z + states[s - 1].matmul(w.recurrentWeights) }
        states.append(z)
    }
    let o = states[t].matmul(w.outputWeights) + w.outputBias
    let count = Float(xs.count * o.rows * o.columns)
    let delta = ((2 / count) * (o - ys[t])).matmul(w.outputWeights.transposed())
    let dwhh = t > 0 ? states[t - 1].transposed().matmul(delta).values : [Float](repeating: 0, count: w.recurrentWeights.values.count)
    return [xs[t].transposed().matmul(delta).values, dwhh, delta.columnSums()]
}
