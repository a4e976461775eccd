// The numbers a chapter's prose quotes, taken from what its run recorded, so that prose cannot
// keep a number the code no longer produces.

import Foundation

/// What a chapter's runs recorded (the object `--json` prints), faithful and corrected.
public struct Records: @unchecked Sendable {
    public let faithful: Any?, corrected: Any?
    /// The other chapters' faithful records, by their short name (`Chapter07`), and what the
    /// PyTorch scripts recorded (`scripts/recorded/NAME.json`, by `NAME`).
    public var chapters: [String: Any] = [:], scripts: [String: Any] = [:]
    public init(faithful: Any?, corrected: Any?, chapters: [String: Any] = [:], scripts: [String: Any] = [:]) {
        (self.faithful, self.corrected, self.chapters, self.scripts) = (faithful, corrected, chapters, scripts)
    }

    /// `text` with every `{{key.path}}` (the faithful run's value) and `{{corrected: key.path}}`
    /// replaced by the recorded number, with four significant digits as the chapters print them
    /// (a whole number as it is; filters after the path: `|mean`, `|min`, `|max` over an array, then
    /// `|%` for a fraction as a percentage or `|order` for its power of ten). An array's element
    /// is a number in the path: `{{deep_rnn.concise_losses.-1.-1}}` is the last loss of the last run.
    /// `{{Chapter07: key.path}}` quotes another chapter's run (`{{Chapter06/corrected: …}}` its corrected run), and `{{pytorch: NAME.key.path}}` what a
    /// PyTorch script printed and recorded in `scripts/recorded/NAME.json`.
    /// - Throws: ``PageError`` naming a reference the run did not record.
    func fill(_ text: String, in chapter: String) throws -> String {
        var out = "", rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            out += rest[..<open.lowerBound]
            var reference = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            var root = faithful
            if let colon = reference.firstIndex(of: ":") {
                let source = String(reference[..<colon])
                switch source {
                case "corrected": root = corrected
                case "pytorch": root = scripts
                default:
                    guard let other = chapters[source] else {
                        throw PageError("\(chapter): the prose quotes {{\(reference)}}, but there is no chapter \(source)")
                    }
                    root = other
                }
                reference = reference[reference.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
            // Filters after the path: `|mean`, `|min`, `|max` of an array's numbers (nested arrays
            // flattened), then `|%` (a fraction as a percentage) or `|order` (the power of ten below it, 10⁶).
            var filters = reference.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            reference = filters.removeFirst()
            var value: Any? = root
            for key in reference.split(separator: ".") {
                // A whole number indexes an array, from its end when negative (`losses.-1`, the last).
                if let index = Int(key), let array = value as? [Any], array.indices.contains(index < 0 ? array.count + index : index) {
                    value = array[index < 0 ? array.count + index : index]
                }
                else { value = (value as? [String: Any])?[String(key)] }
            }
            var style = Style.plain
            for filter in filters {
                switch filter {
                case "mean", "min", "max":
                    let numbers = Records.numbers(in: value).map(\.doubleValue)
                    guard !numbers.isEmpty else { value = nil; break }
                    value = NSNumber(value: filter == "mean" ? numbers.reduce(0, +) / Double(numbers.count)
                                            : filter == "min" ? numbers.min()! : numbers.max()!)
                case "%": style = .percent
                case "order": style = .order
                default: throw PageError("\(chapter): {{\(rest[open.upperBound..<close.lowerBound])}} has an unknown filter |\(filter) (use |mean, |min, |max, |%, |order)")
                }
            }
            if let text = value as? String, filters.isEmpty {     // a version, a name
                out += text
                rest = rest[close.upperBound...]
                continue
            }
            guard let number = value as? NSNumber else {
                throw PageError("\(chapter): the prose quotes {{\(rest[open.upperBound..<close.lowerBound])}}, which its run does not record as a number")
            }
            out += Records.format(number.doubleValue, style)
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    enum Style { case plain, percent, order }

    /// Every number of a value, arrays flattened.
    static func numbers(in value: Any?) -> [NSNumber] {
        if let number = value as? NSNumber { return [number] }
        return (value as? [Any])?.flatMap { numbers(in: $0) } ?? []
    }

    /// Four significant digits, as the chapters' `format`; a whole number in full; a percentage with
    /// two decimals; an order of magnitude as a power of ten.
    static func format(_ x: Double, _ style: Style = .plain) -> String {
        switch style {
        case .percent: return String(format: "%.2f%%", 100 * x)
        case .order:
            let digits: [Character] = ["⁰", "¹", "²", "³", "⁴", "⁵", "⁶", "⁷", "⁸", "⁹"]
            let exponent = Int(log10(abs(x)).rounded(.down))
            return "10" + (exponent < 0 ? "⁻" : "") + String(String(abs(exponent)).map { digits[Int(String($0))!] })
        case .plain:
            if x == x.rounded() && abs(x) < 1e6 { return String(Int(x)) }
            if x != 0 && (abs(x) >= 1e6 || abs(x) < 1e-3) { return String(format: "%.3e", x) }
            return String(format: "%.4g", x)
        }
    }
}
