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
    // A chapter's name, or the absolute path of a program that runs one (setpriv).
    process.executableURL = chapter.hasPrefix("/") ? URL(fileURLWithPath: chapter)
                                                   : productsDirectory.appendingPathComponent(chapter)
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

/// The options each chapter takes (besides `--help` and `--version`), in the order `--help` lists
/// them: only those it uses.
let chapterOptions: [String: [String]] = {
    let common = ["--seed", "--quiet", "--json"], model = ["--hidden-size", "--window-length"]
    let training = ["--epochs", "--learning-rate"]
    let figures = ["--plots-dir", "--no-render", "--plots-in-terminal"]
    let loading = ["--checkpoints-dir", "--checkpoint"]
    return [
        "Chapter00-Data": common + ["--corrected"] + figures,
        "Chapter01-Loader": common + ["--window-length"],
        "Chapter02-Model": common + ["--corrected"] + model + figures,
        "Chapter03-Loss": common + ["--corrected"] + model,
        "Chapter04-Clipping": common + ["--corrected"] + model + ["--learning-rate"],
        "Chapter05-Training": common + ["--corrected"] + model + training + ["--verbose"] + figures
            + ["--checkpoints-dir"],
        "Chapter06-Approximation": common + ["--corrected"] + model + training + figures + loading
            + ["--retrain"],
        "Chapter07-Beyond": common + model + training + figures + loading + ["--csv", "--column"],
    ]
}()

/// Every option of some chapter.
let allOptions = Set(chapterOptions.values.joined())

/// The options that are followed by a value (`--plots-in-terminal` may be).
let optionsWithValues: Set = ["--seed", "--hidden-size", "--window-length", "--epochs", "--learning-rate",
                              "--plots-dir", "--checkpoints-dir", "--checkpoint", "--csv", "--column"]

/// `arguments` without the options `chapter` does not take (and their values): the same settings
/// for every chapter, as far as each uses them.
func arguments(_ arguments: [String], takenBy chapter: String) -> [String] {
    let taken = Set(chapterOptions[chapter] ?? [])
    var kept: [String] = [], skipping = false
    for argument in arguments {
        if skipping { skipping = false; continue }
        if argument.hasPrefix("--"), !taken.contains(argument) {
            skipping = optionsWithValues.contains(argument)
            continue
        }
        kept.append(argument)
    }
    return kept
}

/// The chapters that have a `--corrected` run: Chapter01-Loader's loaders are the same in both,
/// and Chapter07-Beyond runs the notebooks' code and its corrections side by side.
let chaptersWithCorrectedRun = chapters.filter { chapterOptions[$0]?.contains("--corrected") == true }

/// Every chapter as the notebooks write it, and those that have one with `--corrected`.
let chapterRuns: [(chapter: String, corrected: Bool)] = chapters.map { ($0, false) } + chaptersWithCorrectedRun.map { ($0, true) }
