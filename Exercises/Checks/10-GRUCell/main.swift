// Checks exercise 10: one step against nn.GRUCell(3, 4) run by PyTorch (Exercises/Fixtures/
// 10-GRUCell.json), its value and the gradients of its twelve tensors, the input and the state
// (PyTorch's, and a finite difference's for the state); then a GRU of 8 units with this cell,
// trained by the workbook's own loop on the deep RNN notebook's series and scored on a fresh series
// against the deep RNN (the corrected DRNN) trained the same way, as Chapter 07 scores the models.

import CheckSupport
import ExerciseSupport
import Exercise10
import Foundation
import Workbook

/// A fixture case's weights, as parameters.
func weights(_ c: FixtureCase) -> GRUWeights {
    func gate(_ name: String) -> GRUGate {
        GRUGate(inputWeights: .parameter(c.tensor("weights", name, "input_weights")),
                inputBias: .parameter(c.tensor("weights", name, "input_bias")),
                recurrentWeights: .parameter(c.tensor("weights", name, "recurrent_weights")),
                recurrentBias: .parameter(c.tensor("weights", name, "recurrent_bias")))
    }
    return GRUWeights(reset: gate("reset"), update: gate("update"), candidate: gate("candidate"))
}

/// What two common mistakes compute: the candidate of Cho et al.'s paper (the reset gate on h before
/// the product) and the update gate's two parts swapped.
func mistakes(_ x: Tensor, _ h: Tensor, _ w: GRUWeights) -> [([Float], String)] {
    Tensor.withoutGradients {
        func input(_ g: GRUGate) -> Tensor { x.matmul(g.inputWeights) + g.inputBias }
        func recurrent(_ g: GRUGate) -> Tensor { h.matmul(g.recurrentWeights) + g.recurrentBias }
        let r = sigmoid(input(w.reset) + recurrent(w.reset)), z = sigmoid(input(w.update) + recurrent(w.update))
        let n = (input(w.candidate) + r * recurrent(w.candidate)).tanh()
        let paper = (input(w.candidate) + (r * h).matmul(w.candidate.recurrentWeights) + w.candidate.recurrentBias).tanh()
        return [(((1 - z) * paper + z * h).values, "r multiplies h before the product, as in Cho et al.'s paper: "
                 + "nn.GRUCell multiplies it with h W_hn + b_hn, after the product"),
                ((z * n + (1 - z) * h).values, "z and 1 − z are swapped: h' = (1 − z) ⊙ n + z ⊙ h keeps the old state where z is near 1")]
    }
}

