// What every exercise's check shares: how a check passes or fails, and what it says when a value
// is wrong — which value, at which index, what was expected and against what (PyTorch's number,
// a finite difference, the workbook's own autodiff), and what the exercise returned.

import Foundation
import ExerciseSupport
import Workbook

/// A check that did not pass: what is wrong, said so that the learner can act on it.
public struct CheckFailure: Error {
    public let message: String
    public init(_ message: String) { self.message = message }
}

/// Runs one exercise's checks in order: prints `✓ …` for each that passes; the first that fails
/// prints `✗ …` with what is wrong, and the program exits with status 1 (0 when all pass).
public func runChecks(_ body: () throws -> Void) -> Never {
    do {
        try body()
        exit(0)
    } catch let failure as CheckFailure {
        say("✗ " + failure.message.replacingOccurrences(of: "\n", with: "\n  "))
        exit(1)
    } catch {
        say("✗ the check could not run: \(error)")
        exit(1)
    }
}

/// Says that a check passed.
public func passed(_ what: String) { say("✓ " + what) }

/// Prints a line at once, unbuffered, so that it is not lost if the exercise's code then crashes.
public func say(_ line: String) { FileHandle.standardOutput.write(Data((line + "\n").utf8)) }

/// Fails with `message` unless `condition` holds.
public func require(_ condition: Bool, _ message: @autoclosure () -> String) throws {
    if !condition { throw CheckFailure(message()) }
}

/// Formats a float as the messages show it: up to 7 significant digits, as float32 holds them.
public func show(_ x: Float) -> String {
    if x == 0 { return "0" }
    if !x.isFinite { return "\(x)" }
    let magnitude = abs(x)
    return magnitude >= 1e-4 && magnitude < 1e6 ? String(format: "%.7g", Double(x)) : String(format: "%.6e", Double(x))
}

/// An index in a tensor of `shape`, as the messages show it: `[1, 3]`, or `[5]` for a vector.
func indexDescription(_ flat: Int, _ shape: [Int]) -> String {
    var index: [Int] = [], rest = flat
    for size in shape.reversed() { index.append(rest % max(size, 1)); rest /= max(size, 1) }
    return "[" + index.reversed().map(String.init).joined(separator: ", ") + "]"
}

func shapeDescription(_ shape: [Int]) -> String { shape.isEmpty ? "a scalar" : shape.map(String.init).joined(separator: " × ") }

/// Compares `got` with `expected`, elementwise, both of `shape`.
///
/// An element agrees when `|got − expected| ≤ tolerance · scale`, the scale being the larger of the
/// two values or, for values near zero, the root mean square of `expected` (so that a value of 1e-9
/// where 0 was expected passes). The first element that does not agree is named with its index.
/// - Parameters:
///   - what: the value, as the learner knows it: "dW_hh", "H_t for a batch of one".
///   - against: where the expected numbers come from: "PyTorch", "a finite difference".
public func expectClose(_ got: [Float], _ expected: [Float], shape: [Int], _ what: String, against: String,
                        tolerance: Float = 1e-5) throws {
    try require(got.count == expected.count,
                "\(what) has \(got.count) values; it should have \(expected.count) (\(shapeDescription(shape)))")
    if let bad = got.firstIndex(where: { !$0.isFinite }), expected[bad].isFinite {
        throw CheckFailure("\(what)\(shape.isEmpty ? "" : " at \(indexDescription(bad, shape))") is \(got[bad]): "
                           + "expected \(show(expected[bad])) (\(against))")
    }
    let rms = (expected.reduce(0) { $0 + Double($1) * Double($1) } / Double(max(expected.count, 1))).squareRoot()
    var wrong: [Int] = []
    for (i, (g, e)) in zip(got, expected).enumerated() {
        let scale = max(Double(abs(g)), Double(abs(e)), rms, 1e-12)
        if abs(Double(g) - Double(e)) > Double(tolerance) * scale { wrong.append(i) }
    }
    guard let first = wrong.first else { return }
    let location = shape.isEmpty ? "" : " at \(indexDescription(first, shape))"
    var message = "\(what)\(location): expected \(show(expected[first])) (\(against)), got \(show(got[first]))"
    if !shape.isEmpty { message += "\n\(wrong.count) of \(expected.count) elements of the \(shapeDescription(shape)) result are off" }
    if got.allSatisfy({ $0 == 0 }) && expected.contains(where: { $0 != 0 }) { message += "; all of yours are 0 (not written yet?)" }
    throw CheckFailure(message)
}

/// Compares two matrices: their shapes, then their elements.
public func expectClose(_ got: Matrix, _ expected: Matrix, _ what: String, against: String, tolerance: Float = 1e-5) throws {
    try require(got.rows == expected.rows && got.columns == expected.columns,
                "\(what) is \(got.shape); it should be \(expected.shape) (\(against))")
    try expectClose(got.values, expected.values, shape: [got.rows, got.columns], what, against: against, tolerance: tolerance)
}

/// Compares two tensors: their shapes, then their elements.
public func expectClose(_ got: Tensor, _ expected: Tensor, _ what: String, against: String, tolerance: Float = 1e-5) throws {
    try require(got.shape == expected.shape,
                "\(what) has shape \(describe(shape: got.shape)); it should be \(describe(shape: expected.shape)) (\(against))")
    try expectClose(got.values, expected.values, shape: got.shape, what, against: against, tolerance: tolerance)
}

/// Compares two numbers.
public func expectClose(_ got: Float, _ expected: Float, _ what: String, against: String, tolerance: Float = 1e-5) throws {
    try expectClose([got], [expected], shape: [], what, against: against, tolerance: tolerance)
}

/// The gradient a tensor received from `backward()`, or a failure naming it when it received none
/// (its value was computed outside the graph, or from `.values`).
public func gradient(of tensor: Tensor, _ name: String) throws -> Tensor {
    guard let grad = tensor.grad else {
        throw CheckFailure("\(name) received no gradient from backward(): build the result from the engine's "
                           + "operations on the tensors you are given (matmul, +, *, tanh, …), not from their .values")
    }
    return grad
}

/// Runs `check`; when it fails and the learner's values equal what a common mistake computes, the
/// message also names that mistake.
/// - Parameters:
///   - got: the learner's values that the check compares.
///   - mistakes: what each mistake computes, and what to say about it ("the bias b_h is missing").
public func naming(mistakes: @autoclosure () -> [([Float], String)], in got: [Float],
                   _ check: () throws -> Void) throws {
    do {
        try check()
    } catch let failure as CheckFailure {
        for (values, explanation) in mistakes() where values.count == got.count && !values.isEmpty {
            let scale = max(values.map { abs($0) }.max() ?? 0, 1e-12)
            if zip(got, values).allSatisfy({ abs($0 - $1) <= 1e-4 * scale }) {
                throw CheckFailure(failure.message + "\nyours is what you get when " + explanation)
            }
        }
        throw failure
    }
}
