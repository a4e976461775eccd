// Forward values, gradients and the first training updates equal PyTorch's, for seeds 0 and 1.

import Testing
import Workbook

/// The deep RNN notebook's batch: all 180 windows of length 19, unshuffled, time-major.
private func deepRNNBatch(_ line: NoisyLine) -> (x: Tensor, y: Tensor) {
    let (inputs, targets) = slidingWindows(of: line.differences, length: 19)
    return (timeMajorInputs(inputs), timeMajorTargets(targets))
}

@Suite("Losses, gradients and updates equal PyTorch's")
struct TrainingParityTests {
    @Test("From-scratch deep RNN: initial loss and every gradient, layer 0 included", arguments: [0, 1])
    func scratchGradients(seed: Int) throws {
        let fixture = try Fixture(seed: seed)
        var generator = TorchGenerator(seed: UInt64(seed))
        let line = NoisyLine(using: &generator)
        let drnn = DRNN(numLayers: 2, inputSize: 1, hiddenSize: 8, outputSize: 1, using: &generator)
        let (x, y) = deepRNNBatch(line)
        #expect(x.shape == [19, 180, 1] && y.shape == [19, 180])

        let loss = sequenceLoss(drnn(x), y)
        expectClose(loss.item, try fixture.number("deep_rnn", "scratch_initial_loss"), "initial loss")
        loss.backward()
        for (name, tensor) in drnn.allTensors {
            let grad = try #require(tensor.grad, "\(name) has no gradient")
            expectClose(grad, try fixture.tensor(["deep_rnn", "scratch_initial_grads", name]), "∂loss/∂\(name)")
        }
    }

    @Test("From-scratch deep RNN: five SGD updates, lr 1e-4, per-parameter clipping, layer 0 frozen", arguments: [0, 1])
    func scratchUpdates(seed: Int) throws {
        let fixture = try Fixture(seed: seed)
        var generator = TorchGenerator(seed: UInt64(seed))
        let line = NoisyLine(using: &generator)
        let drnn = DRNN(numLayers: 2, inputSize: 1, hiddenSize: 8, outputSize: 1, using: &generator)
        let (x, y) = deepRNNBatch(line)
        let layer0 = drnn.layers[0].recurrentWeights.values
        #expect(drnn.parameters.count == 5, "the notebook registers only layer 1 and the output layer")

        let optimizer = SGD(drnn.parameters, learningRate: 1e-4)
        var losses: [Float] = []
        for _ in 0..<5 {
            sequenceLoss(drnn(x), y).backward()
            clipGradientsPerParameter(drnn.parameters, alpha: 1)
            optimizer.step()
            optimizer.zeroGrad()
            losses.append(sequenceLoss(drnn(x), y).item)
        }
        expectClose(losses, try fixture.numbers("deep_rnn", "scratch_epoch_losses_lr1e-4_clip1"),
                    relativeTolerance: 1e-4, "losses after each update")
        #expect(drnn.layers[0].recurrentWeights.values == layer0, "layer 0 must not change")
    }

    @Test("Concise nn.RNN model: initial loss and five SGD updates at lr 0.03", arguments: [0, 1])
    func conciseUpdates(seed: Int) throws {
        let fixture = try Fixture(seed: seed)
        var dataGenerator = TorchGenerator(seed: UInt64(seed))
        let (x, y) = deepRNNBatch(NoisyLine(using: &dataGenerator))
        var generator = TorchGenerator(seed: UInt64(seed))
        let model = ConciseDRNN(inputSize: 1, hiddenSize: 8, outputSize: 1, numLayers: 2, using: &generator)

        let optimizer = SGD(model.parameters, learningRate: 0.03)
        var losses = [sequenceLoss(model(x), y).item]
        for _ in 0..<5 {
            sequenceLoss(model(x), y).backward()
            optimizer.step()
            optimizer.zeroGrad()
            losses.append(sequenceLoss(model(x), y).item)
        }
        expectClose(losses, try fixture.numbers("deep_rnn", "concise_losses_lr0.03"),
                    relativeTolerance: 1e-4, "initial loss, then after each update")
    }

