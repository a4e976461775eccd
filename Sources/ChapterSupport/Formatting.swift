// Small formatting helpers for the chapters' printed results.

import Foundation

/// A number with four significant digits (`7.048`, `14.13`, `6.579e+10`).
public func format(_ x: Double) -> String {
    guard x.isFinite else { return x.isNaN ? "nan" : (x > 0 ? "inf" : "-inf") }
    if x != 0 && (abs(x) >= 1e6 || abs(x) < 1e-3) { return String(format: "%.3e", x) }
    return String(format: "%.4g", x)
}

public func format(_ x: Float) -> String { format(Double(x)) }

/// `part / whole` as a percentage with two decimals.
public func percent(_ part: Int, _ whole: Int) -> String {
    String(format: "%.2f%%", 100 * Double(part) / Double(max(whole, 1)))
}

/// The mean and the (population) standard deviation.
public func meanAndStandardDeviation(_ xs: [Float]) -> (mean: Double, std: Double) {
    let n = Double(max(xs.count, 1))
    let mean = xs.reduce(0.0) { $0 + Double($1) } / n
    let variance = xs.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / n
    return (mean, variance.squareRoot())
}
