// The exercises' headers, which the checker lists and the page generator turns into
// docs/Exercises.md and the chapters' links: read from each file, with GitHub's heading anchors.

import Foundation
import Testing
@testable import PageGenerator

@Suite("The exercises' headers")
struct ExerciseHeaderTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test("GitHub's anchors: lower case, punctuation dropped, spaces as hyphens")
    func anchors() {
        #expect(githubAnchor("Sliding windows: `sequencesPreparation(data_trans, 19)`") == "sliding-windows-sequencespreparationdata_trans-19")
        #expect(githubAnchor("The bidirectional loss: `(N, 1) − (N,)` broadcast to N × N") == "the-bidirectional-loss-n-1--n-broadcast-to-n--n")
        #expect(githubAnchor("The deep RNN: the notebook's models on a fresh series") == "the-deep-rnn-the-notebooks-models-on-a-fresh-series")
        #expect(headingAnchors(in: "# Title\n## A b\n```\n## not a heading\n```\n### C: d") == ["title", "a-b", "c-d"])
    }

    @Test("A header: the number, the title and the page section")
    func header() throws {
        let text = """
            /// Exercise 04 — backpropagation through time.
            ///
            /// Page: [Chapter 04 — Gradient clipping › Backpropagation](../docs/Chapter04-Clipping.md#backpropagation)
            public func f() {}
            """
        let header = try ExerciseHeader(file: "04-Name.swift", text: text)
        #expect(header.number == 4 && header.title == "backpropagation through time" && header.displayTitle == "Backpropagation through time")
        #expect(header.page == "Chapter04-Clipping.md" && header.chapter == "Chapter04-Clipping" && header.anchor == "backpropagation")
        #expect(header.sectionTitle == "Chapter 04 — Gradient clipping › Backpropagation" && header.name == "04-Name")
        #expect(throws: PageError.self) { try ExerciseHeader(file: "04-Name.swift", text: "/// Exercise 04 — no page line.") }
        #expect(throws: PageError.self) { try ExerciseHeader(file: "Name.swift", text: text) }
    }

    @Test("Every exercise has a header, a solution of the same name, a check and a hint, and is in Package.swift")
    func everyExercise() throws {
        let headers = try exerciseHeaders(in: Self.root)
        #expect(headers.count >= 10)
        #expect(headers.map(\.number) == Array(1...headers.count), "the exercises are numbered 01, 02, … without a gap")
        let manifest = try String(contentsOf: Self.root.appendingPathComponent("Package.swift"), encoding: .utf8)
        for h in headers {
            for path in ["Solutions/\(h.file)", "Exercises/Checks/\(h.name)/main.swift", "Exercises/Checks/\(h.name)/Hint.md",
                         "Exercises/Fixtures/\(h.name).json", "docs/\(h.page)"] {
                #expect(FileManager.default.fileExists(atPath: Self.root.appendingPathComponent(path).path), "\(h.file): no \(path)")
            }
            #expect(manifest.contains("\"\(h.name)\""), "Package.swift's list of exercises lacks \(h.name)")
        }
        let page = exercisesPage(headers, chapters: headers.map { ($0.chapter, $0.chapter) })
        for h in headers { #expect(page.contains("](../Exercises/\(h.file))"), "docs/Exercises.md does not link \(h.file)") }
    }
}
