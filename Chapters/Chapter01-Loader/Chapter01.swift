/*:
 # Chapter 01 — Loader

 An RNN learns from sequences. The deep RNN notebook cuts the 199 differences into overlapping
 windows of 19 (`sequencesPreparation`): window `i` holds the differences `i … i+18` and its target
 is the same window one step later, `i+1 … i+19`, so that at every step the model predicts the
 next difference. That gives 199 − 19 = 180 windows, and the notebook takes all of them in one
 batch. The bidirectional notebook batches its rows of digits the same way: 5000 per batch, so the
 3750 training rows make a single batch too.

 Both notebooks wrap their tensors in a `torch.utils.data.DataLoader` with `num_workers=2`: two
 worker processes that hand over one row at a time. With one batch per epoch this costs most of
 the notebooks' running time and changes nothing in the results; `DataLoader` here slices the
 tensors directly. Shuffling draws from the loader's own generator, so it does not disturb the
 draws of the weights.
 */
//: @Fold(The program: its imports, options and title line)
import ArgumentParser
import ChapterSupport
import Workbook

@main
struct LoaderChapter: Chapter {
    static let configuration = chapter(
        "Chapter01-Loader",
        abstract: "Sliding windows over the differences, and batching loaders for both notebooks.")

    // The loaders are the same in the corrected runs: this chapter has no --corrected variant.
    @OptionGroup var common: CommonOptions         // --seed, --quiet, --json
    @OptionGroup var window: WindowOption          // --window-length
    var options: ChapterOptions { ChapterOptions(common, window) }

    func run(_ output: Output) throws {
        output.line("Chapter 01 — Loader (seed \(options.seed))")

        //: ## Sliding windows: `sequencesPreparation(data_trans, 19)`
        //: @Notebook(deep-rnn, "def sequencesPreparation(")
        //:
        //: The same loop in Swift, with ranges for the slices (`data[i..<i + sequenceLength]` is
        //: `input_data_1d[i:i+sequence_len]`); the engine's `slidingWindows(of:length:)`, which the
        //: other chapters call, makes the same tensors:
        //: @Code(Chapters/Chapter01-Loader/Chapter01.swift, sequencesPreparation)
        var generator = options.generator()
        let line = NoisyLine(count: 200, using: &generator)
        let (x, y) = sequencesPreparation(line.differences, options.windowLength)
        output.heading("Deep RNN: windows of \(options.windowLength) differences")
        output.line("X.shape \(describe(shape: x.shape)), Y.shape \(describe(shape: y.shape))")
        let firstX = x[0].values, firstY = y[0].values
        output.line("X[0][:4] " + firstX.prefix(4).map(Output.python).joined(separator: ", ") + ", …")
        output.line("Y[0][:4] " + firstY.prefix(4).map(Output.python).joined(separator: ", ")
                    + ", …  (X[0] one step later)")
        output.line("Y[0][:-1] == X[0][1:]: \(Array(firstY.dropLast()) == Array(firstX.dropFirst()))")

        //: ## The loaders: `XYdataLoader(data_trans, 19, 180, shuffle)`
        //: @Notebook(deep-rnn, "def XYdataLoader(")
        //: @Code(Sources/Workbook/Data.swift, DataLoader)
        //:
        //: @Notebook(deep-rnn, "dataset_approx = XYdataLoader(data_trans, sequence_len, batch_size, False);")
        //:
        //: `batch_size = (num_data − 1) − sequence_len` = 180: one batch holds every window.
        // (num_data - 1) - sequence_len
        let batchSize = (200 - 1) - options.windowLength
        let dataset = DataLoader(inputs: x, targets: y, batchSize: batchSize, shuffle: true,
                                 seed: UInt64(options.seed))
        let datasetApprox = DataLoader(inputs: x, targets: y, batchSize: batchSize, shuffle: false)
        let trainingBatches = dataset.epoch(), orderedBatches = datasetApprox.epoch()
        output.line("batch_size \(dataset.batchSize): \(trainingBatches.count) batch per epoch of "
                    + "\(describe(shape: trainingBatches[0].inputs.shape)) windows")
        let sameRows = Set(trainingBatches[0].inputs.values) == Set(orderedBatches[0].inputs.values)
        output.line("shuffled for training (same windows, other order: \(sameRows)), "
                    + "in order for the approximation")
        // which window of X each of the shuffled batch's first rows is
        let firstRows = (0..<min(5, trainingBatches[0].inputs.shape[0])).map { trainingBatches[0].inputs[$0].values }
        let firstWindows = firstRows.map { row in (0..<x.shape[0]).first { x[$0].values == row } ?? -1 }
        output.line("the shuffled batch starts with windows "
                    + firstWindows.map(String.init).joined(separator: ", ") + ", …")
        output.record("deep_rnn", "windows", value: .number(Double(x.shape[0])))
        output.record("deep_rnn", "batches_per_epoch", value: .number(Double(trainingBatches.count)))

        //: ## The bidirectional notebook's loaders
        //: @Notebook(bidirectional-rnn, "num_training_data = int(np.floor(num_data*0.75));")
        var digitsGenerator = options.generator()
        let task = DigitTask(rows: 5000, using: &digitsGenerator)
        let numTrainingData = Int((Double(task.digits.shape[0]) * 0.75).rounded(.down))   // 3750
        let trainingRows = 0..<numTrainingData, testRows = numTrainingData..<task.digits.shape[0]
        let (xTrain, yTrain) = (task.digits.narrowed(along: 0, to: trainingRows),
                                task.labels.narrowed(along: 0, to: trainingRows))
        let (xTest, yTest) = (task.digits.narrowed(along: 0, to: testRows),
                              task.labels.narrowed(along: 0, to: testRows))
        output.heading("Bidirectional: batch_size 5000")
        output.line("X_train \(describe(shape: xTrain.shape)), X_test \(describe(shape: xTest.shape))")

        //: @Notebook(bidirectional-rnn, "return torch.utils.data.DataLoader(dataset, batch_size, shuffle=shuffle, num_workers=2);")
        //:
        //: The same `DataLoader` as the deep RNN's, over the rows of digits and their labels.
        //:
        //: @Notebook(bidirectional-rnn, "dataset_train = XYdataLoader(X_train, Y_train, batch_size, True);")
        let datasetTrain = DataLoader(inputs: xTrain, targets: yTrain, batchSize: 5000, shuffle: true,
                                      seed: UInt64(options.seed))
        let datasetTest = DataLoader(inputs: xTest, targets: yTest, batchSize: 5000, shuffle: false)
        let trainBatches = datasetTrain.epoch(), testBatches = datasetTest.epoch()
        output.line("training: \(trainBatches.count) batch of X "
                    + "\(describe(shape: trainBatches[0].inputs.shape)), "
                    + "Y \(describe(shape: trainBatches[0].targets.shape))")
        output.line("test: \(testBatches.count) batch of X "
                    + "\(describe(shape: testBatches[0].inputs.shape)), "
                    + "Y \(describe(shape: testBatches[0].targets.shape))")
        output.record("bidirectional_rnn", "training_rows", value: .number(Double(datasetTrain.count)))
        output.record("bidirectional_rnn", "test_rows", value: .number(Double(datasetTest.count)))

        output.summary("Summary: \(x.shape[0]) windows of \(options.windowLength) in "
                       + "\(trainingBatches.count) batch; "
                       + "\(datasetTrain.count) training and \(datasetTest.count) test digit "
                       + "rows, one batch each.")
    }
}

