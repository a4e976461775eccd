// Data: the deep RNN notebook's sliding windows, a batching loader, the time-major transformations.

import Kernels

/// The deep RNN notebook's `sequencesPreparation(input_data_1d, sequence_len)`.
///
/// Window `i` holds `series[i ..< i + length]`; its target is the same window one step later. A
/// series of `n` values gives inputs and targets of `(n − length, length)`.
public func slidingWindows(of series: Tensor, length: Int) -> (inputs: Tensor, targets: Tensor) {
    check(series.rank == 1 && length > 0 && length < series.count,
          "slidingWindows: need a series longer than the window \(length), got shape \(describe(shape: series.shape))")
    let windows = series.count - length
    let inputs = Tensor(zeros: [windows, length]), targets = Tensor(zeros: [windows, length])
    for i in 0..<windows {
        (inputs.elements + i * length).update(from: series.elements + i, count: length)
        (targets.elements + i * length).update(from: series.elements + i + 1, count: length)
    }
    return (inputs, targets)
}

/// Batches of rows of an input and a target tensor (`torch.utils.data.DataLoader` over a
/// `TensorDataset`). With `shuffle`, every epoch visits the rows in a new order drawn from the
/// loader's own generator, so shuffling does not disturb the weights' draws.
public final class DataLoader {
    public let inputs: Tensor, targets: Tensor
    public let batchSize: Int, shuffle: Bool
    private var generator: TorchGenerator
    /// The rows' order, drawn again each epoch in the same array (a new one each epoch cost 1.5% of the deep RNN's).
    private var order: [Int]

    public init(inputs: Tensor, targets: Tensor, batchSize: Int, shuffle: Bool, seed: UInt64 = 0) {
        check(inputs.rank >= 1 && targets.rank >= 1 && inputs.shape[0] == targets.shape[0],
              "DataLoader: inputs \(describe(shape: inputs.shape)) and targets \(describe(shape: targets.shape)) have different numbers of rows")
        check(batchSize > 0, "DataLoader: batch size must be positive, got \(batchSize)")
        (self.inputs, self.targets, self.batchSize, self.shuffle) = (inputs, targets, batchSize, shuffle)
        generator = TorchGenerator(seed: seed)   // the loader's own
        order = Array(0..<inputs.shape[0])
    }

    public var count: Int { inputs.shape[0] }   // rows

    /// One epoch's batches. Unshuffled, a batch that spans every row is the tensors themselves.
    public func epoch() -> [(inputs: Tensor, targets: Tensor)] {
        for i in order.indices { order[i] = i }   // 0, 1, …, count − 1 again, in the same array
        if shuffle {
            // Fisher–Yates, written out so the order never depends on the standard library's version.
            for i in stride(from: count - 1, to: 0, by: -1) {
                order.swapAt(i, Int((UInt64(generator.nextUInt32()) * UInt64(i + 1)) >> 32))   // j uniform in 0...i
            }
        }
        return stride(from: 0, to: count, by: batchSize).map { start in
            let rows = order[start..<Swift.min(start + batchSize, count)]
            if !shuffle && rows.count == count { return (inputs, targets) }
            return (gatherRows(inputs, rows), gatherRows(targets, rows))
        }
    }

    private func gatherRows(_ x: Tensor, _ rows: ArraySlice<Int>) -> Tensor {
        let width = x.count / x.shape[0]
        let out = Tensor(zeros: [rows.count] + x.shape.dropFirst())
        for (i, row) in rows.enumerated() { (out.elements + i * width).update(from: x.elements + row * width, count: width) }
        return out
    }
}

/// The notebooks' `XTransform(X, flip)`: batch-major `(B, T)` rows to time-major `(T, B, 1)` inputs;
/// with `flipped`, each row read backwards first (`torch.flip(X, dims=(1,))`), as the backward RNN.
public func timeMajorInputs(_ x: Tensor, flipped: Bool = false) -> Tensor {
    let rows = flipped ? x.flipped(along: 1) : x
    let t = rows.transposed(0, 1)                       // (T, B)
    return t.reshaped([t.shape[0], -1, 1])              // (T, B, 1)
}

/// The deep RNN notebook's `YTransform(Y)`: `(B, T)` targets to time-major `(T, B)`.
public func timeMajorTargets(_ y: Tensor) -> Tensor { y.transposed(0, 1) }
