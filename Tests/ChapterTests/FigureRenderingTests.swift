// Every gnuplot script the chapters emit runs through gnuplot and produces a non-empty image:
// the scripts of a fresh run of every chapter (faithful and corrected), and the committed scripts
// of the default run in plots/.
//
// Without gnuplot these tests are skipped, unless REQUIRE_GNUPLOT is set (CI sets it after
// installing gnuplot), in which case its absence is a failure.

import Foundation
import Testing

/// gnuplot's path, when it is installed.
let gnuplotPath: String? = {
    let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
    return path.split(separator: ":").map { "\($0)/gnuplot" }.first { FileManager.default.isExecutableFile(atPath: $0) }
}()

let gnuplotRequired = ProcessInfo.processInfo.environment["REQUIRE_GNUPLOT"] != nil

/// Runs `script` (a path relative to `folder`) with gnuplot, writing to `image`; returns gnuplot's status and errors.
func renderWithGnuplot(_ script: String, to image: URL, in folder: URL) throws -> (status: Int32, errors: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: try #require(gnuplotPath))
    process.arguments = ["-e", "outfile='\(image.path)'", script]
    process.currentDirectoryURL = folder
    let err = Pipe()
    process.standardError = err
    process.standardOutput = FileHandle.nullDevice
    try process.run()
    let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    return (process.terminationStatus, errors)
}

func fileSize(_ url: URL) -> Int {
    ((try? FileManager.default.attributesOfItem(atPath: url.path))?[.size] as? Int) ?? 0
}

/// Renders every `.gp` in `folder/plots` to PNG and SVG in a scratch folder and expects non-empty images.
func expectEveryScriptRenders(in folder: URL, _ what: String) throws -> Int {
    let plots = folder.appendingPathComponent("plots")
    let scripts = try FileManager.default.contentsOfDirectory(atPath: plots.path).filter { $0.hasSuffix(".gp") }.sorted()
    let scratch = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: scratch) }
    for script in scripts {
        for format in ["png", "svg"] {
            let image = scratch.appendingPathComponent("\(script.dropLast(3)).\(format)")
            let (status, errors) = try renderWithGnuplot("plots/\(script)", to: image, in: folder)
            #expect(status == 0, "\(what): gnuplot failed on \(script): \(errors)")
            #expect(fileSize(image) > 1000, "\(what): \(script) gave an empty \(format) image")
        }
    }
    return scripts.count
}

@Suite("Figures render with gnuplot", .serialized, .enabled(if: gnuplotPath != nil || gnuplotRequired))
struct FigureRenderingTests {
    @Test("gnuplot is installed where it is required")
    func gnuplotPresent() {
        #expect(gnuplotPath != nil, "REQUIRE_GNUPLOT is set but gnuplot is not on PATH")
    }

    @Test("Every chapter's scripts render, and the chapter rendered PNG and SVG beside each",
          arguments: chapterRuns)
    func chapterFigures(chapter: String, corrected: Bool) throws {
        try #require(gnuplotPath != nil)
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runChapter(chapter, arguments(["--epochs", "2"], takenBy: chapter) + (corrected ? ["--corrected"] : []),
                                 in: folder)
        #expect(run.status == 0, "\(chapter) failed: \(run.standardError)")
        let plots = folder.appendingPathComponent("plots")
        let scripts = (try? FileManager.default.contentsOfDirectory(atPath: plots.path).filter { $0.hasSuffix(".gp") }) ?? []
        let drawn = run.standardOutput.split(separator: "\n").filter { $0.hasPrefix("[") && $0.contains("] ") }.count
        #expect(scripts.count == drawn, "\(chapter) announced \(drawn) figures and wrote \(scripts.count) scripts")
        for script in scripts {
            for format in ["png", "svg"] {
                let image = plots.appendingPathComponent("\(script.dropLast(3)).\(format)")
                #expect(fileSize(image) > 1000, "\(chapter) did not render \(image.lastPathComponent)")
            }
        }
        if !scripts.isEmpty { _ = try expectEveryScriptRenders(in: folder, chapter) }
    }

    @Test("The committed scripts of the default run in plots/ render")
    func committedFigures() throws {
        try #require(gnuplotPath != nil)
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let count = try expectEveryScriptRenders(in: root, "plots/")
        #expect(count >= 11, "expected the notebooks' figures, BRNN_fig1 and the loss curves in plots/, found \(count) scripts")
    }
}
