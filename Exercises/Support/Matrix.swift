// What the exercises may use beside the Workbook engine: a plain matrix for the hand-written
// forward and backward passes (numpy's 2-D arrays in CS231n's assignments), and the types that
// several exercises and their checks share.

/// A matrix of floats, row-major, as numpy holds a 2-D array: element `[i, j]` is
/// `values[i * columns + j]`.
///
/// A batch of `B` rows of `H` values (a hidden state `H_t`) is a `B × H` matrix; a weight `W_xh`
/// is `X × H`, as the notebooks store it, so that `X_t W_xh` is `x.matmul(inputWeights)`.
public struct Matrix: Equatable, CustomStringConvertible, Sendable {
    public let rows: Int, columns: Int
    /// The elements, row after row (`rows · columns` of them).
    public var values: [Float]

    /// A matrix holding `values`, row after row.
    public init(rows: Int, columns: Int, values: [Float]) {
        precondition(rows >= 0 && columns >= 0 && values.count == rows * columns,
                     "Matrix: \(values.count) values do not fill \(rows) × \(columns)")
        (self.rows, self.columns, self.values) = (rows, columns, values)
    }

    /// A matrix of zeros (`np.zeros((rows, columns))`).
    public init(zeros rows: Int, _ columns: Int) {
        self.init(rows: rows, columns: columns, values: [Float](repeating: 0, count: rows * columns))
    }

    /// Element `[row, column]`.
    public subscript(row: Int, column: Int) -> Float {
        get { values[index(row, column)] }
        set { values[index(row, column)] = newValue }
    }

    private func index(_ row: Int, _ column: Int) -> Int {
        precondition(row >= 0 && row < rows && column >= 0 && column < columns,
                     "Matrix: element [\(row), \(column)] is outside \(rows) × \(columns)")
        return row * columns + column
    }

    /// The shape, as the checks print it: `2 × 4`.
    public var shape: String { "\(rows) × \(columns)" }

    public var description: String { "Matrix(\(shape): \(values))" }

    /// The matrix product `self · other` (`a @ b`): `(M × K) · (K × N) → M × N`.
    public func matmul(_ other: Matrix) -> Matrix {
        precondition(columns == other.rows,
                     "matmul: \(shape) · \(other.shape) do not fit (the left's columns must be the right's rows)")
        var out = Matrix(zeros: rows, other.columns)
        for i in 0..<rows {
            for k in 0..<columns {
                let a = values[i * columns + k]
                for j in 0..<other.columns { out.values[i * other.columns + j] += a * other.values[k * other.columns + j] }
            }
        }
        return out
    }

    /// The transpose (`a.T`): element `[i, j]` moves to `[j, i]`.
    public func transposed() -> Matrix {
        var out = Matrix(zeros: columns, rows)
        for i in 0..<rows { for j in 0..<columns { out.values[j * rows + i] = values[i * columns + j] } }
        return out
    }

    /// `f` applied to every element (`np.tanh(a)` is `a.map(tanh)`).
    public func map(_ f: (Float) -> Float) -> Matrix { Matrix(rows: rows, columns: columns, values: values.map(f)) }

    /// The sum of each column, over the rows (`a.sum(axis=0)`): the gradient of a bias added to every row.
    public func columnSums() -> [Float] {
        var sums = [Float](repeating: 0, count: columns)
        for i in 0..<rows { for j in 0..<columns { sums[j] += values[i * columns + j] } }
        return sums
    }

    /// Elementwise sum, difference and product of two matrices of the same shape.
    public static func + (a: Matrix, b: Matrix) -> Matrix { elementwise(a, b, "+", +) }
    public static func - (a: Matrix, b: Matrix) -> Matrix { elementwise(a, b, "-", -) }
    public static func * (a: Matrix, b: Matrix) -> Matrix { elementwise(a, b, "*", *) }

    /// A row vector added to every row (`a + b` in numpy with `b` of shape `(columns,)`): a bias.
    public static func + (a: Matrix, row: [Float]) -> Matrix {
        precondition(row.count == a.columns, "+: a row of \(row.count) values cannot be added to the rows of \(a.shape)")
        var out = a
        for i in 0..<a.rows { for j in 0..<a.columns { out.values[i * a.columns + j] += row[j] } }
        return out
    }

    /// Every element times a number.
    public static func * (s: Float, a: Matrix) -> Matrix { a.map { s * $0 } }

    private static func elementwise(_ a: Matrix, _ b: Matrix, _ name: String, _ f: (Float, Float) -> Float) -> Matrix {
        precondition(a.rows == b.rows && a.columns == b.columns, "\(name): shapes \(a.shape) and \(b.shape) differ")
        return Matrix(rows: a.rows, columns: a.columns, values: zip(a.values, b.values).map(f))
    }
}

/// The activation φ of a recurrent step: none (the deep RNN notebook's from-scratch DRNN), tanh
/// (`nn.RNN`, and the corrected DRNN), or ReLU (the bidirectional notebook's BRNN).
public enum Activation: String, Sendable {
    case identity, tanh, relu
}
