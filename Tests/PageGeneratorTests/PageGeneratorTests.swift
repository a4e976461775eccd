// The page generator reads a chapter as prose, code and sections, quotes declarations and notebook
// cells from their files, places each line of output under the code that printed it, and finds
// the links that point nowhere.

import Foundation
import Testing
@testable import PageGenerator

let sample = """
/*:
 # Chapter 09 — Sample

 What the chapter is about.
 @Code(Sources/Sample.swift, double)
 */
import Workbook

struct Sample {
    func run(_ output: Output) {
        output.line("Chapter 09")

        //: ## First
        //: Prose of the first section.
        output.heading("One")
        output.line("[FIG_1] a caption")

        //: ## Second
        let x = 1
        //: More prose in the middle.
        output.heading("Two")
        output.summary("Summary: x")
    }
}
/*:
 ## Summary
 It worked.
 */
"""

@Suite("The page generator")
struct PageGeneratorTests {
    @Test("A chapter splits into introduction, sections with prose and code, and a closing block")
    func parsing() throws {
        let source = try ChapterSource(parsing: sample)
        #expect(source.title == "Chapter 09 — Sample")
        #expect(source.introduction == "What the chapter is about.\n@Code(Sources/Sample.swift, double)")
        #expect(source.sections.map(\.title) == [nil, "First", "Second"])
        #expect(source.sections.map(\.headingCalls) == [0, 1, 1])
        #expect(source.sections[1].pieces.first == .prose("Prose of the first section."))
        #expect(source.sections[2].pieces == [
            .code("let x = 1"), .prose("More prose in the middle."),
            // The braces that close `run` and the type are left out, and the code is dedented.
            .code("output.heading(\"Two\")\noutput.summary(\"Summary: x\")"),
        ])
        #expect(source.closing == "## Summary\nIt worked.")
    }

    @Test("An abstract split into literals joined by + reads as one line")
    func joinedAbstract() throws {
        let configuration = "static let configuration = CommandConfiguration(\n"
            + "        abstract: \"Two halves \"\n            + \"of one line.\")\n"
        let source = try ChapterSource(parsing: sample + "\n" + configuration)
        #expect(source.abstract == "Two halves of one line.")
        #expect(try ChapterSource(parsing: sample).abstract == "")
    }

    @Test("A source without an introduction, or with an unclosed block, is refused")
    func badSources() {
        #expect(throws: PageError.self) { try ChapterSource(parsing: "import Workbook\n") }
        #expect(throws: PageError.self) { try ChapterSource(parsing: "/*:\n # T\n") }
    }

    @Test("Output is cut at its underlined headings; figures and the summary are found")
    func outputSegments() {
        let output = ChapterOutput("Chapter 09\n\nOne\n---\n[FIG_1] a caption\n\nTwo\n---\nSummary: x\n")
        #expect(output.segments == [["Chapter 09"], ["One", "---", "[FIG_1] a caption"], ["Two", "---", "Summary: x"]])
        #expect(output.figures == ["FIG_1"])
        #expect(output.summary == "Summary: x")
    }

    @Test("Each section's output follows its code; figures become images with their captions")
    func page() throws {
        let root = try scratchPackage()
        defer { try? FileManager.default.removeItem(at: root) }
        let builder = PageBuilder(
            name: "Chapter09-Sample", source: try ChapterSource(parsing: sample),
            output: ChapterOutput("Chapter 09\n\nOne\n---\n[FIG_1] a caption\n\nTwo\n---\nSummary: x\n"),
            corrected: ChapterOutput("Chapter 09\n\nOne\n---\n[FIG_1] a caption\n\nTwo\n---\nSummary: y\n"),
            previous: nil, next: ChapterLink(name: "Chapter10-Next", title: "Chapter 10"), quoter: Quoter(root: root))
        let page = try builder.markdown()
        let one = try #require(page.range(of: "output.heading(\"One\")"))
        let oneOutput = try #require(page.range(of: "One\n---"))
        let two = try #require(page.range(of: "output.heading(\"Two\")"))
        #expect(one.upperBound < oneOutput.lowerBound && oneOutput.upperBound < two.lowerBound)
        #expect(page.contains("![FIG_1](../plots/FIG_1.png)\n\n*FIG_1: a caption*"))
        #expect(page.contains("/// Twice x.\nfunc double(_ x: Int) -> Int {\n    2 * x\n}"))
        #expect(page.contains("| x | y |"))
        #expect(page.contains("| ![FIG_1](../plots/FIG_1.png) | ![FIG_1](../plots/corrected/FIG_1.png) |"))
        #expect(page.contains("[Chapter 10](Chapter10-Next.md) →"))
    }

    @Test("With the run's source lines, each line of output goes right under the code piece that printed it")
    func outputUnderItsCode() throws {
        let source = try ChapterSource(parsing: sample)
        // Lines of `sample`: 11 prints "Chapter 09", 15–16 the first heading and the figure, 21–22 the second
        // heading and the summary; a line printed elsewhere (a training log) follows the line before it.
        let text = "Chapter 09\n\nOne\n---\n[FIG_1] a caption\nlogged\n\nTwo\n---\nSummary: x\n"
        let at = ["Chapter09_Sample/Chapter09.swift:11"] + Array(repeating: "Chapter09_Sample/Chapter09.swift:15", count: 3)
            + ["Chapter09_Sample/Chapter09.swift:16", "ChapterSupport/TrainingLog.swift:24"]
            + Array(repeating: "Chapter09_Sample/Chapter09.swift:21", count: 3) + ["Chapter09_Sample/Chapter09.swift:22"]
        #expect(source.sections.flatMap(\.sourceLines).filter { !$0.isEmpty }.map { [$0.lowerBound, $0.upperBound] }
                == [[7, 13], [15, 18], [19, 20], [21, 25]])
        let root = try scratchPackage()
        defer { try? FileManager.default.removeItem(at: root) }
        let builder = PageBuilder(name: "Chapter09-Sample", source: source, output: ChapterOutput(text, sources: at), corrected: nil,
                                  previous: nil, next: nil, quoter: Quoter(root: root))
        let page = try builder.markdown()
        let positions = try ["output.line(\"Chapter 09\")", "```text\nChapter 09\n```", "output.heading(\"One\")",
                             "```text\nOne\n---\n```", "*FIG_1: a caption*", "```text\nlogged\n```", "let x = 1",
                             "More prose in the middle.", "output.heading(\"Two\")", "```text\nTwo\n---\nSummary: x\n```"]
            .map { try #require(page.range(of: $0), "\($0) is not on the page").lowerBound }
        #expect(positions == positions.sorted(), "\(page)")
    }

    @Test("Numbers in prose come from the run's records: {{path}}, array indices from the end, corrected, percentages")
    func recordedNumbers() throws {
        let records = Records(faithful: ["deep_rnn": ["losses": [231.46, 150.0, 113.2137]], "accuracy": 0.7472] as [String: Any],
                              corrected: ["deep_rnn": ["losses": [0.000396512]]] as [String: Any])
        let text = "from {{deep_rnn.losses.0}} to {{ deep_rnn.losses.-1 }}, corrected {{corrected: deep_rnn.losses.-1}}, {{accuracy|%}}"
        #expect(try records.fill(text, in: "Chapter09-Sample") == "from 231.5 to 113.2, corrected 3.965e-04, 74.72%")
        #expect(throws: PageError.self) { try records.fill("{{deep_rnn.final_loss}}", in: "Chapter09-Sample") }
        #expect(throws: PageError.self) { try records.fill("{{deep_rnn.losses.3}}", in: "Chapter09-Sample") }
        #expect(try records.fill("no reference", in: "Chapter09-Sample") == "no reference")
        // Filters over arrays, powers of ten, other chapters' runs and the PyTorch scripts' records.
        let more = Records(faithful: ["runs": [[2.0, 4.0], [9.0]], "loss": 4.2e11] as [String: Any], corrected: nil,
                           chapters: ["Chapter07": ["optimum": 113.68]], scripts: ["sensitivity": ["final": [101.7, 126.7]]])
        #expect(try more.fill("{{runs|max}} {{runs|mean}} {{runs.0|min}} {{loss|order}} {{Chapter07: optimum}} {{pytorch: sensitivity.final.1}}",
                              in: "Chapter09-Sample") == "9 5 2 10¹¹ 113.7 126.7")
        #expect(throws: PageError.self) { try more.fill("{{Chapter08: optimum}}", in: "Chapter09-Sample") }
        #expect(throws: PageError.self) { try more.fill("{{runs|median}}", in: "Chapter09-Sample") }
    }

    @Test("A page whose code and output disagree on the number of headings is refused")
    func headingMismatch() throws {
        let builder = PageBuilder(name: "Chapter09-Sample", source: try ChapterSource(parsing: sample),
                                  output: ChapterOutput("Chapter 09\n\nOne\n---\n"), corrected: nil,
                                  previous: nil, next: nil, quoter: Quoter(root: URL(fileURLWithPath: "/")))
        #expect(throws: PageError.self) { try builder.markdown() }
    }

    @Test("Declarations are quoted whole, with their documentation, braces in strings ignored")
    func declarations() throws {
        let text = """
        import Foundation

        /// Says hello.
        @discardableResult
        public func greet(
            _ name: String, then: () -> Void = { }
        ) -> String {
            let s = "{ \\(name) }"
            if name.isEmpty { return "}" }
            return s
        }

        struct After {}
        """
        let quoted = try declaration(named: "greet", in: text, file: "x.swift")
        #expect(quoted.hasPrefix("/// Says hello.\n@discardableResult\npublic func greet"))
        #expect(quoted.hasSuffix("    return s\n}"))
        #expect(throws: PageError.self) { try declaration(named: "missing", in: text, file: "x.swift") }
    }

    @Test("Notebook cells are found by their text")
    func notebookCells() throws {
        let notebook = "Text\n\n```python\nx = 1\n```\n\n```python\ndef loss(a):\n    return a\n```\n"
        #expect(try notebookCell(containing: "def loss(", in: notebook, file: "n.md") == "def loss(a):\n    return a")
        #expect(throws: PageError.self) { try notebookCell(containing: "nothing", in: notebook, file: "n.md") }
    }

    @Test("Links to files that do not exist are reported; web links and code are not")
    func brokenLinks() throws {
        let root = try scratchPackage()
        defer { try? FileManager.default.removeItem(at: root) }
        let docs = root.appendingPathComponent("docs")
        try FileManager.default.createDirectory(at: docs, withIntermediateDirectories: true)
        try "ok".write(to: root.appendingPathComponent("plots.png"), atomically: true, encoding: .utf8)
        try """
        ![a](../plots.png) [b](missing.md) [c](https://example.org/x) [d](#anchor)
        ```
        [e](also-missing.md)
        ```
        """.write(to: docs.appendingPathComponent("Page.md"), atomically: true, encoding: .utf8)
        let broken = try Site(root: root, products: root).brokenLinks()
        #expect(broken == ["docs/Page.md links missing.md, which does not exist"])
    }

    @Test("Stale and no-longer-generated files are named")
    func staleFiles() throws {
        let root = try scratchPackage()
        defer { try? FileManager.default.removeItem(at: root) }
        let site = Site(root: root, products: root)
        let files = [GeneratedFile(path: "docs/A.md", contents: Data("new".utf8)),
                     GeneratedFile(path: "plots/F.gp", contents: Data("plot".utf8))]
        try site.write(files)
        #expect(site.staleFiles(files, includingImages: true).isEmpty)
        try "old".write(to: root.appendingPathComponent("docs/A.md"), atomically: true, encoding: .utf8)
        try "x".write(to: root.appendingPathComponent("plots/G.gp"), atomically: true, encoding: .utf8)
        #expect(site.staleFiles(files, includingImages: true) == ["docs/A.md", "plots/G.gp (no longer generated)"])
    }

    /// A folder with `Sources/Sample.swift`, for quoting.
    func scratchPackage() throws -> URL {
        let root = FileManager.default.temporaryDirectory.appendingPathComponent("pages-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("Sources"), withIntermediateDirectories: true)
        try "// A sample.\n\n/// Twice x.\nfunc double(_ x: Int) -> Int {\n    2 * x\n}\n"
            .write(to: root.appendingPathComponent("Sources/Sample.swift"), atomically: true, encoding: .utf8)
        return root
    }
}
