// Every chapter prints what was recorded, its --json equals PyTorch's fixtures, and its figures render.
//
// The recorded outputs in Expected/ come from `--epochs 3 --no-render` at seed 0, where the
// chapter takes them (and with `--corrected`, in the `-corrected` files). After a change
// that is meant to change them, record them again with
//
//     RECORD_CHAPTER_OUTPUT=1 swift test --filter ChapterOutputTests
//
// and read the difference (`git diff Tests/ChapterTests/Expected`) before committing it.

import Foundation
import Testing

@Suite("Chapters print what was recorded", .serialized)
struct ChapterOutputTests {
    static let expected = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Expected")

    @Test("Printed output with --epochs 3, as the notebooks write it and with --corrected", arguments: chapterRuns)
    func printedOutput(chapter: String, corrected: Bool) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runChapter(chapter, arguments(["--epochs", "3", "--no-render"], takenBy: chapter)
                                     + (corrected ? ["--corrected"] : []), in: folder)
        #expect(run.status == 0, "\(chapter) failed: \(run.standardError)")
        let file = Self.expected.appendingPathComponent("\(chapter)\(corrected ? "-corrected" : "").txt")
        if ProcessInfo.processInfo.environment["RECORD_CHAPTER_OUTPUT"] != nil {
            try run.standardOutput.write(to: file, atomically: true, encoding: .utf8)
            return
        }
        let recorded = try String(contentsOf: file, encoding: .utf8)
        let (actualLines, recordedLines) = (run.standardOutput.split(separator: "\n", omittingEmptySubsequences: false),
                                            recorded.split(separator: "\n", omittingEmptySubsequences: false))
        for (i, (a, r)) in zip(actualLines, recordedLines).enumerated() where a != r {
            Issue.record("\(chapter) line \(i + 1) differs:\n  printed:  \(a)\n  recorded: \(r)")
            break
        }
        #expect(actualLines.count == recordedLines.count, "\(chapter) printed \(actualLines.count) lines, recorded \(recordedLines.count)")
    }

    @Test("The same seed gives byte-identical output and plot scripts", arguments: chapters)
    func deterministic(chapter: String) throws {
        var outputs: [String] = [], scripts: [[String: Data]] = []
        for _ in 0..<2 {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let run = try runChapter(chapter, arguments(["--epochs", "4", "--no-render", "--seed", "3"], takenBy: chapter),
                                     in: folder)
            #expect(run.status == 0)
            outputs.append(run.standardOutput)
            let plots = folder.appendingPathComponent("plots")
            let files = ((try? FileManager.default.contentsOfDirectory(atPath: plots.path)) ?? []).sorted()
            scripts.append(Dictionary(uniqueKeysWithValues: try files.map { ($0, try Data(contentsOf: plots.appendingPathComponent($0))) }))
        }
        #expect(outputs[0] == outputs[1])
        #expect(scripts[0] == scripts[1])
        #expect(["Chapter01-Loader", "Chapter03-Loss", "Chapter04-Clipping"].contains(chapter) || !scripts[0].isEmpty, "\(chapter) drew no figure")
    }

    @Test("Chapter02's diagram of the bidirectional model has every part the notebook's figure has")
    func bidirectionalDiagram() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runChapter("Chapter02-Model", ["--no-render"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        let script = try String(contentsOf: folder.appendingPathComponent("plots/BRNN_fig1.gp"), encoding: .utf8)
        #expect(script.contains("set title \"BRNN: two RNNs over the two halves, outputs multiplied\""))
        for text in ["h1", "h2", "h3", "h4", "h5", "h6", "x1", "x2", "x3", "x4", "x5", "x6",
                     "out_3", "out_5", "d1d2d3 < 500 ?", "d6d5d4 > 500 ?", "×", "ŷ"] {
            #expect(script.contains("set label \"\(text)\""), "missing label \(text)")
        }
        #expect(!script.contains("EOD"))
        #expect(script.contains("unset border"))
    }
}
