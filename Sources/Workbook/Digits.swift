// The bidirectional notebook's data: six random digits per row and the label of each row.

/// The bidirectional notebook's task: rows of six digits, labelled 1 when the number formed by
/// digits 1–3 is below 500 and the number formed by digits 6, 5, 4 is above 500.
public struct DigitTask {
    /// `(N, 6)` digits 0–9 as floats, `floor(10 · rand(N, 6))`, and their labels `(N,)`, 0 or 1.
    public let digits: Tensor, labels: Tensor

    /// Draws the digits and labels them, as the notebook's data cell.
    public init(rows: Int, using generator: inout TorchGenerator) {
        digits = Tensor.rand([rows, 6], using: &generator)
        for i in 0..<digits.count { digits.elements[i] = (10 * digits.elements[i]).rounded(.down) }
        let values = digits.values
        labels = Tensor((0..<rows).map { i in Self.label(of: Array(values[6 * i ..< 6 * i + 6])) })
    }

    /// 1 when `d1 d2 d3 < 500` and `d6 d5 d4 > 500`, else 0.
    public static func label(of row: [Float]) -> Float {
        let forward = Int(row[0]) * 100 + Int(row[1]) * 10 + Int(row[2])
        let backward = Int(row[5]) * 100 + Int(row[4]) * 10 + Int(row[3])
        return forward < 500 && backward > 500 ? 1 : 0
    }
}
