// Code quoted into the pages from the files themselves, so that no copy can drift: a declaration of
// the Workbook library (`@Code(path, name)`) or a cell of one of the notebooks (`@Notebook(name, "text")`).

import Foundation

/// Finds quoted code in the package's files.
public struct Quoter: Sendable {
    /// The package's root folder.
    public let root: URL

    public init(root: URL) { self.root = root }

    /// Replaces every marker line of `prose` by the code it names.
    ///
    /// - `@Code(Sources/Workbook/Loss.swift, sequenceLoss)`: the declaration of `sequenceLoss` in that
    ///   file, with its documentation comment.
    /// - `@Notebook(deep-rnn, "def loss(")`: the notebook's first Python cell that contains the text
    ///   (the notebooks are in `Notebooks/`).
    public func expand(_ prose: String) throws -> String {
        var out: [String] = []
        for line in prose.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("@Code("), trimmed.hasSuffix(")") {
                let arguments = trimmed.dropFirst(6).dropLast().split(separator: ",", maxSplits: 1)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                guard arguments.count == 2 else { throw PageError("\(trimmed): expected @Code(path, name)") }
                let text = try read(arguments[0])
                let declaration = try declaration(named: arguments[1], in: text, file: arguments[0])
                if let last = out.last, !last.isEmpty { out.append("") }    // a paragraph of its own
                out.append("From [`\(arguments[0])`](../\(arguments[0])):")
                out.append("")
                out.append("```swift\n\(declaration)\n```\n")
            } else if trimmed.hasPrefix("@Notebook("), trimmed.hasSuffix(")") {
                let arguments = trimmed.dropFirst(10).dropLast().split(separator: ",", maxSplits: 1)
                    .map { $0.trimmingCharacters(in: .whitespaces) }
                guard arguments.count == 2, arguments[1].hasPrefix("\""), arguments[1].hasSuffix("\""), arguments[1].count >= 2 else {
                    throw PageError("\(trimmed): expected @Notebook(name, \"text\")")
                }
                let path = "Notebooks/\(arguments[0])-notebook.md"
                let notebook = try read(path)
                let cell = try notebookCell(containing: String(arguments[1].dropFirst().dropLast()), in: notebook, file: path)
                let number = (notebookCells(in: notebook).firstIndex(of: cell) ?? 0) + 1
                let title = arguments[0] == "deep-rnn" ? "The deep RNN notebook" : arguments[0] == "bidirectional-rnn" ? "The bidirectional notebook" : "The notebook"
                if let last = out.last, !last.isEmpty { out.append("") }
                out.append("\(title)'s cell \(number) ([`\(path)`](../\(path)), Python):")
                out.append("")
                out.append("```python\n\(cell)\n```\n")
                if let printed = notebookOutput(after: number - 1, in: notebook) {
                    out.append("What it printed in PyTorch, as the notebook recorded it"
                               + (printed.count > 24 ? " (\(printed.count) lines; the first 8 and the last 6):" : ":"))
                    out.append("")
                    let shown = printed.count > 24 ? printed.prefix(8) + ["…"] + printed.suffix(6) : printed[...]
                    out.append("```text\n\(shown.joined(separator: "\n"))\n```\n")
                }
            } else {
                out.append(line)
            }
        }
        return out.joined(separator: "\n")
    }

    func read(_ path: String) throws -> String {
        do {
            return try String(contentsOf: root.appendingPathComponent(path), encoding: .utf8)
        } catch {
            throw PageError("cannot read \(path), which a page quotes")
        }
    }
}

