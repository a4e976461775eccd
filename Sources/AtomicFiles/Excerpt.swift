// Text from a file or the command line, shown in a message: cut to a readable length, with
// control characters escaped, so that a message stays one line and cannot drive the terminal.

/// `text` as a message may show it: every control or invisible formatting character written as a
/// Swift escape (`\u{1B}` for ESC, `\u{0}` for NUL, `\n`, `\r`, `\t`), so that a newline or an
/// escape sequence read from a file cannot break the line or clear the terminal, and cut (with "…")
/// once what it shows reaches `limit` characters. Reads at most `limit + 1` characters of `text`,
/// however long it is.
public func excerpt(_ text: some StringProtocol, limit: Int = 60) -> String {
    var shown = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
        if shown.count >= limit { return String(shown) + "…" }
        switch scalar {
        case "\n": shown.append(contentsOf: "\\n".unicodeScalars)
        case "\r": shown.append(contentsOf: "\\r".unicodeScalars)
        case "\t": shown.append(contentsOf: "\\t".unicodeScalars)
        default:
            switch scalar.properties.generalCategory {
            // Controls (C0, DEL, C1), formatting (bidirectional overrides, zero widths, the BOM),
            // line and paragraph separators, and unassigned or private code points.
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                shown.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            default:
                shown.append(scalar)
            }
        }
    }
    return String(shown)
}

/// `text` between single quotes, as ``excerpt(_:limit:)`` shows it: `'abc'`, `'\u{1B}[2J'`, `'xxxx…'`.
public func quoted(_ text: some StringProtocol, limit: Int = 60) -> String {
    "'" + excerpt(text, limit: limit) + "'"
}
