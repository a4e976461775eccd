// The chapters' `--json` output: one object, its keys in the order they were recorded.

import Checkpoints
import Foundation
import Workbook

/// A JSON value whose objects keep their keys in insertion order, so the text is deterministic.
public indirect enum JSON {
    case number(Double)
    case string(String)
    case bool(Bool)
    case array([JSON])
    case object([(String, JSON)])

    public static func float(_ x: Float) -> JSON { .number(Double(x)) }
    public static func floats(_ xs: [Float]) -> JSON { .array(xs.map(JSON.float)) }
    /// A tensor as the fixtures write it: `{"shape": [...], "values": [...]}`.
    public static func tensor(_ t: Tensor) -> JSON {
        .object([("shape", .array(t.shape.map { .number(Double($0)) })), ("values", .floats(t.values))])
    }

    /// The text: numbers as Python prints a float32 turned into a double (`203.22109985351562`);
    /// an infinite or NaN number is written `null`, which JSON can carry.
    public var text: String {
        switch self {
        case .number(let x):
            guard x.isFinite else { return "null" }
            if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
            return x.description
        case .string(let s): return jsonString(s)
        case .bool(let b): return b ? "true" : "false"
        case .array(let items): return "[" + items.map(\.text).joined(separator: ",") + "]"
        case .object(let fields):
            return "{" + fields.map { JSON.string($0.0).text + ":" + $0.1.text }
                .joined(separator: ",") + "}"
        }
    }

    /// Sets `value` at a key path, creating objects on the way.
    mutating func set(_ path: ArraySlice<String>, _ value: JSON) {
        guard let key = path.first else { self = value; return }
        var fields: [(String, JSON)] = []
        if case .object(let existing) = self { fields = existing }
        if let i = fields.firstIndex(where: { $0.0 == key }) {
            fields[i].1.set(path.dropFirst(), value)
        } else {
            var child = JSON.object([])
            child.set(path.dropFirst(), value)
            fields.append((key, child))
        }
        self = .object(fields)
    }
}
