// What the chapter's sections share: one-step errors, means, and the right-aligned columns of its
// tables (the others are `tableRow`'s, Sources/ChapterSupport/TableRow.swift).

import Workbook

/// The mean squared error of a model's one-step predictions at each position of the window, over
/// every window: `x` `(T, B, 1)` and `y` `(T, B)` as `XTransform` and `YTransform` make them.
func oneStepErrors(_ model: some SequenceModel, _ x: Tensor, _ y: Tensor) -> [Double] {
    let outputs = Tensor.withoutGradients { model(x).map { $0.detached() } }   // T × (B, 1)
    return outputs.enumerated().map { t, prediction in
        let target = y[t].values
        return zip(prediction.values, target)
            .reduce(0.0) { $0 + Double($1.0 - $1.1) * Double($1.0 - $1.1) } / Double(target.count)
    }
}

extension [Double] {
    var mean: Double { reduce(0, +) / Double(Swift.max(count, 1)) }
}

/// `text` padded with spaces on the left to at least `width` characters: a column of numbers.
func leftPadded(_ text: String, _ width: Int) -> String {
    text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
}

