// PyTorch's own numbers for the two notebooks (made by PyTorch 2.15 from the notebooks' code;
// see Fixtures/README.md), and comparisons with a relative tolerance.

import Foundation
import Testing
import Workbook

/// One seed's fixture file, read by key path: `fixture["deep_rnn", "data"]`.
struct Fixture {
    let root: [String: Any]

    init(seed: Int) throws { try self.init(named: "torch-seed-\(seed)") }

    /// `Fixtures/<name>.json`.
    init(named name: String) throws {
        let url = try #require(Bundle.module.url(forResource: name, withExtension: "json", subdirectory: "Fixtures"))
        root = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    init(root: [String: Any]) { self.root = root }

    func number(_ path: String...) throws -> Double {
        try #require(value(path) as? Double)
    }

    func numbers(_ path: String...) throws -> [Double] {
        try #require(value(path) as? [Double])
    }

    /// A `{"shape": …, "values": …}` matrix as a tensor.
    func tensor(_ path: String...) throws -> Tensor { try tensor(path) }

    func tensor(_ path: [String]) throws -> Tensor {
        let matrix = try #require(value(path) as? [String: Any])
        let shape = try #require(matrix["shape"] as? [Int])
        let values = try #require(matrix["values"] as? [Double])
        return Tensor(values.map(Float.init), shape: shape)
    }

    func value(_ path: [String]) -> Any? {
        var node: Any? = root
        for key in path { node = (node as? [String: Any])?[key] }
        return node
    }
}

/// Whether `a` and `b` agree elementwise to `relativeTolerance`, measured against the larger of the
/// two values or, for values near zero, against the root mean square of the expected tensor.
func expectClose(
    _ actual: [Float], _ expected: [Double], relativeTolerance: Double = 1e-5,
    _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.count == expected.count, "\(what): \(actual.count) values, expected \(expected.count)",
            sourceLocation: sourceLocation)
    guard actual.count == expected.count, !expected.isEmpty else { return }
    let rms = (expected.reduce(0) { $0 + $1 * $1 } / Double(expected.count)).squareRoot()
    var worst = (index: 0, error: 0.0)
    for (i, (a, e)) in zip(actual, expected).enumerated() {
        let scale = max(abs(Double(a)), abs(e), rms)
        let error = scale == 0 ? 0 : abs(Double(a) - e) / scale
        if error > worst.error { worst = (i, error) }
    }
    #expect(worst.error <= relativeTolerance,
            "\(what): element \(worst.index) is \(actual[worst.index]), PyTorch has \(expected[worst.index]) (relative error \(worst.error))",
            sourceLocation: sourceLocation)
}

func expectClose(
    _ actual: Tensor, _ expected: Tensor, relativeTolerance: Double = 1e-5,
    _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    #expect(actual.shape == expected.shape, "\(what): shape \(actual.shape), expected \(expected.shape)",
            sourceLocation: sourceLocation)
    expectClose(actual.values, expected.values.map(Double.init), relativeTolerance: relativeTolerance, what,
                sourceLocation: sourceLocation)
}

func expectClose(
    _ actual: Float, _ expected: Double, relativeTolerance: Double = 1e-5,
    _ what: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    expectClose([actual], [expected], relativeTolerance: relativeTolerance, what, sourceLocation: sourceLocation)
}
