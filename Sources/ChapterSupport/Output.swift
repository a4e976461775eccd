// What a chapter prints: the notebook's lines, training logs elided as the notebooks' export does,
// a closing summary, or one JSON object; a progress bar on standard error when it is a terminal;
// the figures drawn in the terminal with --plots-in-terminal.

import AtomicFiles
import Foundation
import StandardStreams
import Workbook

/// Prints a chapter's text (or collects its JSON), honouring `--quiet`, `--verbose` and `--json`.
public final class Output {
    public let options: ChapterOptions
    private var json = JSON.object([])
    /// How the progress bar redraws itself on standard error (not at all when it is no terminal).
    private let progress: Terminal.Redrawing
    /// The length of the progress bar on the screen now; 0 when none is shown.
    private var shownBar = 0
    var figures: [(String, String)] = []
    /// The figures' scripts, names and captions, in order, for `--plots-in-terminal`.
    var scripts: [(path: String, name: String, caption: String)] = []
    var hintShown = false
    /// What this output did so far, when it runs a section beside the chapter's own work
    /// (``sections(_:_:_:)``): every line, record, figure's line and saved model waits here, in
    /// order, until the chapter reaches the section (a figure's files are written at once). Nil: an
    /// output that acts at once.
    private var pending: [(Output) throws -> Void]?

    public init(options: ChapterOptions) {
        self.options = options
        progress = options.quiet || options.json ? .none : Terminal.redrawing(STDERR_FILENO)
    }

    /// An output that keeps what it is asked to do for later (``replay(on:)``), and shows no
    /// progress bar.
    init(deferringFor options: ChapterOptions) {
        self.options = options
        progress = .none
        pending = []
    }

    /// Does `action` on this output now, or keeps it for ``replay(on:)`` when this output defers.
    func act(_ action: @escaping (Output) throws -> Void) rethrows {
        if pending != nil { pending?.append(action) } else { try action(self) }
    }

    /// Does on `output`, in order, what this deferring output was asked to do.
    func replay(on output: Output) throws {
        let actions = pending ?? []
        pending = []
        for action in actions { try action(output) }
    }

    /// Prints `text` now, or later when this output defers; `source` is the `file:line` that asked.
    private func emit(_ text: String, source: String) {
        act { output in
            output.write(text + "\n")
            if output.sourceMap != nil {
                output.sourceMap?.append(contentsOf: Array(repeating: source,
                                                           count: text.count { $0 == "\n" } + 1))
            }
        }
    }

    /// With `WORKBOOK_OUTPUT_SOURCES=FILE` in the environment (set by `swift run Pages`), the source
    /// line that printed each line of standard output, written to FILE when the chapter finishes:
    /// the pages put each line of output under the code that printed it.
    private var sourceMap: [String]? =
        ProcessInfo.processInfo.environment["WORKBOOK_OUTPUT_SOURCES"] == nil ? nil : []

    /// The `errno` of the first write to standard output that failed (a full disk, a closed descriptor).
    private var writeFailure: Int32?

