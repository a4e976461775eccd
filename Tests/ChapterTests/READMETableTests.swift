// The README's table "When something goes wrong" must stay true: every message it quotes (the
// backticked `error: …` and `note: …` texts, in pieces where it elides with "…") is one that a
// test in this folder expects a built chapter to print.

import Foundation
import Testing

@Suite("README: When something goes wrong")
struct READMETableTests {
    /// The package's root: the folder holding Package.swift, above this file.
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while url.pathComponents.count > 1 {
            url.deleteLastPathComponent()
            if FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) { return url }
        }
        return url
    }()

    /// The table's rows.
    static func rows() throws -> [String] {
        let readme = try String(contentsOf: root.appendingPathComponent("README.md"), encoding: .utf8)
        guard let start = readme.range(of: "## When something goes wrong") else { return [] }
        let section = readme[start.upperBound...].prefix { _ in true }
        let end = section.range(of: "\n## ")?.lowerBound ?? section.endIndex
        return section[..<end].split(separator: "\n").map(String.init).filter { $0.hasPrefix("| ") && !$0.hasPrefix("| what happens") }
    }

    /// What the tests expect, with Swift's string escapes undone (`\"` is `"`, `\\` is `\`).
    static let testSources: String = {
        let folder = root.appendingPathComponent("Tests/ChapterTests")
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return names.filter { $0.hasSuffix(".swift") && $0 != "READMETableTests.swift" }.sorted()
            .compactMap { try? String(contentsOf: folder.appendingPathComponent($0), encoding: .utf8) }
            .joined(separator: "\n")
            .replacingOccurrences(of: "\\\\", with: "\u{0}").replacingOccurrences(of: "\\\"", with: "\"")
            .replacingOccurrences(of: "\u{0}", with: "\\")
    }()

    @Test("Every message the table quotes is expected by a test of the built programs")
    func messagesAreTested() throws {
        let rows = try Self.rows()
        #expect(rows.count > 20)
        var checked = 0
        for row in rows {
            // The backticked texts of the message column.
            let columns = row.replacingOccurrences(of: "\\|", with: "¦").split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
            guard columns.count >= 3 else { continue }
            let quotes = columns[1].split(separator: "`", omittingEmptySubsequences: false).enumerated()
                .filter { $0.offset % 2 == 1 }.map { String($0.element) }
            for quote in quotes where quote.hasPrefix("error: ") || quote.hasPrefix("note: ") || quote.hasPrefix("interrupted: ") {
                for piece in quote.components(separatedBy: "…") {
                    // A piece between elisions, without the spaces and punctuation at its ends.
                    var piece = piece.trimmingCharacters(in: CharacterSet(charactersIn: " ;:,"))
                    if piece.hasPrefix("error: ") && !Self.testSources.contains(piece) { piece.removeFirst(7) }
                    guard piece.count >= 12 else { continue }
                    #expect(Self.testSources.contains(piece), "README: no test expects \"\(piece)\" (row: \(columns[0]))")
                    checked += 1
                }
            }
        }
        #expect(checked > 30)
    }
}
