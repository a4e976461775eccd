// The pages read as executed notebooks: each quoted cell with what PyTorch printed under it, Swift
// blocks that are the computation rather than its recording, math GitHub draws as written, and
// one value behind each number the prose and the output both give.

import Foundation
import Testing
@testable import PageGenerator

@Suite("The pages' structure")
struct PageStructureTests {
    static let root = NotebookCoverageTests.root

    /// Every chapter page of docs/, by name.
    static func pages() throws -> [(name: String, text: String)] {
        let docs = root.appendingPathComponent("docs")
        return try FileManager.default.contentsOfDirectory(atPath: docs.path)
            .filter { $0.hasPrefix("Chapter") && $0.hasSuffix(".md") }.sorted()
            .map { ($0, try String(contentsOf: docs.appendingPathComponent($0), encoding: .utf8)) }
    }

    @Test("The finder of broken math finds each escape GitHub drops, in $…$ and $$…$$, and nothing in code or GitHub's own forms")
    func brokenMathFinder() {
        for escape in escapesGitHubDrops {
            #expect(mathGitHubBreaks(in: "so $a \(escape) b$ here") == ["$a \(escape) b$"])
            #expect(mathGitHubBreaks(in: "display\n$$x\n\(escape) y$$\n").count == 1)
            #expect(mathGitHubBreaks(in: "inline $`a \(escape) b`$ and `$a \(escape)$` in code").isEmpty)
            #expect(mathGitHubBreaks(in: "```math\na \(escape) b\n```\n").isEmpty)
        }
        #expect(mathGitHubBreaks(in: "$\\sigma^2 (1 + 1/(k + 1))$ and $\\lVert g \\rVert$").isEmpty)
    }

    @Test("No page of docs/ has math that GitHub's Markdown breaks (\\, \\; \\! \\{ \\} inside $…$ or $$…$$)")
    func noBrokenMath() throws {
        let pages = try Self.pages()
        #expect(pages.count >= 8)
        for (name, text) in pages {
            for math in mathGitHubBreaks(in: text) {
                Issue.record("docs/\(name): \(math.prefix(80)) — use $`…`$ or a ```math block")
            }
        }
    }

    @Test("Every notebook cell that printed something is shown with PyTorch's own output under it")
    func pyTorchOutputUnderEachCell() throws {
        let pages = try Self.pages().map(\.text).joined(separator: "\n")
        var cellsWithOutput = 0
        for notebook in ["deep-rnn", "bidirectional-rnn"] {
            let text = try String(contentsOf: Self.root.appendingPathComponent("Notebooks/\(notebook)-notebook.md"),
                                  encoding: .utf8)
            for (i, cell) in notebookCells(in: text).enumerated() {
                guard let printed = notebookOutput(after: i, in: text) else { continue }
                cellsWithOutput += 1
                // The cell as quoted, then the line that announces PyTorch's output, then its first line.
                let quoted = "```python\n\(cell)\n```\n\nWhat it printed in PyTorch"
                guard let at = pages.range(of: quoted) else {
                    Issue.record("\(notebook) cell \(i + 1) is not quoted with PyTorch's output under it")
                    continue
                }
                let after = pages[at.upperBound...].prefix(400)
                #expect(after.contains(printed[0]), "\(notebook) cell \(i + 1): its first printed line is not shown")
            }
        }
        #expect(cellsWithOutput >= 6)
    }

    /// The ```` ```swift ```` blocks of a page that are shown, not folded in `<details>`.
    static func shownSwiftBlocks(_ page: String) -> [[String]] {
        var blocks: [[String]] = [], current: [String]? = nil, folded = false
        for line in page.split(separator: "\n", omittingEmptySubsequences: false).map(String.init) {
            if current == nil {
                if line.hasPrefix("<details>") { folded = true }
                if line.hasPrefix("</details>") { folded = false }
                if line == "```swift" { current = [] }
            } else if line == "```" {
                if !folded, let block = current { blocks.append(block) }
                current = nil
            } else {
                current?.append(line)
            }
        }
        return blocks
    }

    /// Shown blocks whose statements are mostly printing (with what the page folds), each by its
    /// page and first line, with the reason it stays so.
    static let blocksThatMostlyPrint: [String: String] = [
        "Chapter00-Data.md: var generator = options.generator()":
            "draws the series and prints its shapes and first values, as d2l's check_shape does",
        "Chapter01-Loader.md: var generator = options.generator()":
            "makes the windows and prints their shapes and first values, the check of sequencesPreparation",
        "Chapter03-Loss.md: let scratchLoss = sequenceLoss(drnn(x), y).item":
            "two losses, then the defect they show, printed where it is measured",
        "Chapter03-Loss.md: output.line(\"                             notebook loss   fixed loss\")":
            "the table of the two losses for two answers: its rows are the computation",
    ]

