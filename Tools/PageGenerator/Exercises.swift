// The exercises as their files describe them (Exercises/NN-Name.swift): each file's doc comment
// opens with `/// Exercise NN — what it asks` and names its page section in a `/// Page: [title](link)`
// line. The checker lists them from there, and the page generator builds docs/Exercises.md and the
// chapters' links to their exercises from the same lines.

import Foundation

/// What an exercise's file says about it.
public struct ExerciseHeader: Equatable, Sendable {
    /// 1 for `01-SequencesPreparation.swift`, and the file's name in `Exercises/`.
    public let number: Int, file: String
    /// What it asks, from `/// Exercise NN — …` (without the final period).
    public let title: String
    /// The section it follows: the link's text, the chapter's page (`Chapter01-Loader.md`) and the
    /// heading's anchor on that page.
    public let sectionTitle: String, page: String, anchor: String

    /// The chapter's folder name, `Chapter01-Loader`.
    public var chapter: String { String(page.dropLast(3)) }
    /// The file's name without `.swift`: `01-SequencesPreparation`.
    public var name: String { String(file.dropLast(6)) }

    /// Reads the header of `text`, the contents of the exercise file `file`.
    public init(file: String, text: String) throws {
        guard file.count > 9, let number = Int(file.prefix(2)), file.dropFirst(2).hasPrefix("-"), file.hasSuffix(".swift") else {
            throw PageError("Exercises/\(file): an exercise's file is named NN-Name.swift")
        }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let opening = "/// Exercise \(file.prefix(2)) — "
        guard let first = lines.first(where: { $0.hasPrefix(opening) }) else {
            throw PageError("Exercises/\(file): its doc comment must open with `\(opening)…`")
        }
        var title = String(first.dropFirst(opening.count))
        if title.hasSuffix(".") { title.removeLast() }
        guard let pageLine = lines.first(where: { $0.hasPrefix("/// Page: [") }),
              let close = pageLine.range(of: "](../docs/"), pageLine.hasSuffix(")") else {
            throw PageError("Exercises/\(file): its doc comment must name its page section: /// Page: [Chapter … › heading](../docs/ChapterNN-Name.md#anchor)")
        }
        let text = pageLine[pageLine.index(pageLine.startIndex, offsetBy: "/// Page: [".count)..<close.lowerBound]
        let target = pageLine[close.upperBound..<pageLine.index(before: pageLine.endIndex)]
        let parts = target.split(separator: "#", maxSplits: 1).map(String.init)
        guard parts.count == 2, parts[0].hasPrefix("Chapter"), parts[0].hasSuffix(".md") else {
            throw PageError("Exercises/\(file): its page link must be ../docs/ChapterNN-Name.md#anchor, not \(target)")
        }
        (self.number, self.file, self.title) = (number, file, title)
        (sectionTitle, page, anchor) = (String(text), parts[0], parts[1])
    }

    /// The title with a capital first letter, as a list shows it.
    public var displayTitle: String { title.prefix(1).uppercased() + title.dropFirst() }
}

/// Every exercise in `root/Exercises`, in order.
public func exerciseHeaders(in root: URL) throws -> [ExerciseHeader] {
    let folder = root.appendingPathComponent("Exercises")
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
        .filter { $0.hasSuffix(".swift") && $0.first?.isNumber == true }.sorted()
    return try files.map { try ExerciseHeader(file: $0, text: String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8)) }
}

/// The anchor GitHub gives a heading: lower case, without punctuation (letters, digits, spaces,
/// `-` and `_` kept), spaces as `-`. `Sliding windows: \`sequencesPreparation(data_trans, 19)\``
/// becomes `sliding-windows-sequencespreparationdata_trans-19`.
public func githubAnchor(_ heading: String) -> String {
    String(heading.trimmingCharacters(in: .whitespaces).lowercased()
        .filter { $0.isLetter || $0.isNumber || $0 == " " || $0 == "-" || $0 == "_" }
        .map { $0 == " " ? "-" : $0 })
}

/// The anchors of a Markdown page's `##` and `###` headings (outside code blocks).
public func headingAnchors(in markdown: String) -> Set<String> {
    var anchors: Set<String> = [], inCode = false
    for line in markdown.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("```") { inCode.toggle(); continue }
        if !inCode, line.hasPrefix("#") {
            let heading = line.drop { $0 == "#" }
            if heading.first == " " { anchors.insert(githubAnchor(String(heading))) }
        }
    }
    return anchors
}
