// Running a chapter: parse the options, run, and turn every failure into one line and an exit code.

import ArgumentParser
import AtomicFiles
import Figures
import Foundation
import StandardStreams
import Kernels
import Workbook

/// Exit codes of the chapter programs.
public enum ExitCode32 {
    /// An option's value is invalid (`EX_USAGE`).
    public static let usage: Int32 = 64
    /// A file could not be read or written, or a checkpoint is unusable (`EX_IOERR`-like).
    public static let files: Int32 = 74
    /// A training run diverged: its loss became NaN or infinite (`EX_DATAERR`).
    public static let diverged: Int32 = 65
    /// The `--csv` file is missing, empty, or not a usable series (`EX_NOINPUT`).
    public static let input: Int32 = 66
    /// Too few file descriptors (`ulimit -n`) or too little address space (`ulimit -v`) for a run,
    /// checked before any work (`EX_OSERR`).
    public static let limits: Int32 = 71
    /// Interrupted by Ctrl-C (SIGINT), SIGTERM, SIGHUP, SIGQUIT or another signal that ends the
    /// program (``Interruption/signals``): 128 + the signal (130 for Ctrl-C), as shells report it.
    public static let interrupted: Int32 = 130
}

/// The workbook's version, which every chapter prints with `--version`.
public let workbookVersion = "1.0.0"

/// A chapter program: its options and its body.
public protocol Chapter: ParsableCommand {
    /// The settings of the run, from the option groups the chapter takes.
    var options: ChapterOptions { get }
    /// Runs the chapter, printing through `output`.
    func run(_ output: Output) throws
}

extension Chapter {
    /// The chapter's name and summary for `--help`, with the workbook's `--version` and a usage
    /// line that names every option the chapter takes.
    public static func chapter(_ name: String, abstract: String) -> CommandConfiguration {
        CommandConfiguration(commandName: name, abstract: abstract, usage: usage(name),
                             version: workbookVersion)
    }

    /// `name` and the options of each of the chapter's option groups, as ArgumentParser writes
    /// them (`[--seed <seed>] [--quiet] …`), wrapped to fit 80 columns under `USAGE: `.
    /// ArgumentParser's own line would shorten to `<options>` past 12 options.
    static func usage(_ name: String) -> String {
        let words = Mirror(reflecting: Self()).children
            .compactMap { ($0.value as? any OptionSynopsis)?.synopsis }
            .flatMap(splitSynopsis)
        var lines = [name]
        for word in words {
            if lines[lines.count - 1].count + 1 + word.count > 73 {
                lines.append(String(repeating: " ", count: name.count))
            }
            lines[lines.count - 1] += " " + word
        }
        return lines.joined(separator: "\n")
    }
}

/// The options of an `@OptionGroup`, for a usage line.
protocol OptionSynopsis {
    var synopsis: String { get }
}

extension OptionGroup: OptionSynopsis {
    /// The group's usage without its type's name: `[--seed <seed>] [--quiet] [--json]`.
    var synopsis: String {
        let usage = Value.usageString()
        return usage.firstIndex(of: " ").map { String(usage[usage.index(after: $0)...]) } ?? ""
    }
}

/// A synopsis cut into the parts a line may break between: `[--seed <seed>]`, `[--quiet]`.
private func splitSynopsis(_ synopsis: String) -> [String] {
    var parts: [String] = [], depth = 0
    for character in synopsis.replacingOccurrences(of: "\n", with: " ") {
        if character == " " && depth == 0 {
            if parts.last?.isEmpty == false { parts.append("") }
            continue
        }
        if parts.isEmpty { parts.append("") }
        if character == "[" { depth += 1 } else if character == "]" { depth -= 1 }
        parts[parts.count - 1].append(character)
    }
    return parts.filter { !$0.isEmpty }
}

/// The folders a chapter writes into.
public enum OutputFolder: Sendable {
    case plots, checkpoints
}

