// Mistake: one window too few.
// (The reference solution of exercise 01 with this one mistake: its check must fail.)

/// The deep RNN notebook's `sequencesPreparation(input_data_1d, sequence_len)`: every window of
/// `length` values of `series`, and the same window one step later.
public func sequencesPreparation(_ series: [Float], length: Int) -> (inputs: [[Float]], targets: [[Float]]) {
    var inputs: [[Float]] = [], targets: [[Float]] = []
    for i in 0..<(series.count - length - 1) {
        inputs.append(Array(series[i ..< i + length]))
        targets.append(Array(series[i + 1 ..< i + 1 + length]))
    }
    return (inputs, targets)
}
