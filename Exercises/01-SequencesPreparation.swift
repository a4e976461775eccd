// Exercise 01 of the RNN workbook. Write the body of the function below, then check it with
// `swift run Exercises 1` (`swift run Exercises hint 1` prints a hint).

/// Exercise 01 — sliding windows and their targets: `sequencesPreparation`.
///
/// Page: [Chapter 01 — Loader › Sliding windows: `sequencesPreparation(data_trans, 19)`](../docs/Chapter01-Loader.md#sliding-windows-sequencespreparationdata_trans-19)
///
/// The deep RNN learns to predict the next difference of its series from the ones before. The
/// notebook's `sequencesPreparation(input_data_1d, sequence_len)` cuts the series into every window
/// of `sequence_len` consecutive values, `X[i] = data[i : i + sequence_len]`, and pairs each window
/// with its target, the same window one step later, `Y[i] = data[i + 1 : i + 1 + sequence_len]`:
/// at every position of the window, the target is the value that comes next.
///
/// **Task.** Return every window of `length` values of `series`, in order, and the target of each.
/// A series of `n` values has `n − length` of them (the last window's target ends at the last value).
///
/// **You may use** Swift's arrays: `series[i ..< i + length]` is a slice, `Array(slice)` an array,
/// `append` adds to one. Nothing from the engine: `slidingWindows(of:length:)` is what you are writing.
///
/// - Parameters:
///   - series: the values (`input_data_1d`; the notebook passes `data_trans`, the differences).
///   - length: the window's length (`sequence_len`, 19 in the notebook), at least 1 and below `series.count`.
/// - Returns: `inputs[i]`, the `i`-th window, and `targets[i]`, its target.
public func sequencesPreparation(_ series: [Float], length: Int) -> (inputs: [[Float]], targets: [[Float]]) {
    // Your code here.
    return (inputs: [], targets: [])
}