extension Chapter {
    /// The folders this chapter writes into, checked before it starts: Chapter05-Training saves
    /// checkpoints, the others only read them.
    static var outputFolders: [OutputFolder] {
        Self.configuration.commandName == "Chapter05-Training" ? [.plots, .checkpoints] : [.plots]
    }

    /// Checks the folders the chapter takes options for before any work, so that
    /// `--plots-dir FILE` fails at once, not after the training: a file where a folder should be;
    /// a folder this chapter writes into that cannot be written or created; a folder where one
    /// of its checkpoints or of its figures' files (``figureNames(_:)``) must go. Creates nothing.
    static func checkOutputFolders(_ options: ChapterOptions) throws {
        for (folder, path) in [(OutputFolder.plots, options.plotsDirectory),
                               (.checkpoints, options.checkpointsDirectory)]
        where options.folders.contains(folder) {
            try AtomicFile.checkFolder(path, writable: outputFolders.contains(folder))
        }
        if outputFolders.contains(.checkpoints) && options.folders.contains(.checkpoints) {
            for model in SavedModel.allCases { try AtomicFile.checkFileTarget(model.path(options)) }
        }
        if options.folders.contains(.plots) {
            let folder = options.plotsDirectory.hasSuffix("/") ? options.plotsDirectory : options.plotsDirectory + "/"
            let extensions = options.noRender || !Gnuplot.isAvailable ? ["gp"] : ["gp", "png", "svg"]
            for name in figureNames(options) {
                for kind in extensions { try AtomicFile.checkFileTarget(folder + name + "." + kind) }
            }
        }
    }

    /// The figures this chapter draws with `options` (their names in `--plots-dir`), so that a
    /// folder where one of their files must go fails before any work. Each chapter's own draws
    /// are listed in its expected output (Tests/ChapterTests/Expected), which
    /// Tests/ChapterTests/OutputFigureTargetTests.swift compares with this.
    static func figureNames(_ options: ChapterOptions) -> [String] {
        switch configuration.commandName {
        case "Chapter00-Data": return ["DEEPRNN_fig1", "DEEPRNN_fig2"]
        case "Chapter02-Model": return ["BRNN_fig1"]
        case "Chapter05-Training":
            return ["DEEPRNN_loss_scratch", "DEEPRNN_loss_concise", options.corrected ? "BRNN_loss_corrected" : "BRNN_loss"]
        case "Chapter06-Approximation": return (3...7).map { "DEEPRNN_fig\($0)" }
        case "Chapter07-Beyond":
            // `--csv FILE` (or `--csv=FILE`) before a `--`: the figures of the learner's own series.
            let csv = CommandLine.arguments.dropFirst().prefix { $0 != "--" }
                .contains { $0 == "--csv" || $0.hasPrefix("--csv=") }
            return csv ? (1...4).map { "CSV_fig\($0)" }
                : ["BEYOND_ablation", "BEYOND_standard", "BEYOND_fresh", "BEYOND_fresh_4000", "BEYOND_data"]
        default: return []
        }
    }

    public func run() throws {
        WorkingFolder.moveToPackageIfInProgramFolder()
        try Self.checkOutputFolders(options)
        try SavedModel.checkGivenFiles(options)
        if let hint = Self.durationHint(options) {
            StandardError.write(hint + "\n")
        }
        let output = Output(options: options)
        try run(output)
        output.finish()
        try output.drawFiguresInTerminal()
        try output.checkWritten()
    }

    /// The program's entry point (`@main`): ``runMain()``, in place of `ParsableCommand`'s.
    public static func main() { runMain() }

