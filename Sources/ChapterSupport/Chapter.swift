// Running a chapter: parse the options, run, and turn every failure into one line and an exit code.

import ArgumentParser
import AtomicFiles
import Figures
import Foundation
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
    /// Interrupted by Ctrl-C (SIGINT), SIGTERM, SIGHUP or SIGQUIT: 128 + the signal (130 for Ctrl-C), as shells report it.
    public static let interrupted: Int32 = 130
}

/// A chapter program: its options and its body.
public protocol Chapter: ParsableCommand {
    var options: ChapterOptions { get }
    /// Runs the chapter, printing through `output`.
    func run(_ output: Output) throws
}

extension Chapter {
    public func run() throws {
        let output = Output(options: options)
        try run(output)
        output.finish()
        try output.checkWritten()
    }

    /// The program's entry point (`@main`): ``runMain()``, in place of `ParsableCommand`'s.
    public static func main() { runMain() }

    /// Parses the command line and runs. A bad option prints one line and exits with 64; a file
    /// problem (``WorkbookError``) prints one line and exits with 74.
    public static func runMain() -> Never {
        Interruption.install()
        var command: Self
        do {
            command = try parse()
        } catch {
            let code = exitCode(for: error)
            if code == .success {          // --help
                print(fullMessage(for: error))
                Foundation.exit(0)
            }
            let first = fullMessage(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
            var message = first.hasPrefix("Error: ") ? String(first.dropFirst(7)) : first
            // "The value 'ten' is invalid for '--epochs <epochs>': --epochs must be …": our reason says it all.
            if message.hasPrefix("The value '"), let reason = message.range(of: ">': ") {
                message = String(message[reason.upperBound...])
            }
            FileHandle.standardError.write(Data("error: \(message) (see --help)\n".utf8))
            Foundation.exit(ExitCode32.usage)
        }
        do {
            try command.run()
            Foundation.exit(0)
        } catch let error as WorkbookError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            Foundation.exit(ExitCode32.files)
        } catch let error as SeriesFileError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            Foundation.exit(ExitCode32.input)
        } catch let error as TrainingDiverged {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(ExitCode32.diverged)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            Foundation.exit(1)
        }
    }
}
