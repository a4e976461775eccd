// A bidirectional `RNN`, `Linear` and `ConciseBRNN` against PyTorch's `nn.RNN(bidirectional=True)` and
// `nn.Linear` (`bidirectional_rnn.json`, made by `make_bidirectional_rnn_fixture.py`), and against
// finite differences.

import Testing
import Workbook

@Suite("RNN(bidirectional: true): nn.RNN(bidirectional=True) and the concise digit model equal PyTorch's")
struct BidirectionalRNNTests {
    /// One seed's `"rnn"` or `"concise"` case of `bidirectional_rnn.json`.
    static func fixture(seed: Int, _ part: String) throws -> Fixture {
        let cases = try #require(Fixture(named: "bidirectional_rnn").root["cases"] as? [[String: Any]])
        let seedCase = try #require(cases.first { $0["seed"] as? Int == seed })
        return Fixture(root: try #require(seedCase[part] as? [String: Any]))
    }

    /// The parameters' names in PyTorch's order, and their values exactly (the same draws, rounded the same way).
    static func expectInitialParameters(_ model: Module, _ fixture: Fixture,
                                        sourceLocation: SourceLocation = #_sourceLocation) throws {
        #expect(model.namedParameters.map(\.name) == fixture.value(["order"]) as? [String],
                "names and order of named_parameters()", sourceLocation: sourceLocation)
        for (name, tensor) in model.namedParameters {
            expectClose(tensor, try fixture.tensor(["init", name]), relativeTolerance: 0, "initial \(name)",
                        sourceLocation: sourceLocation)
        }
    }

    @Test("nn.RNN(3, 4, num_layers=2, bidirectional=True): parameters, output, h_n and every gradient",
          arguments: [0, 1])
    func twoLayers(seed: Int) throws {
        let fixture = try Self.fixture(seed: seed, "rnn")
        var generator = TorchGenerator(seed: UInt64(seed))
        let rnn = RNN(inputSize: 3, hiddenSize: 4, numLayers: 2, bidirectional: true, using: &generator)
        try Self.expectInitialParameters(rnn, fixture)
        // randn's Box–Muller rounds a little differently from PyTorch's vectorised one (an ulp or
        // two): check the draws, then compute with PyTorch's own values.
        let x = try fixture.tensor("x"), weightsOut = try fixture.tensor("w_out"), weightsH = try fixture.tensor("w_h")
        for (name, draw) in [("x", x), ("w_out", weightsOut), ("w_h", weightsH)] {
            expectClose(Tensor.randn(draw.shape, using: &generator), draw, relativeTolerance: 1e-6, "randn \(name)")
        }
        x.requiresGrad = true                                        // (T, B, X)

        let (output, finalStates) = rnn(x)
        expectClose(output, try fixture.tensor("out"), "output (T, B, 2H)")
        expectClose(finalStates, try fixture.tensor("h_n"), "h_n (2L, B, H)")
        // `finalStatesOnly` skips joining the last layer's directions: the same h_n.
        expectClose(Tensor.withoutGradients { rnn(x, finalStatesOnly: true).finalStates }, try fixture.tensor("h_n"), "finalStatesOnly")
        let loss = (output * weightsOut).sum() + (finalStates * weightsH).sum()
        expectClose(loss.item, try fixture.number("loss"), "loss")
        loss.backward()
        for (name, tensor) in rnn.namedParameters {
            let grad = try #require(tensor.grad, "\(name) has no gradient")
            expectClose(grad, try fixture.tensor(["grads", name]), "∂loss/∂\(name)")
        }
        expectClose(try #require(x.grad), try fixture.tensor("x_grad"), "∂loss/∂x")
    }

    @Test("ConciseBRNN (H = 32) on eight rows: parameters, prediction, loss, gradients, three Adam steps",
          arguments: [0, 1])
    func conciseModel(seed: Int) throws {
        let fixture = try Self.fixture(seed: seed, "concise")
        var generator = TorchGenerator(seed: UInt64(seed))
        let model = ConciseBRNN(hiddenSize: 32, using: &generator)
        let digits = DigitTask(rows: 8, using: &generator).digits    // floor(10 · rand(8, 6)), as the notebook
        try Self.expectInitialParameters(model, fixture)
        expectClose(digits, try fixture.tensor("digits"), relativeTolerance: 0, "digits")
        let x = timeMajorInputs(digits / 9)                           // (6, 8, 1)
        let y = Tensor(try fixture.numbers("labels").map(Float.init), shape: [8, 1])

        let prediction = model(x)
        expectClose(prediction, try fixture.tensor("prediction"), "prediction (N, 1)")
        let loss = meanSquaredError(prediction, y)
        expectClose(loss.item, try fixture.number("loss"), "loss")
        loss.backward()
        for (name, tensor) in model.namedParameters {
            let grad = try #require(tensor.grad, "\(name) has no gradient")
            expectClose(grad, try fixture.tensor(["grads", name]), "∂loss/∂\(name)")
        }

        let optimizer = Adam(model.parameters, learningRate: 0.01)
        optimizer.zeroGrad()
        var losses: [Float] = []
        for _ in 0..<3 {
            let loss = meanSquaredError(model(x), y)
            losses.append(loss.item)
            loss.backward()
            optimizer.step()
            optimizer.zeroGrad()
        }
        expectClose(losses, try fixture.numbers("adam_lr0.01_losses"), relativeTolerance: 1e-5, "loss before each Adam step")
        // Adam's step is about lr · sign(g) for every gradient well above ε, but for a gradient near
        // zero (seed 1 has one of 2e-8 in weight_hh_l0_reverse) it follows the gradient's rounding.
        for (name, tensor) in model.namedParameters {
            expectClose(tensor, try fixture.tensor(["adam_lr0.01_after", name]), relativeTolerance: 1e-4,
                        "\(name) after three Adam steps")
        }
    }

    @Test("Gradients of a small bidirectional RNN, Linear and ConciseBRNN match finite differences")
    func finiteDifferences() {
        var g = TorchGenerator(seed: 13)
        let rnn = RNN(inputSize: 2, hiddenSize: 3, numLayers: 2, bidirectional: true, using: &g)
        let x = Tensor.randn([4, 3, 2], using: &g)                   // (T, B, X)
        expectGradientsMatchFiniteDifferences(rnn.parameters + [x], epsilon: 1e-3) { _ in
            let (output, finalStates) = rnn(x)
            return Tensor.concatenate([output.flattened(), finalStates.flattened()])
        }
        let linear = Linear(inputSize: 5, outputSize: 3, using: &g)
        let rows = Tensor.randn([4, 5], using: &g)
        expectGradientsMatchFiniteDifferences(linear.parameters + [rows], epsilon: 1e-3) { _ in linear(rows) }
        let model = ConciseBRNN(hiddenSize: 3, using: &g)
        let digits = timeMajorInputs(DigitTask(rows: 5, using: &g).digits / 9)
        expectGradientsMatchFiniteDifferences(model.parameters + [digits], epsilon: 1e-3) { _ in model(digits) }
    }
}
