// What a chapter prints: the notebook's lines, training logs elided as the notebooks' export does,
// a closing summary, or one JSON object; a progress bar on standard error when it is a terminal.

import AtomicFiles
import Figures
import Foundation
import Kernels
import Workbook

/// A JSON value whose objects keep their keys in insertion order, so the text is deterministic.
public indirect enum JSON {
    case number(Double)
    case string(String)
    case bool(Bool)
    case array([JSON])
    case object([(String, JSON)])

    public static func float(_ x: Float) -> JSON { .number(Double(x)) }
    public static func floats(_ xs: [Float]) -> JSON { .array(xs.map(JSON.float)) }
    /// A tensor as the fixtures write it: `{"shape": [...], "values": [...]}`.
    public static func tensor(_ t: Tensor) -> JSON {
        .object([("shape", .array(t.shape.map { .number(Double($0)) })), ("values", .floats(t.values))])
    }

    /// The text: numbers as Python prints a float32 turned into a double (`203.22109985351562`);
    /// an infinite or NaN number is written `null`, which JSON can carry.
    public var text: String {
        switch self {
        case .number(let x):
            guard x.isFinite else { return "null" }
            if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
            return x.description
        case .string(let s):
            var escaped = ""
            for scalar in s.unicodeScalars {
                switch scalar {
                case "\"": escaped += "\\\""
                case "\\": escaped += "\\\\"
                case "\n": escaped += "\\n"
                case _ where scalar.value < 0x20: escaped += String(format: "\\u%04x", scalar.value)
                default: escaped.unicodeScalars.append(scalar)
                }
            }
            return "\"\(escaped)\""
        case .bool(let b): return b ? "true" : "false"
        case .array(let items): return "[" + items.map(\.text).joined(separator: ",") + "]"
        case .object(let fields): return "{" + fields.map { JSON.string($0.0).text + ":" + $0.1.text }.joined(separator: ",") + "}"
        }
    }

    /// Sets `value` at a key path, creating objects on the way.
    mutating func set(_ path: ArraySlice<String>, _ value: JSON) {
        guard let key = path.first else { self = value; return }
        var fields: [(String, JSON)] = []
        if case .object(let existing) = self { fields = existing }
        if let i = fields.firstIndex(where: { $0.0 == key }) {
            fields[i].1.set(path.dropFirst(), value)
        } else {
            var child = JSON.object([])
            child.set(path.dropFirst(), value)
            fields.append((key, child))
        }
        self = .object(fields)
    }
}

/// Prints a chapter's text (or collects its JSON), honouring `--quiet`, `--verbose` and `--json`.
public final class Output {
    public let options: ChapterOptions
    private var json = JSON.object([])
    private let progress: Bool
    fileprivate var figures: [(String, String)] = []
    fileprivate var hintShown = false
    /// The lines printed so far, when this output holds them back (see ``startOnSecondCore(_:)``).
    private var held: [String]?
    /// Where ``startOnSecondCore(_:)`` runs its jobs, one after another.
    private lazy var secondCore = DispatchQueue(label: "workbook.second-core")

    public init(options: ChapterOptions) {
        self.options = options
        progress = isatty(STDERR_FILENO) == 1 && !options.quiet && !options.json
    }

    /// An output that keeps its lines instead of printing them, and shows no progress bar.
    private init(holdingLinesFor options: ChapterOptions) {
        self.options = options
        progress = false
        held = []
    }

    /// Prints `text` now, or keeps it when this output holds its lines.
    private func emit(_ text: String) {
        if held != nil { held?.append(text) } else { print(text) }
    }

    /// A line of the chapter's narrative output (not in `--quiet` or `--json`).
    public func line(_ text: String = "") {
        if !options.quiet && !options.json { emit(text) }
    }

    /// A heading: a blank line and the title underlined.
    public func heading(_ title: String) {
        line()
        line(title)
        line(String(repeating: "-", count: title.count))
    }

    /// A line of the closing summary (printed with `--quiet` too, not with `--json`).
    public func summary(_ text: String) {
        if !options.json { emit(text) }
    }

    /// Records a result for `--json` under a key path such as `["deep_rnn", "data"]`.
    public func record(_ path: String..., value: JSON) {
        json.set(path[...], value)
    }

