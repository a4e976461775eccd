// The chapter's two training runs for the bidirectional task, side by side: the notebook's
// `trainBRNN` without the loss it prints (the ablation's rows), and the same for the standard
// bidirectional RNN. Each epoch is the engine's `trainEpoch` (Sources/Workbook/Training.swift), which
// clips each parameter's gradient as the notebook does; either run can record the test accuracy
// after every epoch.

import ChapterSupport
import Experiments
import Workbook

extension BidirectionalRecipe {
    /// Trains the notebook's experiment for `seed` with this recipe. The loop is the notebook's
    /// `trainBRNN` without the loss it prints.
    func train(seed: Int, _ options: ChapterOptions, accuracyPerEpoch: Bool) -> Run {
        var generator = TorchGenerator(seed: UInt64(seed))
        let task = DigitTask(rows: 5000, using: &generator)
        let brnn = BRNN(inputSize: 1, hiddenSize: options.hiddenSize(32), outputSize: 1,
                        initialization: initialization, using: &generator)
        let (trainingRows, testRows) = bidirectionalLoaders(task, seed: seed)
        let rounds: [(optimizer: any Optimizer, epochs: Int)] = adam
            ? [(Adam(brnn.parameters, learningRate: 0.01), Self.epochs(options))]
            : zip([0.1, 0.01], [100, 200]).map {   // 0.1/10**i, (i+1)*100
                (SGD(brnn.parameters, learningRate: $0), options.epochs($1))
            }
        var run = Run()
        for (optimizer, epochs) in rounds {
            for _ in 0..<epochs {
                trainEpoch(brnn.parameters, on: trainingRows, optimizer: optimizer) { digits, labels in
                    let (forward, backward) = bidirectionalInputs(digits, scaled: scaledInputs)
                    return loss(brnn(forward, backward), labels)
                }
                if accuracyPerEpoch {
                    run.accuracies.append(testBRNN(brnn, on: testRows, loss: .fixed,
                                                   scaledInputs: scaledInputs).accuracy)
                }
            }
        }
        (run.loss, run.accuracy) = testBRNN(brnn, on: testRows, loss: .fixed,
                                            scaledInputs: scaledInputs)
        return run
    }

    /// Trains `ConciseBRNN` on the notebook's experiment for `seed` (the digits, then the weights)
    /// with the four fixes: the fixed loss, inputs scaled, Adam at lr 0.01, the notebook's clipping.
    static func trainStandard(seed: Int, _ options: ChapterOptions, accuracyPerEpoch: Bool) -> Run {
        var generator = TorchGenerator(seed: UInt64(seed))
        let task = DigitTask(rows: 5000, using: &generator)
        let model = ConciseBRNN(hiddenSize: options.hiddenSize(32), using: &generator)
        let (trainingRows, testRows) = bidirectionalLoaders(task, seed: seed)
        let optimizer = Adam(model.parameters, learningRate: 0.01)
        func test() -> (loss: Float, accuracy: Float) { testStandard(model, on: testRows) }
        var run = Run()
        for _ in 0..<epochs(options) {
            trainEpoch(model.parameters, on: trainingRows, optimizer: optimizer) { digits, labels in
                // all six digits, (6, N, 1)
                meanSquaredError(model(timeMajorInputs(digits / 9)).flattened(), labels)
            }
            if accuracyPerEpoch { run.accuracies.append(test().accuracy) }
        }
        (run.loss, run.accuracy) = test()
        return run
    }
}

/// The test loss (the fixed MSE) and accuracy (a prediction counts as 1 from 0.5) of the standard
/// bidirectional RNN on the test rows, as ``testBRNN(_:on:loss:scaledInputs:)`` scores the notebook's
/// model: the six digits scaled to [0, 1].
func testStandard(_ model: ConciseBRNN, on testRows: DataLoader) -> (loss: Float, accuracy: Float) {
    // (6, 1250, 1), (1250)
    let (testInputs, labels) = (timeMajorInputs(testRows.inputs / 9), testRows.targets)
    // (1250, 1)
    let prediction = Tensor.withoutGradients { model(testInputs).detached() }
    let correct = zip(prediction.values, labels.values)
        .filter { ($0 >= 0.5 ? 1 : 0) == $1 }.count
    return (meanSquaredError(prediction.flattened(), labels).item,
            Float(correct) / Float(labels.count))
}