    @Test("Bidirectional model: both losses, initially and after three clipped updates at lr 0.1",
          arguments: [(0, true), (0, false), (1, true), (1, false)])
    func bidirectional(seed: Int, notebookLoss: Bool) throws {
        let fixture = try Fixture(seed: seed)
        var generator = TorchGenerator(seed: UInt64(seed))
        let task = DigitTask(rows: 5000, using: &generator)
        let brnn = BRNN(inputSize: 1, hiddenSize: 32, outputSize: 1, using: &generator)
        let train = task.digits.narrowed(along: 0, to: 0..<3750)
        let labels = task.labels.narrowed(along: 0, to: 0..<3750)
        let forward = timeMajorInputs(train.narrowed(along: 1, to: 0..<3))
        let backward = timeMajorInputs(train.narrowed(along: 1, to: 3..<6), flipped: true)
        func loss() -> Tensor {
            let yHat = brnn(forward, backward)                   // (N, 1)
            return notebookLoss ? broadcastMeanSquaredError(yHat, labels)
                : meanSquaredError(yHat.flattened(), labels)
        }
        let key = notebookLoss ? "seed_loss" : "fixed_loss"
        expectClose(loss().item, try fixture.number("bidirectional_rnn", "losses", key, "initial"), "initial \(key)")

        let optimizer = SGD(brnn.parameters, learningRate: 0.1)
        var losses: [Float] = []
        for _ in 0..<3 {
            loss().backward()
            clipGradientsPerParameter(brnn.parameters, alpha: 1)
            optimizer.step()
            optimizer.zeroGrad()
            losses.append(loss().item)
        }
        expectClose(losses, try fixture.numbers("bidirectional_rnn", "losses", key, "after_updates_lr0.1_clip1"),
                    relativeTolerance: 1e-4, "\(key) after each update \(losses)")
    }
}

/// The bidirectional model with its training defects corrected (Xavier weights, inputs scaled to
/// [0, 1], the (N,) loss, Adam at lr 0.01), against `corrected_brnn.json`.
@Suite("PyTorch parity: the corrected bidirectional model and Adam")
struct CorrectedBidirectionalParityTests {
    @Test("Xavier initial weights, then five full-batch Adam updates", arguments: [0, 1])
    func adamUpdates(seed: Int) throws {
        let cases = try #require(Fixture(named: "corrected_brnn").root["cases"] as? [[String: Any]])
        let fixture = Fixture(root: try #require(cases.first { $0["seed"] as? Int == seed }))

        var generator = TorchGenerator(seed: UInt64(seed))
        let task = DigitTask(rows: 5000, using: &generator)
        let brnn = BRNN(inputSize: 1, hiddenSize: 32, outputSize: 1, initialization: .xavier, using: &generator)
        for (name, tensor) in brnn.namedParameters {
            expectClose(tensor, try fixture.tensor("init", name), "initial \(name)")
        }

        let digits = task.digits.narrowed(along: 0, to: 0..<3750)
        let labels = task.labels.narrowed(along: 0, to: 0..<3750)
        let (forward, backward) = bidirectionalInputs(digits, scaled: true)
        let optimizer = Adam(brnn.parameters, learningRate: 0.01)
        var losses: [Float] = []
        for _ in 0..<5 {
            let loss = BidirectionalLoss.fixed(brnn(forward, backward), labels)
            losses.append(loss.item)
            loss.backward()
            optimizer.step()
            optimizer.zeroGrad()
        }
        expectClose(losses, try fixture.numbers("losses"), "losses before each update \(losses)")
        for (name, tensor) in brnn.namedParameters {
            expectClose(tensor, try fixture.tensor("after", name), "\(name) after five Adam updates")
        }
    }
}

@Suite("Adam's weight decay equals PyTorch's")
struct AdamWeightDecayTests {
    @Test("Adam(lr=0.01, weight_decay=1): five steps on sum(w * p**2)")
    func weightDecay() throws {
        let fixture = try Fixture(named: "adam_weight_decay")
        let p = Tensor.parameter(Tensor(try fixture.numbers("start").map(Float.init)))
        let w = Tensor(try fixture.numbers("w").map(Float.init))
        let optimizer = Adam([p], learningRate: 0.01, weightDecay: 1)
        let expected = try #require(fixture.value(["after_each_step"]) as? [[Double]])
        for (step, after) in expected.enumerated() {
            optimizer.zeroGrad()
            (w * p * p).sum().backward()
            optimizer.step()
            expectClose(p.values, after, relativeTolerance: 1e-6, "p after step \(step + 1)")
        }
        // The decay flips the sign of some gradients (2w + λ changes sign): without it, the first step differs.
        let q = Tensor.parameter(Tensor(try fixture.numbers("start").map(Float.init)))
        let plain = Adam([q], learningRate: 0.01)
        (w * q * q).sum().backward()
        plain.step()
        #expect(zip(q.values, expected[0]).contains { abs(Double($0) - $1) > 1e-6 * abs($1) })
    }
}
