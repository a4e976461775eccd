// The rows of the text tables the chapters print.

/// A row of a text table: each cell padded with spaces on the right to its width (or cut to it,
/// as `padding(toLength:withPad:startingAt:)` does), or left as it is for a width of `nil`, then
/// joined by `separator`.
public func tableRow(_ cells: (text: String, width: Int?)..., separator: String = "") -> String {
    cells.map { cell in
        cell.width.map { cell.text.padding(toLength: $0, withPad: " ", startingAt: 0) } ?? cell.text
    }.joined(separator: separator)
}
