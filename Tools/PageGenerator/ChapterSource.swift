// Reading a chapter's source as a literate program: prose in Swift Playground markup (`/*: … */`
// blocks and `//:` lines), code between, and sections that start at `//: ## Title` lines.

import Foundation

/// One piece of a chapter, in the order of the source.
public enum Piece: Equatable, Sendable {
    /// Markdown from a `/*: … */` block or a run of `//:` lines.
    case prose(String)
    /// Swift code, dedented.
    case code(String)
}

/// A section of a chapter: from one `//: ## Title` line to the next.
public struct Section: Equatable, Sendable {
    /// The title after `//: ##`, or `nil` for what comes before the first section.
    public var title: String?
    public var pieces: [Piece]
    /// How many `output.heading(` calls its code makes: each prints one heading of the output.
    public var headingCalls: Int
    /// For each piece, the lines of the source it came from (1-based, `lower..<upper`).
    public var sourceLines: [Range<Int>] = []
    /// For each piece, the lines of the source the page shows: a code piece's without the blank lines
    /// around it and the closing braces left out; a prose piece's are empty.
    public var shownLines: [Range<Int>] = []
}

/// A chapter source, parsed.
public struct ChapterSource: Equatable, Sendable {
    /// The text of the introduction's first-level heading (`# Chapter 03 — Loss`).
    public var title: String
    /// The introduction's prose without its first-level heading.
    public var introduction: String
    /// The `abstract:` of the command's configuration (one line for the index).
    public var abstract: String
    public var sections: [Section]
    /// A prose block after all the code (the summary and the exercises).
    public var closing: String
    /// Whether the chapter has a `--corrected` run; a chapter without one says in a comment that it
    /// "has no --corrected variant".
    public var hasCorrectedRun: Bool

    /// Parses `text`, the contents of a chapter's Swift file.
    public init(parsing text: String) throws {
        var pieces: [Piece] = []        // the whole file, in order, with section starts as markers
        var pieceLines: [Range<Int>] = []        // the source lines of each piece
        var shownLines: [Int: Range<Int>] = [:]  // of a code piece, the lines the page shows
        var sectionTitles: [Int: String] = [:]   // piece index where a section starts -> title
        var code: [String] = [], prose: [String] = []
        var inBlock = false
        var lineNumber = 0, codeStart = 1

        func flushCode() {
            if !code.contains(where: { !$0.trimmingCharacters(in: .whitespaces).isEmpty }) { code = [] }
            if !code.isEmpty {
                let leadingBlanks = code.prefix { $0.trimmingCharacters(in: .whitespaces).isEmpty }.count
                let shown = dedent(Array(code.drop { $0.trimmingCharacters(in: .whitespaces).isEmpty }.reversed()
                    .drop { $0.trimmingCharacters(in: .whitespaces).isEmpty }.reversed()))
                pieces.append(.code(shown.joined(separator: "\n")))
                pieceLines.append(codeStart..<(codeStart + code.count))
                // The lines shown: without the blank lines around them and the closing braces dedent leaves out.
                shownLines[pieceLines.count - 1] = (codeStart + leadingBlanks)..<(codeStart + leadingBlanks + shown.count)
            }
            code = []
        }
        func flushProse() {
            let lines = dedent(prose)
            let text = lines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
            if !text.isEmpty { pieces.append(.prose(text)); pieceLines.append(lineNumber..<lineNumber) }
            prose = []
        }

        for line in text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            lineNumber += 1
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if inBlock {
                if trimmed == "*/" { inBlock = false; flushProse() } else { prose.append(line) }
            } else if trimmed.hasPrefix("/*:") {
                flushCode()
                inBlock = true
                let rest = trimmed.dropFirst(3).trimmingCharacters(in: .whitespaces)
                if !rest.isEmpty { prose.append(rest) }
            } else if trimmed.hasPrefix("//: ## ") {
                flushCode()
                flushProse()
                sectionTitles[pieces.count] = String(trimmed.dropFirst(7))
            } else if trimmed.hasPrefix("//:") {
                flushCode()
                prose.append(String(trimmed.dropFirst(3).drop { $0 == " " }))
            } else {
                if !prose.isEmpty { flushProse() }
                if code.isEmpty { codeStart = lineNumber }
                code.append(line)
            }
        }
        guard !inBlock else { throw PageError("a /*: block is not closed with */") }
        flushCode()
        flushProse()

