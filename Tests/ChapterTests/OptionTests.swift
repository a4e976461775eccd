// Each chapter takes the options it uses and no other; --version; the usage line; the figures
// drawn in the terminal (--plots-in-terminal); the progress bar on a dumb terminal.

@testable import ChapterSupport
import Dispatch
import Foundation
import Testing

/// A value for each option that takes one, cheap to run with.
let sampleValues: [String: [String]] = [
    "--seed": ["1"], "--hidden-size": ["4"], "--window-length": ["5"], "--epochs": ["1"],
    "--learning-rate": ["0.001"], "--plots-dir": ["p"], "--checkpoints-dir": ["c"],
    "--plots-in-terminal": ["ascii"],
]

/// What `--help` of `chapter` lists under OPTIONS, in order.
func listedOptions(_ help: String) -> [String] {
    help.split(separator: "\n").compactMap { line -> String? in
        let words = line.split(separator: " ")
        guard line.hasPrefix("  -"), let first = words.first else { return nil }
        return String(first == "-h," ? words[1] : first)
    }
}

@Suite("Options: each chapter takes only what it uses", .serialized)
struct OptionTests {
    @Test("--help lists the chapter's options, and the usage line names each of them", arguments: chapters)
    func help(chapter: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runChapter(chapter, ["--help"], in: folder)
        #expect(run.status == 0)
        #expect(listedOptions(run.standardOutput) == (chapterOptions[chapter] ?? []) + ["--version", "--help"])
        let usage = try #require(run.standardOutput.components(separatedBy: "USAGE: ").last?
            .components(separatedBy: "\n\n").first)
        #expect(usage.hasPrefix(chapter + " ["), "\(usage)")
        #expect(!usage.contains("<options>"))
        for option in chapterOptions[chapter] ?? [] {
            #expect(usage.contains("[\(option)"), "\(chapter)'s usage does not name \(option): \(usage)")
        }
        for line in run.standardOutput.split(separator: "\n") {
            #expect(line.count <= 80, "\(chapter) --help: a line over 80 columns: \(line)")
        }
    }

    @Test("An option the chapter does not take is refused: exit 64, one line, nothing written",
          arguments: chapters)
    func untakenOptions(chapter: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let untaken = allOptions.subtracting(chapterOptions[chapter] ?? []).sorted()
        #expect(!untaken.isEmpty || chapter == "Chapter06-Approximation" || chapter == "Chapter07-Beyond")
        for option in untaken {
            let run = try runChapter(chapter, [option] + (sampleValues[option] ?? (optionsWithValues.contains(option) ? ["x"] : [])),
                                     in: folder)
            // ArgumentParser may add a guess: "Unknown option '--csv'. Did you mean '--json'?".
            expectFailure(run, status: 64, "error: Unknown option '\(option)'", in: folder)
            #expect(run.standardError.hasPrefix("error: Unknown option '\(option)'")
                    && run.standardError.hasSuffix(" (see --help)\n"), "\(run.standardError)")
            #expect(run.standardOutput.isEmpty)
        }
        #expect(files(under: folder).isEmpty)
    }

    @Test("Chapter00-Data --epochs 5 --learning-rate 7 --hidden-size 3: refused, not ignored")
    func dataChapterRefusesTraining() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runChapter("Chapter00-Data", ["--epochs", "5", "--learning-rate", "7", "--hidden-size", "3"], in: folder)
        expectFailure(run, status: 64, "error: Unknown option '--epochs' (see --help)", in: folder)
        #expect(run.standardError == "error: Unknown option '--epochs' (see --help)\n")
    }

    @Test("Every option the chapter lists is accepted: a run with all of them ends well", arguments: chapters)
    func takenOptions(chapter: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let taken = chapterOptions[chapter] ?? []
        var used: Set<String> = []
        func run(_ arguments: [String]) throws -> ChapterRun {
            let arguments = ChapterTests.arguments(arguments, takenBy: chapter)
            used.formUnion(arguments.filter { $0.hasPrefix("--") })
            let run = try runChapter(chapter, arguments, in: folder)
            #expect(run.status == 0, "\(chapter) \(arguments.joined(separator: " ")): \(run.standardError)")
            return run
        }
        // Everything but what cannot go together (--json and --quiet with --verbose or the drawings),
        // and the checkpoint options, below.
        let values = ["--seed", "--hidden-size", "--window-length", "--epochs", "--learning-rate", "--plots-dir",
                      "--checkpoints-dir"]
        _ = try run(values.flatMap { [$0] + sampleValues[$0]! } + ["--corrected", "--no-render", "--retrain", "--quiet",
                                                                     "--plots-in-terminal"])
        let json = try run(["--epochs", "1", "--no-render", "--json", "--verbose"])
        #expect((try? JSONSerialization.jsonObject(with: Data(json.standardOutput.utf8))) != nil)
        if taken.contains("--checkpoint") {
            // A checkpoint of Chapter05-Training's, given by name and file.
            let trained = try runChapter("Chapter05-Training", ["--epochs", "1", "--no-render", "--checkpoints-dir", "c"],
                                         in: folder)
            #expect(trained.status == 0, "\(trained.standardError)")
            _ = try run(["--epochs", "1", "--no-render", "--checkpoints-dir", "c",
                         "--checkpoint", "deep-rnn-scratch=c/deep-rnn-scratch.safetensors"])
        }
        if taken.contains("--csv") {
            let series = "value\n" + (0..<60).map { "\(Double($0) * 1.5)" }.joined(separator: "\n")
            try series.write(to: folder.appendingPathComponent("series.csv"), atomically: true, encoding: .utf8)
            _ = try run(["--epochs", "1", "--no-render", "--csv", "series.csv", "--column", "value"])
        }
        #expect(used == Set(taken), "options listed but not run: \(Set(taken).subtracting(used).sorted())")
    }

    @Test("--version prints the workbook's version and exits 0", arguments: chapters)
    func version(chapter: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runChapter(chapter, ["--version"], in: folder)
        #expect(run.status == 0)
        #expect(run.standardOutput == workbookVersion + "\n")
        #expect(run.standardError.isEmpty)
    }

    @Test("--plots-in-terminal with --json, or with a kind it does not draw: one line, exit 64")
    func plotsInTerminalRefused() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let json = try runChapter("Chapter00-Data", ["--json", "--plots-in-terminal"], in: folder)
        expectFailure(json, status: 64, "error: --plots-in-terminal and --json cannot be used together: the drawings would break the JSON (see --help)", in: folder)
        for arguments in [["--plots-in-terminal", "png"], ["--plots-in-terminal=png"]] {
            let kind = try runChapter("Chapter00-Data", arguments, in: folder)
            expectFailure(kind, status: 64, "error: --plots-in-terminal draws in ascii or sixel, got png (see --help)", in: folder)
        }
        #expect(files(under: folder).isEmpty)
    }

    @Test("--plots-in-terminal without gnuplot: one line on standard error, the run ends as it would",
          arguments: [[String](), ["--no-render"]])
    func plotsInTerminalWithoutGnuplot(extra: [String]) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bin = folder.appendingPathComponent("empty-bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = bin.path
        let run = try runChapter("Chapter00-Data", ["--plots-in-terminal"] + extra, in: folder, environment: environment)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardError.split(separator: "\n").count == 1 && run.standardError.hasPrefix("gnuplot is not installed"),
                "\(run.standardError)")
        let plain = try runChapter("Chapter00-Data", extra, in: folder, environment: environment)
        #expect(run.standardOutput == plain.standardOutput)
    }

    @Test("The progress bar: a rate and the time left; on a dumb terminal no escape sequence; standard output unchanged",
          arguments: ["dumb", "xterm-256color"])
    func progressBar(term: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["--epochs", "600", "--no-render"]
        let onTerminal = try runChapterWithTerminal("Chapter05-Training", arguments, term: term, in: folder)
        #expect(onTerminal.status == 0)
        let bar = onTerminal.standardError
        #expect(bar.contains("\r"), "no progress bar: \(bar.debugDescription)")
        #expect(bar.contains(" epochs/s ") && bar.contains(" left"), "\(bar.debugDescription)")
        #expect(bar.contains("DRNN [") && bar.contains("/600 loss "))
        if term == "dumb" {
            #expect(!bar.contains("\u{1B}"), "an escape sequence on a dumb terminal: \(bar.debugDescription)")
        } else {
            #expect(bar.contains("\r\u{1B}[K"))
        }
        let piped = try runChapter("Chapter05-Training", arguments, in: folder)
        #expect(piped.standardError.isEmpty)
        #expect(onTerminal.standardOutput == piped.standardOutput)
    }

    @Test("The progress bar's line, for the notebooks' runs within 80 columns")
    func progressBarLine() {
        #expect(TrainingLog.bar("DRNN", 2250, of: 5000, loss: 123456.7, after: .milliseconds(1500))
                == "DRNN [#######.........] 2250/5000 loss 1.235e+05 1500 epochs/s 0:02 left")
        #expect(TrainingLog.bar("concise 2", 500, of: 500, loss: 120.9, after: .seconds(2))
                == "concise 2 [################] 500/500 loss 120.9 250 epochs/s done")
        #expect(TrainingLog.bar("BRNN 1", 3, of: 200, loss: .nan, after: .seconds(4)).hasSuffix(" loss nan 0.75 epochs/s 4:23 left"))
        #expect(TrainingLog.clock(3725) == "1:02:05")
        #expect(TrainingLog.bar("concise 2", 4999, of: 5000, loss: 1.23456e-10, after: .seconds(3)).count < 80)
    }
}

