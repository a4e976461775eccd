// PyTorch's numbers for the checks: Exercises/Fixtures/NN-Name.json, made by make_fixtures.py.

import Foundation
import ExerciseSupport
import Workbook

/// One exercise's fixture file: PyTorch's inputs and results, case by case.
public struct Fixture {
    public let cases: [FixtureCase]

    /// Reads `Exercises/Fixtures/<name>.json` under the package's folder (`WORKBOOK_ROOT`, which the
    /// checker sets, or the current folder).
    public init(_ name: String) throws {
        let root = ProcessInfo.processInfo.environment["WORKBOOK_ROOT"] ?? FileManager.default.currentDirectoryPath
        let path = root + "/Exercises/Fixtures/\(name).json"
        guard let data = FileManager.default.contents(atPath: path),
              let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
              let cases = object["cases"] as? [[String: Any]] else {
            throw CheckFailure("cannot read Exercises/Fixtures/\(name).json: run the checker from the package's folder, "
                               + "as `swift run Exercises`")
        }
        self.cases = cases.map(FixtureCase.init)
    }
}

/// One case of a fixture, read by key path: `fixture.matrix("grads", "W_xh")`.
public struct FixtureCase {
    let root: [String: Any]
    init(_ root: [String: Any]) { self.root = root }

    /// The case's name, as the messages quote it: "tanh, a batch of 2".
    public var name: String { (root["name"] as? String) ?? "?" }

    func value(_ path: [String]) -> Any? {
        var node: Any? = root
        for key in path { node = (node as? [String: Any])?[key] }
        return node
    }

    public func string(_ path: String...) -> String { value(path) as? String ?? "" }
    public func number(_ path: String...) -> Float { Float((value(path) as? Double) ?? .nan) }
    public func integer(_ path: String...) -> Int { (value(path) as? Int) ?? 0 }
    public func numbers(_ path: String...) -> [Float] { ((value(path) as? [Double]) ?? []).map(Float.init) }

    /// A `{"shape", "values"}` entry: its shape and values.
    public func array(_ path: [String]) -> (shape: [Int], values: [Float]) {
        let entry = value(path) as? [String: Any]
        return ((entry?["shape"] as? [Int]) ?? [], ((entry?["values"] as? [Double]) ?? []).map(Float.init))
    }
    public func tensor(_ path: String...) -> Tensor { let a = array(path); return Tensor(a.values, shape: a.shape) }
    public func values(_ path: String...) -> [Float] { array(path).values }
    /// A 2-D entry as a matrix (a vector `(n)` as `1 × n`).
    public func matrix(_ path: String...) -> Matrix {
        let a = array(path)
        return Matrix(rows: a.shape.count == 2 ? a.shape[0] : 1, columns: a.shape.last ?? 0, values: a.values)
    }
    /// A 3-D entry `(T, B, n)` as `T` matrices `B × n`.
    public func matrices(_ path: String...) -> [Matrix] {
        let a = array(path)
        let (t, b, n) = (a.shape[0], a.shape[1], a.shape[2])
        return (0..<t).map { Matrix(rows: b, columns: n, values: Array(a.values[($0 * b * n)..<(($0 + 1) * b * n)])) }
    }
    /// An array of `{"shape", "values"}` entries.
    public func list(_ path: String...) -> [(shape: [Int], values: [Float])] {
        ((value(path) as? [[String: Any]]) ?? []).map { FixtureCase($0).array([]) }
    }
    /// An array of objects, each a case of its own.
    public func cases(_ path: String...) -> [FixtureCase] { ((value(path) as? [[String: Any]]) ?? []).map(FixtureCase.init) }
}
