// Text from a file or the command line, shown in a message: cut to a readable length, with
// control characters escaped, so that a message stays one line and cannot drive the terminal.

/// `text` as a message may show it: every control or invisible formatting character written as a
/// Swift escape (`\u{1B}` for ESC, `\u{0}` for NUL, `\n`, `\r`, `\t`), so that a newline or an
/// escape sequence read from a file cannot break the line or clear the terminal, and cut (with "…")
/// once what it shows reaches `limit` characters. Reads at most `limit + 1` characters of `text`,
/// however long it is.
public func excerpt(_ text: some StringProtocol, limit: Int = 60) -> String {
    var shown = String.UnicodeScalarView()
    var count = 0   // shown.count, kept here: the view counts its scalars one by one
    func show(_ text: String) {
        shown.append(contentsOf: text.unicodeScalars)
        count += text.unicodeScalars.count
    }
    for scalar in text.unicodeScalars {
        if count >= limit { return String(shown) + "…" }
        switch scalar {
        case "\n": show("\\n")
        case "\r": show("\\r")
        case "\t": show("\\t")
        default:
            switch scalar.properties.generalCategory {
            // Controls (C0, DEL, C1), formatting (bidirectional overrides, zero widths, the BOM),
            // line and paragraph separators, and unassigned or private code points.
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                show("\\u{\(String(scalar.value, radix: 16, uppercase: true))}")
            default:
                shown.append(scalar)
                count += 1
            }
        }
    }
    return String(shown)
}

/// How many characters of a path a message shows (``shownPath(_:)``): more than the 60 of other
/// quoted text, for a real path often runs past 60 and its end, the file's name, matters most.
public let pathLimit = 200

/// `path` as a message shows it: ``excerpt(_:limit:)`` cut at ``pathLimit`` characters.
public func shownPath(_ path: some StringProtocol) -> String {
    excerpt(path, limit: pathLimit)
}

/// A whole message line with every control character escaped as ``excerpt(_:limit:)`` escapes
/// it, and nothing cut: what a message embeds from outside is cut where it is quoted, and this
/// keeps the line one line whatever reached it.
public func escapedLine(_ message: some StringProtocol) -> String {
    excerpt(message, limit: .max)
}

/// `text` between single quotes, as ``excerpt(_:limit:)`` shows it: `'abc'`, `'\u{1B}[2J'`, `'xxxx…'`.
public func quoted(_ text: some StringProtocol, limit: Int = 60) -> String {
    "'" + excerpt(text, limit: limit) + "'"
}
