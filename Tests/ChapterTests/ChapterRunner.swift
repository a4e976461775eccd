// Runs the built chapter programs, as a learner would, and captures what they print.

import Foundation
import Testing

/// The result of running a chapter program.
struct ChapterRun {
    let status: Int32
    let standardOutput: String
    let standardError: String
}

/// The folder holding the built products (`.build/debug`), where the chapter programs are.
let productsDirectory: URL = {
    #if canImport(Darwin)
    // On macOS the tests are a bundle (`.build/debug/…PackageTests.xctest`) that a helper program
    // of the toolchain loads: the bundle's folder, not the program's, holds the chapters.
    if let bundle = Bundle.allBundles.first(where: { $0.bundlePath.hasSuffix(".xctest") }) {
        return bundle.bundleURL.deletingLastPathComponent()
    }
    #endif
    var url = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
    while url.pathComponents.count > 1 {
        url.deleteLastPathComponent()
        if FileManager.default.fileExists(atPath: url.appendingPathComponent("Chapter00-Data").path) { return url }
    }
    return Bundle.main.bundleURL
}()

/// Runs `chapter` with `arguments` in a fresh temporary folder (the working directory), so that
/// default plot and checkpoint folders land there; returns its exit status and output.
func runChapter(_ chapter: String, _ arguments: [String], in folder: URL,
                environment: [String: String]? = nil) throws -> ChapterRun {
    let process = Process()
    process.executableURL = productsDirectory.appendingPathComponent(chapter)
    process.arguments = arguments
    process.currentDirectoryURL = folder
    if let environment { process.environment = environment }
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    // Standard output first, to its end, so a long output cannot block the program; the chapters
    // write at most a few lines to standard error.
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    let errData = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return ChapterRun(status: process.terminationStatus,
                      standardOutput: String(decoding: outData, as: UTF8.self),
                      standardError: String(decoding: errData, as: UTF8.self))
}

/// A new empty temporary folder; removed by the caller.
func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("rnn-workbook-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

let chapters = [
    "Chapter00-Data", "Chapter01-Loader", "Chapter02-Model", "Chapter03-Loss",
    "Chapter04-Clipping", "Chapter05-Training", "Chapter06-Approximation", "Chapter07-Beyond",
]

/// Chapter07-Beyond runs the notebooks' code and its corrections side by side: it has no `--corrected` run.
let chaptersWithCorrectedRun = chapters.filter { $0 != "Chapter07-Beyond" }

/// Every chapter as the notebooks write it, and those that have one with `--corrected`.
let chapterRuns: [(chapter: String, corrected: Bool)] = chapters.map { ($0, false) } + chaptersWithCorrectedRun.map { ($0, true) }