@Suite("Figures in the terminal", .serialized, .enabled(if: gnuplotPath != nil || gnuplotRequired))
struct TerminalFigureTests {
    @Test("A script drawn with term='dumb' prints ASCII on standard output, term='sixelgd' sixel, and no image is written: the committed plots/DEEPRNN_fig3.gp and a fresh run's",
          arguments: ["committed", "fresh"])
    func scriptInTerminal(which: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let scratch = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: scratch) }
        let script: String
        if which == "committed" {
            // A copy, so that an image written by mistake would land in the scratch folder.
            script = "plots/DEEPRNN_fig3.gp"
            try FileManager.default.createDirectory(at: scratch.appendingPathComponent("plots"), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: root.appendingPathComponent(script), to: scratch.appendingPathComponent(script))
        } else {
            script = "plots/DEEPRNN_fig1.gp"
            #expect(try runChapter("Chapter00-Data", ["--no-render"], in: scratch).status == 0)
        }
        let before = files(under: scratch)
        let dumb = try gnuplot(["-e", "term='dumb'", script], in: scratch)
        #expect(dumb.status == 0, "\(dumb.errors)")
        let lines = dumb.output.split(separator: "\n")
        #expect(lines.count >= 20 && lines.allSatisfy { $0.count <= 80 }, "\(dumb.output)")
        #expect(dumb.output.contains("+----") && dumb.output.contains("*"), "\(dumb.output)")
        #expect(dumb.output.unicodeScalars.allSatisfy { $0.isASCII }, "not ASCII: \(dumb.output)")
        let sixel = try gnuplot(["-e", "term='sixelgd'", script], in: scratch)
        #expect(sixel.status == 0, "\(sixel.errors)")
        #expect(sixel.output.hasPrefix("\u{1B}Pq"), "\(sixel.output.prefix(20).debugDescription)")
        #expect(files(under: scratch) == before)
    }

    @Test("--plots-in-terminal draws each figure after the run's text, under its name, the same from run to run")
    func chapterDrawings() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let first = try runChapter("Chapter00-Data", ["--no-render", "--quiet", "--plots-in-terminal"], in: folder)
        #expect(first.status == 0, "\(first.standardError)")
        let text = first.standardOutput
        #expect(text.hasPrefix("Summary: 200 points"))
        let captions = text.split(separator: "\n").filter { $0.hasPrefix("[DEEPRNN_fig") }
        #expect(captions == ["[DEEPRNN_fig1] the series: a straight line of slope 7 under noise of standard deviation 10.",
                             "[DEEPRNN_fig2] its first differences: noise around 7, with no trend left to learn."])
        let drawing = text.components(separatedBy: "[DEEPRNN_fig2]")[0].split(separator: "\n").dropFirst(2)
        #expect(drawing.count >= 20, "\(text)")
        #expect(drawing.allSatisfy { $0.count <= 80 && !$0.hasSuffix(" ") })
        #expect(!text.contains("\u{1B}") && !text.contains("\u{0C}"))
        #expect(text.contains("1400 +|"), "\(text)")
        let second = try runChapter("Chapter00-Data", ["--no-render", "--quiet", "--plots-in-terminal"], in: folder)
        #expect(second.standardOutput == text)
        #expect(!files(under: folder).contains { $0.contains(".tmp") || $0.hasSuffix(".txt") })

        let sixel = try runChapter("Chapter00-Data", ["--no-render", "--quiet", "--plots-in-terminal", "sixel"], in: folder)
        #expect(sixel.status == 0, "\(sixel.standardError)")
        #expect(sixel.standardOutput.components(separatedBy: "\u{1B}Pq").count == 3)
    }

    /// Runs gnuplot with `arguments` in `folder`; returns its status and what it wrote.
    func gnuplot(_ arguments: [String], in folder: URL) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(gnuplotPath))
        process.arguments = ["-d"] + arguments
        process.currentDirectoryURL = folder
        let out = Pipe(), err = Pipe()
        (process.standardOutput, process.standardError) = (out, err)
        try process.run()
        let output = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: output, as: UTF8.self), String(decoding: errors, as: UTF8.self))
    }
}

