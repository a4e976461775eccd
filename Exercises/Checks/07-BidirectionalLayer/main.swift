// Checks exercise 07 against nn.RNN(3, 4, bidirectional=True) run by PyTorch (Exercises/Fixtures/
// 07-BidirectionalLayer.json): the output and h_n, then the gradients of every weight and of the
// input, against PyTorch's and central finite differences; five steps (an asymmetric sequence, so
// that states left in reading order are wrong), one step, three steps with a batch of one.

import CheckSupport
import Exercise07
import Workbook

runChecks {
    let fixture = try Fixture("07-BidirectionalLayer")
    for c in fixture.cases {
        var generator = TorchGenerator(seed: 0)
        let rnns = ["", "_reverse"].map { suffix in
            let rnn = RNN(inputSize: 3, hiddenSize: 4, numLayers: 1, using: &generator)
            let layer = rnn.layers[0]
            for (name, tensor) in [("weight_ih_l0", layer.inputWeights), ("weight_hh_l0", layer.recurrentWeights),
                                   ("bias_ih_l0", layer.inputBias), ("bias_hh_l0", layer.recurrentBias)] {
                tensor.assign(c.tensor("parameters", name + suffix))
            }
            return rnn
        }
        let parameters = zip(["", "_reverse"], rnns).flatMap { suffix, rnn in
            rnn.namedParameters.map { (name: $0.name + suffix, tensor: $0.tensor) }
        }
        let xValues = c.tensor("x")
        let (t, b) = (xValues.shape[0], xValues.shape[1])
        let x = Tensor(xValues.values, shape: xValues.shape, requiresGrad: true)
        let layer = { (x: Tensor) in bidirectionalLayer(x, forward: { rnns[0]($0).output }, reverse: { rnns[1]($0).output }) }
        let (output, finalStates) = layer(x)

        let expected = c.tensor("output")
        // The reverse half with its states left in reading order, not flipped back.
        let reverseStates = Tensor.withoutGradients { rnns[1](x.flipped(along: 0)).output }
        let unflipped = Tensor.withoutGradients {
            Tensor.concatenate([rnns[0](x).output, reverseStates], along: 2).values
        }
        try naming(mistakes: [(unflipped, "the reverse direction's states are in the order it read them: flip them back "
                               + "along time, so that its state after reading steps T−1 … t sits beside the forward state of step t")],
                   in: output.values) {
            try expectClose(output, expected, "the output (T, B, 2H) for \(c.name)", against: "PyTorch: out, h_n = rnn(x)")
        }
        let lastReadStep0 = Tensor.withoutGradients { reverseStates.flipped(along: 0)[t - 1].values }
        let forwardLast = Tensor.withoutGradients { rnns[0](x).output[t - 1].values }
        try naming(mistakes: [(forwardLast + lastReadStep0, "the reverse direction's final state is taken at step T−1 of the output: "
                               + "its final state is the last it computed, after reading step 0 (the output's step 0)")],
                   in: finalStates.values) {
            try expectClose(finalStates, c.tensor("final_states"), "the final states h_n (2, B, H) for \(c.name)",
                            against: "PyTorch: out, h_n = rnn(x)")
        }
        passed("\(c.name): the output and h_n are PyTorch's")

        // The gradients, through the engine's autodiff of what the exercise built.
        let loss = (output * c.tensor("w_output")).sum() + (finalStates * c.tensor("w_final_states")).sum()
        try require(loss.requiresGrad, "the output is right, but backward() cannot reach the weights from it: build it "
                    + "from the tensors forward and reverse return, with the engine's operations, not from their .values")
        loss.backward()
        for (name, tensor) in parameters {
            try expectClose(try gradient(of: tensor, name), c.tensor("grads", name), "the gradient of \(name) for \(c.name)",
                            against: "PyTorch: ((out * w).sum() + (h_n * w2).sum()).backward()", tolerance: 1e-4)
        }
        let xGradient = try gradient(of: x, "the input x")
        try expectClose(xGradient, c.tensor("grads", "x"), "the gradient of the input x for \(c.name)",
                        against: "PyTorch: ((out * w).sum() + (h_n * w2).sum()).backward()", tolerance: 1e-4)
        // A finite difference of the same loss, through the exercise's function, with respect to x.
        let measured = numericalGradient(at: xValues.values.doubles, step: 1e-2) { moved in
            Tensor.withoutGradients {
                let (o, h) = layer(Tensor(moved.floats, shape: [t, b, 3]))
                return Double(((o * c.tensor("w_output")).sum() + (h * c.tensor("w_final_states")).sum()).item)
            }
        }
        try expectClose(xGradient.values, measured.floats, shape: xValues.shape, "the gradient of the input x for \(c.name)",
                        against: "a central finite difference (float precision, step 0.01)", tolerance: 2e-2)
        passed("\(c.name): the gradients of the 8 weights and of x are PyTorch's, and x's a finite difference's")
    }
}