    /// Ends the chapter: prints the JSON object when `--json` was given.
    public func finish() {
        if options.json { print(json.text) }
        fflush(nil)
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

    fileprivate func progressBar(_ text: String) {
        guard progress else { return }
        FileHandle.standardError.write(Data("\r\u{1B}[K\(text)".utf8))
    }
}

extension Output {
    /// Starts `job` on a second thread — the machine's second core — and returns at once; the
    /// chapter goes on with its own work and calls ``BackgroundJob/collect()`` where it needs the result.
    ///
    /// The job prints into an output of its own, which holds its lines until `collect()` prints
    /// them here: the text is what running the job at that point would print. Jobs started this
    /// way run one after another, in the order they were started. Each must be independent of the
    /// chapter's other work (its own generator, model and data), so that its results are exactly
    /// those of running it in place, only sooner. The job's large operations stay on its own
    /// thread (``Threads/withCount(_:_:)``): the chapter's work has the other core.
    public func startOnSecondCore<T>(_ job: @escaping (Output) throws -> T) -> BackgroundJob<T> {
        let background = BackgroundJob<T>(output: Output(holdingLinesFor: options), parent: self)
        nonisolated(unsafe) let job = job   // runs on the second core only, once
        secondCore.async { background.run(job) }
        return background
    }

    /// Prints the lines `held` kept back.
    fileprivate func printLines(of held: Output) {
        held.held?.forEach(emit)
        held.held = []
    }
}

/// A job running on the second core (``Output/startOnSecondCore(_:)``).
public final class BackgroundJob<T>: @unchecked Sendable {
    // `outcome` is written once by the job's thread before `finished` is signalled, and read by
    // `collect()` after waiting for that signal.
    private let output: Output, parent: Output
    private var outcome: Result<T, any Error>?
    private let finished = DispatchSemaphore(value: 0)

    fileprivate init(output: Output, parent: Output) { (self.output, self.parent) = (output, parent) }

    fileprivate func run(_ job: (Output) throws -> T) {
        // One thread: the chapter's own work has the other core (no helper thread for large operations).
        outcome = Result { try Threads.withCount(1) { try job(output) } }
        finished.signal()
    }

    /// Waits for the job, prints the lines it held (the first time), and returns its result or
    /// throws its error.
    public func collect() throws -> T {
        finished.wait()
        finished.signal()   // a later collect() does not wait again
        parent.printLines(of: output)
        guard let outcome else { fatalError("BackgroundJob: no outcome after the job finished") }
        return try outcome.get()
    }
}

/// One training run's printed log.
public final class TrainingLog {
    private let output: Output
    private let run: String
    private let epochs: Int
    private var lastBar = ContinuousClock.now
    private var tail: [String] = []
    private static let shown = 4

    fileprivate init(output: Output, run: String, epochs: Int) {
        self.output = output
        self.run = run
        self.epochs = epochs
    }

    /// Reports one epoch: pass it as the training loop's `onEpoch`.
    public func report(_ epoch: Int, _ loss: Float) {
        let lines = ["Training loss \(Output.python(loss))", "Epoch \(epoch)"]
        if output.options.verbose || epoch < Self.shown {
            lines.forEach(output.line)
        } else {
            if epoch == Self.shown && epochs > 2 * Self.shown { output.line("...") }
            tail += lines
            if tail.count > 2 * Self.shown { tail.removeFirst(2) }
        }
        let now = ContinuousClock.now
        if now - lastBar > .milliseconds(50) || epoch + 1 == epochs {
            lastBar = now
            let width = 30, done = width * (epoch + 1) / Swift.max(epochs, 1)
            output.progressBar("\(run) [\(String(repeating: "#", count: done))\(String(repeating: " ", count: width - done))] epoch \(epoch + 1)/\(epochs) loss \(Output.python(loss))")
        }
    }

    /// Prints the last epochs and clears the progress bar.
    public func finish() {
        tail.forEach(output.line)
        tail = []
        output.progressBar("")
    }
}

extension Output {
    /// Writes a figure's gnuplot script to `--plots-dir` and renders it unless `--no-render`;
    /// prints the figure's name and caption. Without gnuplot, one hint goes to standard error.
    public func draw(_ figure: Figure, caption: String) throws {
        let result = try figure.write(to: options.plotsDirectory, render: !options.noRender)
        line("[\(figure.name)] \(caption)")
        if !options.noRender && !result.rendered && !hintShown {
            hintShown = true
            FileHandle.standardError.write(Data((Gnuplot.installHint(directory: options.plotsDirectory) + "\n").utf8))
        }
        figures.append((figure.name, caption))
        record("figures", value: .array(figures.map { .object([("name", .string($0.0)), ("caption", .string($0.1))]) }))
    }
}