/// The deep RNN notebook's `sequencesPreparation(input_data_1d, sequence_len)`: window `i` is
/// `input_data_1d[i:i+sequence_len]`, its target the same window one step later; both
/// `(n − sequence_len, sequence_len)`.
func sequencesPreparation(_ inputData: Tensor, _ sequenceLength: Int) -> (x: Tensor, y: Tensor) {
    let data = inputData.values
    var x: [Float] = [], y: [Float] = []
    for i in 0..<(data.count - sequenceLength) {
        x += data[i..<(i + sequenceLength)]
        y += data[(i + 1)..<((i + 1) + sequenceLength)]
    }
    let shape = [data.count - sequenceLength, sequenceLength]
    return (Tensor(x, shape: shape), Tensor(y, shape: shape))
}

/*:
 ## Summary

 The 199 differences give 180 windows of 19 steps, each with its targets shifted one step ahead,
 and the notebook's batch size of 180 puts all of them in one batch: every epoch is one step of
 full-batch gradient descent, and shuffling only changes the order of the sum. The bidirectional
 notebook's batch of 5000 likewise holds all 3750 training rows.

 ## Try it

 - `swift run Chapter01-Loader --window-length 10`: more windows, each of 10 differences, all in one batch.
 - `swift run Chapter01-Loader --seed 2`: another shuffled order (its first windows are printed).
 - To edit: in `Chapters/Chapter01-Loader/Chapter01.swift`, the line
   `let batchSize = (200 - 1) - options.windowLength`; with a third of that, an epoch has three
   batches (the printed line counts them).

 ## Exercises

 1. With `--seed 2`, which windows come first in the shuffled batch? Does the order change the
    loss the notebook prints after an epoch?
 2. How many windows would a sequence length of 10 give, and what batch size would the notebook's
    formula `(num_data - 1) - sequence_len` choose?
 3. The notebooks' loaders use `num_workers=2`. Why does that make them slower, not faster, here?
 */