    /// Writes `text` to standard output, all of it, or remembers why it could not. A progress bar
    /// on the same screen is cleared first, so that the text starts a line of its own. A standard
    /// output left non-blocking (EAGAIN) is waited for until it takes the rest; a closed pipe
    /// (`| head`) with SIGPIPE ignored ends the program quietly, as SIGPIPE itself would.
    func write(_ text: String) {
        if shownBar > 0 { progressBar("") }
        guard writeFailure == nil else { return }
        var text = text
        text.withUTF8 { bytes in
            var rest = UnsafeRawBufferPointer(bytes)
            while !rest.isEmpty {
                let written = Foundation.write(STDOUT_FILENO, rest.baseAddress, rest.count)
                if written < 0 && errno == EINTR { continue }
                if written < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) {
                    var ready = pollfd(fd: STDOUT_FILENO, events: Int16(POLLOUT), revents: 0)
                    _ = poll(&ready, 1, -1)
                    continue
                }
                guard written > 0 else {
                    let reason = written < 0 ? errno : EIO
                    if reason == EPIPE {
                        // The reader is gone: end as SIGPIPE ends a program, without a word.
                        signal(SIGPIPE, SIG_DFL)
                        raise(SIGPIPE)
                        _exit(128 + SIGPIPE)
                    }
                    writeFailure = reason
                    return
                }
                rest = UnsafeRawBufferPointer(rebasing: rest[written...])
            }
        }
    }

    /// Throws when some of the chapter's text or JSON could not be written, with what happened:
    /// exiting 0 would hide that it is cut short. A closed pipe (`| head`) ends the program before
    /// this, quietly: SIGPIPE's handler (``Interruption``) removes the temporary files and exits
    /// with 128 + SIGPIPE.
    public func checkWritten() throws {
        guard let writeFailure else { return }
        let cause = String(cString: strerror(writeFailure))
        switch writeFailure {
        case ENOSPC, EDQUOT:
            throw WorkbookError("the output could not be written whole (\(cause)): "
                                + "free some space, or send it elsewhere")
        case EBADF:
            throw WorkbookError("standard output is closed (\(cause)): run the chapter with its "
                                + "output open, or send it to a file (> out.txt) or /dev/null")
        default:
            throw WorkbookError("the output could not be written whole (\(cause)): "
                                + "send it elsewhere (a file, > out.txt)")
        }
    }

    /// A line of the chapter's narrative output (not in `--quiet` or `--json`).
    public func line(_ text: String = "", sourceFile: String = #fileID, sourceLine: Int = #line) {
        if !options.quiet && !options.json { emit(text, source: "\(sourceFile):\(sourceLine)") }
    }

    /// A heading: a blank line and the title underlined.
    public func heading(_ title: String, sourceFile: String = #fileID, sourceLine: Int = #line) {
        line("", sourceFile: sourceFile, sourceLine: sourceLine)
        line(title, sourceFile: sourceFile, sourceLine: sourceLine)
        line(String(repeating: "-", count: title.count), sourceFile: sourceFile, sourceLine: sourceLine)
    }

    /// A line of the closing summary (printed with `--quiet` too, not with `--json`).
    public func summary(_ text: String, sourceFile: String = #fileID, sourceLine: Int = #line) {
        if !options.json { emit(text, source: "\(sourceFile):\(sourceLine)") }
    }

    /// Records a result for `--json` under a key path such as `["deep_rnn", "data"]`.
    public func record(_ path: String..., value: JSON) {
        act { $0.json.set(path[...], value) }
    }

    /// The JSON object recorded so far.
    var jsonText: String { json.text }

    /// Ends the chapter: prints the JSON object when `--json` was given.
    public func finish() {
        if options.json { write(json.text + "\n") }
        if let sourceMap, let path = ProcessInfo.processInfo.environment["WORKBOOK_OUTPUT_SOURCES"] {
            try? AtomicFile.write(sourceMap.map { $0 + "\n" }.joined(), to: path)
        }
        // With `WORKBOOK_OUTPUT_RECORDS=FILE` (set by `swift run Pages`), what `--json` would print,
        // written to FILE beside the text: the pages' prose takes its numbers from it
        // (`{{deep_rnn.final_loss}}`).
        if let path = ProcessInfo.processInfo.environment["WORKBOOK_OUTPUT_RECORDS"] {
            try? AtomicFile.write(json.text + "\n", to: path)
        }
    }

    /// The notebook's `print(f'Training loss {l}')` and `print(f'Epoch {epoch}')` for one run:
    /// the first and last four epochs with `...` between them (every epoch with `--verbose`), and a
    /// progress bar on standard error.
    public func trainingLog(_ run: String, epochs: Int) -> TrainingLog {
        TrainingLog(output: self, run: run, epochs: epochs)
    }

    /// Formats a loss as Python prints a float32 value (`203.22109985351562`, `6.742625349323981e+16`).
    public static func python(_ x: Float) -> String {
        if x.isNaN { return "nan" }
        if x.isInfinite { return x > 0 ? "inf" : "-inf" }
        return Double(x).description
    }

    /// Shows `text` as the progress bar on standard error, in place of the one shown before (none
    /// for `""`). A line longer than the terminal is cut, for it could not be redrawn in place.
    func progressBar(_ text: String) {
        guard progress != .none, !text.isEmpty || shownBar > 0 else { return }
        let width = Terminal.size(STDERR_FILENO)?.columns ?? 80
        let text = String(text.prefix(Swift.max(width - 1, 1)))
        let drawn: String
        switch progress {
        case .none: return
        case .escapeSequences: drawn = "\r\u{1B}[K" + text
        case .carriageReturn:
            // No "clear to the end of the line": spaces over what the last bar left, and back to
            // the line's start when the bar is cleared.
            let rest = String(repeating: " ", count: Swift.max(shownBar - text.count, 0))
            drawn = "\r" + text + rest + (text.isEmpty ? "\r" : "")
        }
        shownBar = text.count
        StandardError.write(drawn)
    }
}