    @Test("No shown Swift block is mostly recording, saving, drawing, padding or the summary; those mostly printing are listed")
    func quotedCodeIsTheComputation() throws {
        let builder = PageBuilder(name: "Chapter00-Data", source: try ChapterSource(parsing: sample),
                                  output: ChapterOutput(""), corrected: nil, previous: nil, next: nil,
                                  quoter: Quoter(root: Self.root))
        var blocks = 0, plumbingBlocks: [String] = [], printingBlocks: Set<String> = []
        for (name, text) in try Self.pages() {
            for block in Self.shownSwiftBlocks(text) {
                blocks += 1
                let statements = builder.statements(block).map { $0.joined(separator: "\n").trimmingCharacters(in: .whitespaces) }
                    .filter { !$0.isEmpty && !$0.hasPrefix("//") && !$0.allSatisfy { "}) ".contains($0) } }
                let plumbing = statements.filter { builder.isPlumbing([$0]) }
                let printing = statements.filter { $0.hasPrefix("output.line(") || $0.hasPrefix("output.heading(") }
                if !statements.isEmpty, 2 * plumbing.count > statements.count {
                    plumbingBlocks.append("docs/\(name): \(block.first ?? "")")
                }
                if !statements.isEmpty, 2 * (plumbing.count + printing.count) > statements.count {
                    printingBlocks.insert("\(name): \(block.first ?? "")")
                }
            }
        }
        #expect(blocks > 50)
        #expect(plumbingBlocks.isEmpty, "\(plumbingBlocks.count) of \(blocks) shown blocks are mostly plumbing: \(plumbingBlocks)")
        let unlisted = printingBlocks.subtracting(Self.blocksThatMostlyPrint.keys).sorted()
        let stale = Set(Self.blocksThatMostlyPrint.keys).subtracting(printingBlocks).sorted()
        #expect(unlisted.isEmpty && stale.isEmpty, "mostly printing, not listed: \(unlisted); listed, no longer so: \(stale)")
    }

    @Test("The base rate the prose gives is the one Chapter 06 prints")
    func baseRateFromOneValue() throws {
        let pages = try Self.pages()
        let chapter06 = try #require(pages.first { $0.name == "Chapter06-Approximation.md" }).text
        let printed = try #require(chapter06.firstMatch(of: /answering 0 for every row: ([0-9.]+)%/)?.1)
        var mentions = 0
        for (name, text) in pages {
            for match in text.matches(of: /base\s+rate(?:\s+of|\s+\(|,)?\s*([0-9]+\.[0-9]+)%/) {
                mentions += 1
                #expect(match.1 == printed, "docs/\(name) gives the base rate as \(match.1)%, Chapter 06 prints \(printed)%")
            }
            for match in text.matches(of: /([0-9]+\.[0-9]+)%\)?,?\s+(?:the|is\s+the)\s+base\s+rate/) {
                mentions += 1
                #expect(match.1 == printed, "docs/\(name) calls \(match.1)% the base rate, Chapter 06 prints \(printed)%")
            }
        }
        #expect(mentions >= 1, "no page gives the base rate as a number")
    }

    @Test("A quoted array literal runs to its closing bracket, and a quote starts a paragraph of its own")
    func arrayLiteralQuotes() throws {
        let text = "struct S {\n    static let rows = [\n        Row(name: \"a\", key: \"[\"),\n        Row(name: \"b\"),\n    ]\n    let after = 2\n}"
        #expect(try declaration(named: "rows", in: text, file: "S.swift")
                == "static let rows = [\n    Row(name: \"a\", key: \"[\"),\n    Row(name: \"b\"),\n]")
        #expect(try declaration(named: "after", in: text, file: "S.swift") == "let after = 2")
    }

    @Test("@Fold hides the code piece after it in <details>; a shown piece names its file and lines; recording is folded, a loop is not cut")
    func foldsAndSourceLines() throws {
        let text = """
        /*:
         # Chapter 09 — Sample
         Intro.
         */
        //: @Fold(The program: `run`)
        import Workbook

        struct Sample {
            func run(_ output: Output) {
                //: ## First
                let x = 1
                output.record("x", value: .number(1))
                for i in 0..<2 {
                    output.record("i", value: .number(Double(i)))
                }
                output.heading("One")
            }
        }
        """
        let builder = PageBuilder(name: "Chapter09-Sample", source: try ChapterSource(parsing: text),
                                  output: ChapterOutput("One\n---\n"), corrected: nil, previous: nil, next: nil,
                                  quoter: Quoter(root: Self.root))
        let page = try builder.markdown()
        #expect(page.contains("<details><summary>The program: <code>run</code></summary>\n\nFrom [`Chapters/Chapter09-Sample/Chapter09.swift`, lines 6–9]"))
        #expect(!page.contains("@Fold"))
        #expect(page.contains("From [`Chapters/Chapter09-Sample/Chapter09.swift`, lines 11–16](../Chapters/Chapter09-Sample/Chapter09.swift#L11-L16):"))
        // The top-level record is folded; the one inside the loop stays with its loop.
        #expect(page.contains("<details><summary>recording, saving, drawing, table rows, summary (1 line)</summary>\n\n```swift\noutput.record(\"x\""))
        #expect(page.contains("for i in 0..<2 {\n    output.record(\"i\""))
    }
}