runChecks {
    let fixture = try Fixture("10-GRUCell")
    for c in fixture.cases {
        let w = weights(c)
        let x = Tensor.parameter(c.tensor("x")), h = Tensor.parameter(c.tensor("state"))
        let out = gruCell(x, h, w)
        try naming(mistakes: mistakes(x, h, w), in: out.values) {
            try expectClose(out, c.tensor("next_state"), "h' for \(c.name)", against: "PyTorch: nn.GRUCell(3, 4)(x, h)")
        }
        passed("\(c.name): h' is nn.GRUCell's")
        let loss = (out * c.tensor("w")).sum()
        try require(loss.requiresGrad, "h' is right, but backward() cannot reach the weights from it: compute it with the "
                    + "engine's operations on the tensors you are given, not from their .values")
        loss.backward()
        let gates = [("reset", w.reset, "r"), ("update", w.update, "z"), ("candidate", w.candidate, "n")]
        for (name, gate, letter) in gates {
            for (key, tensor, python) in [("input_weights", gate.inputWeights, "W_i\(letter)"), ("input_bias", gate.inputBias, "b_i\(letter)"),
                                          ("recurrent_weights", gate.recurrentWeights, "W_h\(letter)"),
                                          ("recurrent_bias", gate.recurrentBias, "b_h\(letter)")] {
                try expectClose(try gradient(of: tensor, python), c.tensor("grads", name, key), "the gradient of \(python) (w.\(name)) for \(c.name)",
                                against: "PyTorch: (nn.GRUCell(3, 4)(x, h) * w).sum().backward()", tolerance: 1e-4)
            }
        }
        try expectClose(try gradient(of: x, "x"), c.tensor("x_grad"), "the gradient of x for \(c.name)",
                        against: "PyTorch", tolerance: 1e-4)
        let stateGradient = try gradient(of: h, "the state h")
        try expectClose(stateGradient, c.tensor("state_grad"), "the gradient of the state h for \(c.name)",
                        against: "PyTorch", tolerance: 1e-4)
        let measured = numericalGradient(at: h.values.doubles, step: 1e-2) { moved in
            Tensor.withoutGradients { Double((gruCell(x, Tensor(moved.floats, shape: h.shape), w) * c.tensor("w")).sum().item) }
        }
        try expectClose(stateGradient.values, measured.floats, shape: h.shape, "the gradient of the state h for \(c.name)",
                        against: "a central finite difference (float precision, step 0.01)", tolerance: 2e-2)
        passed("\(c.name): the gradients of the twelve tensors, x and h are PyTorch's, and h's a finite difference's")
    }

    // Trained as Chapter 07 trains the deep RNNs: the notebook's 200 points (seed 0), windows of 19,
    // Adam at lr 0.003 on shuffled batches of 180 for 2000 steps, scored on every window of a fresh
    // 2000-point series drawn from seed 1000.
    let start = Date()
    var data = TorchGenerator(seed: 0)
    let line = NoisyLine(count: 200, using: &data)
    let (inputs, targets) = slidingWindows(of: line.differences, length: 19)
    var fresh = TorchGenerator(seed: 1000)
    let freshWindows = slidingWindows(of: NoisyLine(count: 2000, using: &fresh).differences, length: 19)
    let freshX = timeMajorInputs(freshWindows.inputs), freshY = timeMajorTargets(freshWindows.targets)
    func trainAndScore(_ model: some SequenceModel) -> (training: Float, fresh: Float) {
        let loader = DataLoader(inputs: inputs, targets: targets, batchSize: 180, shuffle: true, seed: 0)
        let losses = trainDeepRNN(model, on: loader, optimizer: Adam(model.parameters, learningRate: 0.003), epochs: 2000,
                                  clippingAlpha: nil)
        return (losses.last ?? .nan, Tensor.withoutGradients { sequenceLoss(model(freshX), freshY).item })
    }
    var weightsGenerator = TorchGenerator(seed: 0)
    let gru = GRU(inputSize: 1, hiddenSize: 8, outputSize: 1, cell: gruCell, using: &weightsGenerator)
    let gruScore = trainAndScore(gru)
    var drnnGenerator = TorchGenerator(seed: 0)
    let drnn = DRNN(numLayers: 2, inputSize: 1, hiddenSize: 8, outputSize: 1, variant: .corrected, using: &drnnGenerator)
    let drnnScore = trainAndScore(drnn)
    let constant = freshWindows.targets.values.reduce(0.0) { $0 + Double($1 - 7) * Double($1 - 7) } / Double(freshWindows.targets.count)
    // σ² (1 + 1 / (k + 1)) at position k = 1 … 19 of a window (Chapter 07): the noise's variance σ² = 100.
    let optimum: Double = (1...19).map { (k: Int) -> Double in 100 * (1 + 1 / Double(k + 1)) }.reduce(0, +) / 19
    say("  one-step error (the notebook's loss) after 2000 Adam steps on the notebook's 200 points, in \(String(format: "%.1f", Date().timeIntervalSince(start))) s:")
    say("    model                          training windows   fresh series")
    say("    GRU, 8 units (yours)           " + show(gruScore.training).padding(toLength: 19, withPad: " ", startingAt: 0) + show(gruScore.fresh))
    say("    deep RNN (corrected DRNN)      " + show(drnnScore.training).padding(toLength: 19, withPad: " ", startingAt: 0) + show(drnnScore.fresh))
    say("    predicting 7 every time                           " + show(Float(constant)))
    say("    the best possible predictor                       " + show(Float(optimum)))
    try require(gruScore.fresh.isFinite && Double(gruScore.fresh) < 0.9 * constant,
                "the trained GRU's error on the fresh series, \(show(gruScore.fresh)), is not below 90% of predicting 7 every time "
                + "(\(show(Float(constant)))): it has learnt nothing a constant does not know")
    try require(gruScore.fresh <= 1.1 * drnnScore.fresh,
                "the trained GRU's error on the fresh series, \(show(gruScore.fresh)), is more than 10% above the deep RNN's, \(show(drnnScore.fresh))")
    passed("trained by trainDeepRNN, the GRU predicts the fresh series about as well as the deep RNN, or better")
}