/// Runs `chapter` with its standard error on a pseudo-terminal whose `TERM` is `term`, as a
/// learner's terminal would be, and its standard output on a pipe; returns what each received.
func runChapterWithTerminal(_ chapter: String, _ arguments: [String], term: String,
                            in folder: URL) throws -> ChapterRun {
    let master = pseudoTerminal.open(O_RDWR | O_NOCTTY)
    #expect(master >= 0 && pseudoTerminal.grant(master) == 0 && pseudoTerminal.unlock(master) == 0)
    defer { close(master) }
    let name = try #require(pseudoTerminal.name(master).map { String(cString: $0) })
    let terminal = try #require(FileHandle(forWritingAtPath: name))
    let process = Process()
    process.executableURL = productsDirectory.appendingPathComponent(chapter)
    process.arguments = arguments
    process.currentDirectoryURL = folder
    var environment = ProcessInfo.processInfo.environment
    environment["TERM"] = term
    process.environment = environment
    let out = Pipe()
    (process.standardOutput, process.standardError) = (out, terminal)
    // What the terminal shows, read meanwhile, so that the program never waits for it.
    let shown = TerminalScreen()
    let finished = DispatchSemaphore(value: 0)
    try process.run()
    try terminal.close()   // the program holds the terminal now; reading ends when it exits
    DispatchQueue.global().async {
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = read(master, &chunk, chunk.count)
            if count > 0 { shown.bytes.append(contentsOf: chunk[..<count]) } else if count == 0 || errno != EINTR { break }
        }
        finished.signal()
    }
    let output = out.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    finished.wait()
    return ChapterRun(status: process.terminationStatus, standardOutput: String(decoding: output, as: UTF8.self),
                      standardError: String(decoding: shown.bytes, as: UTF8.self))
}

/// `posix_openpt`, `grantpt`, `unlockpt` and `ptsname`, which Swift's Glibc module leaves out,
/// looked up in the C library by name (on Linux and macOS alike).
let pseudoTerminal = {
    let library = dlopen(nil, RTLD_NOW)
    func function<F>(_ name: String, _ type: F.Type) -> F {
        unsafeBitCast(dlsym(library, name), to: type)
    }
    return (open: function("posix_openpt", (@convention(c) (Int32) -> Int32).self),
            grant: function("grantpt", (@convention(c) (Int32) -> Int32).self),
            unlock: function("unlockpt", (@convention(c) (Int32) -> Int32).self),
            name: function("ptsname", (@convention(c) (Int32) -> UnsafeMutablePointer<CChar>?).self))
}()

/// The bytes a pseudo-terminal received: written by its reader only, read after it has finished.
final class TerminalScreen: @unchecked Sendable {
    var bytes = Data()
}
