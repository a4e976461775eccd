// The pages are the notebooks executed: every Python cell of the two notebooks is quoted on exactly
// one page of docs/, and on each page a notebook's cells come in the notebook's order.

import Foundation
import Testing
@testable import PageGenerator

/// Cells no page needs to quote, each with its reason.
let cellsNotQuoted: [String: String] = [
    "deep-rnn 0": "the imports (torch, numpy, scipy's wavfile, matplotlib): the Swift imports are at the top of each chapter",
    "bidirectional-rnn 0": "the imports (torch, numpy): the Swift imports are at the top of each chapter",
]

@Suite("Every notebook cell on one page")
struct NotebookCoverageTests {
    static let root: URL = {
        var url = URL(fileURLWithPath: #filePath)
        while !FileManager.default.fileExists(atPath: url.appendingPathComponent("Package.swift").path) {
            url.deleteLastPathComponent()
        }
        return url
    }()

    /// The Python cells of a notebook export, in order, trimmed as the pages quote them.
    static func cells(_ notebook: String) throws -> [String] {
        let text = try String(contentsOf: root.appendingPathComponent("Notebooks/\(notebook)-notebook.md"), encoding: .utf8)
        return notebookCells(in: text)
    }

    /// The ```` ```python ```` blocks of a page, read as the quoter reads a notebook.
    static func pythonBlocks(in text: String) -> [String] { notebookCells(in: text) }

    @Test("Each cell of both notebooks is quoted on exactly one page, in the notebook's order on that page")
    func everyCellOnce() throws {
        let docs = Self.root.appendingPathComponent("docs")
        let pages = try FileManager.default.contentsOfDirectory(atPath: docs.path).filter { $0.hasPrefix("Chapter") && $0.hasSuffix(".md") }.sorted()
        #expect(pages.count >= 8)
        var quotedOn: [String: [String]] = [:]
        for notebook in ["deep-rnn", "bidirectional-rnn"] {
            let cells = try Self.cells(notebook)
            #expect(cells.count > 10, "\(notebook): the notebook export has \(cells.count) cells")
            for page in pages {
                let blocks = Self.pythonBlocks(in: try String(contentsOf: docs.appendingPathComponent(page), encoding: .utf8))
                var previous = -1
                for block in blocks {
                    guard let index = cells.firstIndex(of: block) else { continue }
                    #expect(index > previous, "\(page) quotes \(notebook)'s cell \(index) after its cell \(previous)")
                    previous = index
                    quotedOn["\(notebook) \(index)", default: []].append(page)
                }
            }
            for index in cells.indices {
                let key = "\(notebook) \(index)", pagesQuoting = quotedOn[key] ?? []
                let firstLine = cells[index].split(separator: "\n").first.map(String.init) ?? ""
                if let reason = cellsNotQuoted[key] {
                    #expect(pagesQuoting.isEmpty, "\(key) is listed as not quoted (\(reason)) but \(pagesQuoting) quote it")
                } else {
                    #expect(pagesQuoting.count == 1, "\(key) (\(firstLine)) is quoted on \(pagesQuoting.isEmpty ? "no page" : pagesQuoting.joined(separator: ", "))")
                }
            }
        }
        // Every block of Python on a page is a cell of a notebook, quoted whole.
        let allCells = try Set(Self.cells("deep-rnn") + Self.cells("bidirectional-rnn"))
        for page in pages {
            for block in Self.pythonBlocks(in: try String(contentsOf: docs.appendingPathComponent(page), encoding: .utf8)) {
                #expect(allCells.contains(block), "\(page) has Python that is no notebook cell: \(block.prefix(60))")
            }
        }
    }
}