/// The declaration of `name` in Swift source `text` — `func`, `init`, `class`, `struct`, `enum`,
/// `protocol`, `var` or `let` — with the documentation comment and attributes above it, up to its
/// closing brace.
public func declaration(named name: String, in text: String, file: String) throws -> String {
    let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    let keywords = ["func", "class", "struct", "enum", "protocol", "var", "let", "typealias"]
    guard let start = lines.firstIndex(where: { line in
        let words = line.split(whereSeparator: { $0 == " " || $0 == "(" || $0 == "<" || $0 == ":" || $0 == "{" })
        guard let k = words.firstIndex(where: { keywords.contains(String($0)) }), k + 1 < words.count else { return false }
        return words[k + 1] == name && !line.trimmingCharacters(in: .whitespaces).hasPrefix("//")
    }) else {
        throw PageError("\(file) has no declaration named \(name)")
    }
    var first = start
    while first > 0 {
        let above = lines[first - 1].trimmingCharacters(in: .whitespaces)
        guard above.hasPrefix("///") || above.hasPrefix("@") else { break }
        first -= 1
    }
    // Up to the brace that closes the declaration; strings, comments and braces inside parentheses
    // (a closure as a default argument) are skipped.
    var depth = 0, parentheses = 0, brackets = 0, sawBracket = false, opened = false, end = start
    scan: for i in start..<lines.count {
        var inString = false, escaped = false
        let chars = Array(lines[i])
        var j = 0
        while j < chars.count {
            let c = chars[j]
            if inString {
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { inString = false }
            } else if c == "\"" {
                inString = true
            } else if c == "/" && j + 1 < chars.count && chars[j + 1] == "/" {
                break
            } else if c == "(" {
                parentheses += 1
            } else if c == ")" {
                parentheses -= 1
            } else if c == "[" {
                brackets += 1; sawBracket = true
            } else if c == "]" {
                brackets -= 1
            } else if c == "{" && parentheses == 0 {
                depth += 1; opened = true
            } else if c == "}" && parentheses == 0 {
                depth -= 1
            }
            j += 1
        }
        end = i
        if opened && depth <= 0 { break scan }
        if !opened && sawBracket && brackets <= 0 && parentheses <= 0 { break scan }   // an array literal
        if !opened && i == start && !lines[i].contains("{") && !lines[i].hasSuffix(",") && !lines[i].hasSuffix("(")
            && !lines[i].hasSuffix("[") {
            break scan       // a one-line declaration without a body
        }
    }
    return dedent(Array(lines[first...end])).joined(separator: "\n")
}

/// The ```` ```python ```` cells of a notebook export, in order, trimmed.
public func notebookCells(in notebook: String) -> [String] {
    var cells: [[String]] = [], current: [String]? = nil
    for line in notebook.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
        if current == nil, line.trimmingCharacters(in: .whitespaces) == "```python" {
            current = []
        } else if let cell = current, line.trimmingCharacters(in: .whitespaces) == "```" {
            cells.append(cell)
            current = nil
        } else {
            current?.append(line)
        }
    }
    return cells.map { $0.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines) }
}

/// What a notebook's cell `index` (0-based, as ``notebookCells(in:)`` counts) printed when the
/// notebook ran: the lines indented by four spaces between its ```` ``` ```` and the next cell,
/// without the indentation, and without the images of its figures; `nil` when it printed nothing.
public func notebookOutput(after index: Int, in notebook: String) -> [String]? {
    var cell = -1, inCell = false, printed: [String] = []
    for line in notebook.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
        let trimmed = line.trimmingCharacters(in: .whitespaces)
        if !inCell, trimmed == "```python" {
            inCell = true
            cell += 1
            if cell > index { break }
        } else if inCell, trimmed == "```" {
            inCell = false
        } else if !inCell, cell == index, line.hasPrefix("    "), !trimmed.isEmpty, !trimmed.hasPrefix("![") {
            printed.append(String(line.dropFirst(4)))
        }
    }
    return printed.isEmpty ? nil : printed
}

/// The first ```` ```python ```` cell of a notebook export that contains `text`.
public func notebookCell(containing text: String, in notebook: String, file: String) throws -> String {
    guard let cell = notebookCells(in: notebook).first(where: { $0.contains(text) }) else {
        throw PageError("\(file) has no Python cell containing \"\(text)\"")
    }
    return cell
}