    /// Parses the command line and runs. A bad option prints one line and exits with 64; a file
    /// problem (``WorkbookError``) prints one line and exits with 74.
    public static func runMain() -> Never {
        Interruption.install()
        if let problem = Limits.check() {
            StandardError.write("error: \(problem)\n")
            Foundation.exit(ExitCode32.limits)
        }
        var command: Self
        do {
            command = try parse()
            try command.options.validate()
        } catch {
            let code = exitCode(for: error)
            if code == .success {          // --help, --version
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let message = usageMessage(fullMessage(for: error))
            StandardError.write("error: \(message) (see --help)\n")
            Foundation.exit(ExitCode32.usage)
        }
        do {
            try command.run()
            Foundation.exit(0)
        } catch let error as WorkbookError {
            StandardError.write("error: \(error.message)\n")
            Foundation.exit(ExitCode32.files)
        } catch let error as SeriesFileError {
            StandardError.write("error: \(error.message)\n")
            Foundation.exit(ExitCode32.input)
        } catch let error as TrainingDiverged {
            StandardError.write("error: \(error)\n")
            Foundation.exit(ExitCode32.diverged)
        } catch {
            StandardError.write("error: \(error)\n")
            Foundation.exit(1)
        }
    }
}

/// The one line a chapter prints for a bad command line, from ArgumentParser's message (`Error: …`,
/// then its usage and a pointer to `--help`): the message up to the usage, without ArgumentParser's
/// "The value 'ten' is invalid for '--epochs <epochs>': " before a reason of the workbook's own,
/// which says it all. Escaped whole, and cut, for ArgumentParser quotes the command line as it is:
/// a value holding a newline or an escape sequence stays one line, and a 100 KB option does not
/// fill the screen.
func usageMessage(_ full: String) -> String {
    var message = Substring(full)
    for trailer in ["\nUsage: ", "\nUSAGE: ", "\n  See '", "\nHelp: "] {
        if let range = message.range(of: trailer) { message = message[..<range.lowerBound] }
    }
    while message.hasSuffix("\n") { message.removeLast() }
    if message.hasPrefix("Error: ") { message = message.dropFirst(7) }
    if message.hasPrefix("The value '"), let reason = message.range(of: ">': ") {
        message = message[reason.upperBound...]
    }
    return excerpt(message, limit: 300)
}

extension Chapter {
    /// About how long one epoch of the chapter's training runs takes, in seconds, measured with the
    /// plain `swift run` on the 2-core laptop CPU of the README's anchors: Chapter05-Training's three
    /// trainings on its two cores (7 ms; 2000 epochs in 14 s). Nil: no estimate (Chapter07-Beyond's
    /// cost depends on `--csv`, Chapter06 trains only without checkpoints).
    static var secondsPerEpoch: Double? {
        Self.configuration.commandName == "Chapter05-Training" ? 0.007 : nil
    }

    /// About how many epochs of `--epochs`'s cost the notebooks' own counts make (Chapter05's
    /// default run takes about an eighth of `--epochs 2000`'s time).
    static var notebookEpochs: Int { 250 }

    /// One line for standard error when `--epochs` or `--hidden-size` makes the chapter run for
    /// more than a minute: about how long, so that a learner is not left wondering (standard
    /// output, which tests and pages compare, stays the same). An epoch costs about the square of
    /// the hidden size above the bidirectional model's 32, which dominates it. Nil otherwise, and
    /// with `--quiet`.
    static func durationHint(_ options: ChapterOptions) -> String? {
        guard options.epochs != nil || options.hiddenSize != nil, let base = secondsPerEpoch,
              !options.quiet else {
            return nil
        }
        let scale = Swift.max(1, Double(options.hiddenSize ?? 32) / 32)
        let perEpoch = base * scale * scale
        let seconds = Double(options.epochs ?? notebookEpochs) * perEpoch
        guard seconds >= 60 else { return nil }
        let minutes = Int((seconds / 60).rounded())
        let about = seconds < 5400 ? (minutes == 1 ? "a minute" : "\(minutes) minutes")
                                   : "\(Int((seconds / 3600).rounded())) hours"
        let given = [options.epochs.map { "--epochs \($0)" },
                     options.hiddenSize.map { "--hidden-size \($0)" }].compactMap { $0 }
        let each = perEpoch < 1 ? "\(Int((perEpoch * 1000).rounded())) ms"
                                : "\((perEpoch * 10).rounded() / 10) s"
        return "note: \(given.joined(separator: " ")) will train for about \(about) here "
            + "(about \(each) an epoch "
            + "on a 2-core laptop); Ctrl-C stops it, leaving no file behind"
    }
}