        guard case .prose(let intro)? = pieces.first else {
            throw PageError("the file does not start with a /*: … */ block holding the chapter's introduction")
        }
        var introLines = intro.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard let h1 = introLines.first, h1.hasPrefix("# ") else {
            throw PageError("the introduction does not start with a first-level heading (# Chapter …)")
        }
        introLines.removeFirst()
        title = String(h1.dropFirst(2))
        introduction = introLines.joined(separator: "\n").trimmingCharacters(in: .whitespacesAndNewlines)
        pieces.removeFirst()
        pieceLines.removeFirst()
        sectionTitles = Dictionary(uniqueKeysWithValues: sectionTitles.map { ($0.key - 1, $0.value) })

        if case .prose(let last)? = pieces.last {
            closing = last
            pieces.removeLast()
            pieceLines.removeLast()
        } else {
            closing = ""
        }

        var sections = [Section(title: nil, pieces: [], headingCalls: 0)]
        for (i, piece) in pieces.enumerated() {
            if let title = sectionTitles[i] { sections.append(Section(title: title, pieces: [], headingCalls: 0)) }
            sections[sections.count - 1].pieces.append(piece)
            sections[sections.count - 1].sourceLines.append(pieceLines[i])
            sections[sections.count - 1].shownLines.append(shownLines[i + 1] ?? pieceLines[i])
            if case .code(let c) = piece { sections[sections.count - 1].headingCalls += c.occurrences(of: "output.heading(") }
        }
        // A section marker after the last piece starts an empty section.
        if let title = sectionTitles[pieces.count] { sections.append(Section(title: title, pieces: [], headingCalls: 0)) }
        self.sections = sections

        abstract = text.joinedLiterals(after: "abstract: ") ?? ""
        hasCorrectedRun = !text.contains("has no --corrected variant")
    }
}

/// A problem with a chapter's source or output, said in one line.
public struct PageError: Error, CustomStringConvertible, Equatable {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Removes the block's least indentation from every line, so that nested code keeps its own
/// indentation relative to it. Closing braces at the end of a block that close what began before
/// it (the chapter's `run` and its type) are left out, and do not count for the indentation.
func dedent(_ lines: [String]) -> [String] {
    func indentation(_ line: String) -> Int { line.prefix { $0 == " " }.count }
    func isBlank(_ line: String) -> Bool { line.trimmingCharacters(in: .whitespaces).isEmpty }
    func isCloser(_ line: String) -> Bool {
        let t = line.trimmingCharacters(in: .whitespaces)
        return !t.isEmpty && t.allSatisfy { $0 == "}" || $0 == ")" }
    }
    let body = lines.filter { !isBlank($0) && !isCloser($0) }
    guard let indent = body.map(indentation).min() else { return lines.map { isBlank($0) ? "" : $0 } }
    var kept = lines
    while let last = kept.last, isBlank(last) || (isCloser(last) && indentation(last) < indent) { kept.removeLast() }
    return kept.map { line in isBlank(line) ? "" : String(line.dropFirst(min(indent, indentation(line)))) }
}

extension String {
    func occurrences(of needle: String) -> Int {
        var count = 0, rest = self[...]
        while let range = rest.range(of: needle) { count += 1; rest = rest[range.upperBound...] }
        return count
    }

    /// The string literals right after `start`, joined as Swift joins `"a" + "b"` across lines.
    func joinedLiterals(after start: String) -> String? {
        guard let a = range(of: start) else { return nil }
        var rest = self[a.upperBound...], joined = ""
        while rest.first == "\"", let close = rest.dropFirst().firstIndex(of: "\"") {
            joined += rest[rest.index(after: rest.startIndex)..<close]
            rest = rest[rest.index(after: close)...].drop { $0 == " " || $0 == "\n" }
            guard rest.first == "+" else { break }
            rest = rest.dropFirst().drop { $0 == " " || $0 == "\n" }
        }
        return joined
    }
}
