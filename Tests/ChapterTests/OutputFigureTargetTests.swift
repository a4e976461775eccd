// A folder where one of a chapter's figure files must go (`plots/DEEPRNN_fig1.png`): found before
// any work, with the true cause, not after the training. (An unusable figures folder itself:
// OutsideTextTests.swift.)

import Foundation
import Testing

@Suite("Figure files and their folder: checked before any work, as the write will meet them", .serialized)
struct OutputFigureTargetTests {
    /// The figures each run draws, by the names its expected output prints (`[DEEPRNN_fig1] …`),
    /// and the arguments of that run; Chapter07-Beyond's own series (`--csv`) draws CSV_fig1 to CSV_fig4.
    static let runs: [(chapter: String, arguments: [String], figures: [String])] = {
        let expected = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Expected")
        var runs: [(String, [String], [String])] = chapterRuns.compactMap { chapter, corrected in
            let file = expected.appendingPathComponent(chapter + (corrected ? "-corrected" : "") + ".txt")
            guard let text = try? String(contentsOf: file, encoding: .utf8) else { return nil }
            let names = text.split(separator: "\n").compactMap { line -> String? in
                guard line.hasPrefix("["), let end = line.firstIndex(of: "]") else { return nil }
                return String(line[line.index(after: line.startIndex)..<end])
            }
            return names.isEmpty ? nil : (chapter, corrected ? ["--corrected"] : [], names)
        }
        runs.append(("Chapter07-Beyond", ["--csv", "series.txt"], (1...4).map { "CSV_fig\($0)" }))
        return runs
    }()

    @Test("The expected outputs list every chapter that draws figures")
    func everyChapterListed() {
        #expect(Set(Self.runs.map(\.chapter)) == ["Chapter00-Data", "Chapter02-Model", "Chapter05-Training",
                                                   "Chapter06-Approximation", "Chapter07-Beyond"])
    }

    @Test("A folder where a figure's script or image must go: exit 74 at once, naming it, nothing printed or trained",
          arguments: runs.map { "\($0.chapter) \($0.arguments.joined(separator: " "))" })
    func folderWhereFigureGoes(run: String) throws {
        let (chapter, arguments, figures) = try #require(Self.runs.first { "\($0.chapter) \($0.arguments.joined(separator: " "))" == run })
        for (index, figure) in figures.enumerated() {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            try (1...60).map(String.init).joined(separator: "\n").write(to: folder.appendingPathComponent("series.txt"),
                                                                         atomically: true, encoding: .utf8)
            // The script without rendering; an image (the PNG or the SVG, in turn) when gnuplot renders.
            let renders = gnuplotPath != nil && index % 2 == 1
            let file = "plots/\(figure).\(renders ? (index % 4 == 1 ? "png" : "svg") : "gp")"
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(file), withIntermediateDirectories: true)
            let result = try runChapter(chapter, arguments + ["--epochs", "1"].filter { _ in chapter != "Chapter00-Data" && chapter != "Chapter02-Model" }
                                        + (renders ? [] : ["--no-render"]), in: folder)
            expectFailure(result, status: 74, "error: \(file) is a folder, where a file is to be written; remove it or choose another folder",
                          in: folder)
            #expect(result.standardOutput.isEmpty, "\(chapter) \(figure): worked before failing: \(result.standardOutput.prefix(200))")
            #expect(files(under: folder) == ["series.txt"], "\(files(under: folder))")
        }
    }

    @Test("The README's case: a folder at plots/DEEPRNN_fig1.png, Chapter00-Data rendering its figures", .enabled(if: gnuplotPath != nil))
    func readmeCase() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("plots/DEEPRNN_fig1.png"), withIntermediateDirectories: true)
        let run = try runChapter("Chapter00-Data", [], in: folder)
        expectFailure(run, status: 74, "error: plots/DEEPRNN_fig1.png is a folder, where a file is to be written; remove it or choose another folder", in: folder)
        #expect(run.standardOutput.isEmpty, "\(run.standardOutput)")
    }

    @Test("A folder named as a figure of another run (BRNN_loss_corrected.gp, CSV_fig1.gp) is no obstacle")
    func otherRunsFigures() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for file in ["plots/BRNN_loss_corrected.gp", "plots/CSV_fig1.gp"] {
            try FileManager.default.createDirectory(at: folder.appendingPathComponent(file), withIntermediateDirectories: true)
        }
        let run = try runChapter("Chapter05-Training", ["--epochs", "1", "--no-render"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(files(under: folder.appendingPathComponent("plots")) == ["BRNN_loss.gp", "DEEPRNN_loss_concise.gp", "DEEPRNN_loss_scratch.gp"])
    }
}
