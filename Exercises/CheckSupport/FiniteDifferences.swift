// Gradients measured, not derived: central finite differences, in double precision.

/// `∂f/∂xᵢ ≈ (f(x + h eᵢ) − f(x − h eᵢ)) / 2h` for every coordinate of `x`, in double precision,
/// where the error of a smooth `f` is of order h² (about 1e-12 for the default step).
public func numericalGradient(at x: [Double], step h: Double = 1e-6, _ f: ([Double]) -> Double) -> [Double] {
    var point = x
    return x.indices.map { i in
        point[i] = x[i] + h
        let up = f(point)
        point[i] = x[i] - h
        let down = f(point)
        point[i] = x[i]
        return (up - down) / (2 * h)
    }
}

/// `A (m × k) · B (k × n)`, row-major, in double precision: for the checks' own forward passes.
public func product(_ a: [Double], _ b: [Double], _ m: Int, _ k: Int, _ n: Int) -> [Double] {
    var out = [Double](repeating: 0, count: m * n)
    for i in 0..<m { for p in 0..<k { for j in 0..<n { out[i * n + j] += a[i * k + p] * b[p * n + j] } } }
    return out
}

/// `b` `(n)` added to each of the rows of `a` `(rows × n)`.
public func addingRow(_ a: [Double], _ b: [Double]) -> [Double] {
    a.indices.map { a[$0] + b[$0 % b.count] }
}

extension Array where Element == Float {
    /// The values in double precision.
    public var doubles: [Double] { map(Double.init) }
}

extension Array where Element == Double {
    /// The values in float precision.
    public var floats: [Float] { map(Float.init) }
}
