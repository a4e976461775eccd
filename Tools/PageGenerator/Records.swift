// The numbers a chapter's prose quotes, taken from what its run recorded, so that prose cannot
// keep a number the code no longer produces.

import Foundation

/// What a chapter's runs recorded (the object `--json` prints), faithful and corrected.
public struct Records: @unchecked Sendable {
    public let faithful: Any?, corrected: Any?
    public init(faithful: Any?, corrected: Any?) { (self.faithful, self.corrected) = (faithful, corrected) }

    /// `text` with every `{{key.path}}` (the faithful run's value) and `{{corrected: key.path}}`
    /// replaced by the recorded number, with four significant digits as the chapters print them
    /// (a whole number as it is; `|%` after the path: a fraction as a percentage). An array's element
    /// is a number in the path: `{{deep_rnn.concise_losses.-1.-1}}` is the last loss of the last run.
    /// - Throws: ``PageError`` naming a reference the run did not record.
    func fill(_ text: String, in chapter: String) throws -> String {
        var out = "", rest = Substring(text)
        while let open = rest.range(of: "{{") {
            guard let close = rest[open.upperBound...].range(of: "}}") else { break }
            out += rest[..<open.lowerBound]
            var reference = rest[open.upperBound..<close.lowerBound].trimmingCharacters(in: .whitespaces)
            var root = faithful
            if reference.hasPrefix("corrected:") {
                root = corrected
                reference = reference.dropFirst("corrected:".count).trimmingCharacters(in: .whitespaces)
            }
            let asPercent = reference.hasSuffix("|%")
            if asPercent { reference.removeLast(2) }
            var value: Any? = root
            for key in reference.split(separator: ".") {
                // A whole number indexes an array, from its end when negative (`losses.-1`, the last).
                if let index = Int(key), let array = value as? [Any], array.indices.contains(index < 0 ? array.count + index : index) {
                    value = array[index < 0 ? array.count + index : index]
                }
                else { value = (value as? [String: Any])?[String(key)] }
            }
            guard let number = value as? NSNumber else {
                throw PageError("\(chapter): the prose quotes {{\(rest[open.upperBound..<close.lowerBound])}}, which its run does not record as a number")
            }
            out += Records.format(number.doubleValue, asPercent: asPercent)
            rest = rest[close.upperBound...]
        }
        return out + rest
    }

    /// Four significant digits, as the chapters' `format`; a whole number in full; a percentage with two decimals.
    static func format(_ x: Double, asPercent: Bool) -> String {
        if asPercent { return String(format: "%.2f%%", 100 * x) }
        if x == x.rounded() && abs(x) < 1e6 { return String(Int(x)) }
        if x != 0 && (abs(x) >= 1e6 || abs(x) < 1e-3) { return String(format: "%.3e", x) }
        return String(format: "%.4g", x)
    }
}
