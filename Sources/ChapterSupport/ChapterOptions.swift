// The options every chapter takes, checked before anything runs.

import ArgumentParser
import AtomicFiles
import Workbook

/// The command-line options shared by the chapters (`--seed`, `--epochs`, …).
public struct ChapterOptions: ParsableArguments {
    @Option(parsing: .unconditional,
            help: "The seed of every experiment, as torch.manual_seed(seed) (0 to 4294967295).",
            transform: { try whole($0, "--seed", 0...Int(UInt32.max)) })
    public var seed: Int = 0

    @Option(parsing: .unconditional,
            help: ArgumentHelp("Train every run for this many epochs instead of the notebooks' counts "
                               + "(1 to 1000000). When Chapter05-Training would take over a minute, "
                               + "a note on standard error says about how long."),
            transform: { try whole($0, "--epochs", 1...1_000_000) })
    public var epochs: Int?

    @Option(name: .customLong("plots-dir"), help: "Where the figure scripts and images go.")
    public var plotsDirectory: String = "plots"

    @Option(name: .customLong("checkpoints-dir"), help: "Where trained models are saved and loaded.")
    public var checkpointsDirectory: String = "checkpoints"

    @Flag(name: .customLong("no-render"), help: "Write the gnuplot scripts without rendering images.")
    public var noRender = false

    @Flag(help: "Print every training epoch, not just the first and last few.")
    public var verbose = false

    @Flag(help: "Print only the closing summary.")
    public var quiet = false

    @Flag(help: "Print one JSON object with the results instead of text.")
    public var json = false

    @Flag(help: "Use the corrected variants instead of the notebooks' code as written.")
    public var corrected = false

    @Option(name: .customLong("learning-rate"), parsing: .unconditional,
            help: ArgumentHelp("The first (or only) learning rate of every training run instead of "
                               + "the notebooks'; later rounds divide it by 10, as the notebooks do "
                               + "(a number above 0)."),
            transform: { text in
                guard let wide = Double(text), wide.isFinite, wide > 0 else {
                    throw ValidationError("--learning-rate must be a number above 0, got \(text)")
                }
                // Parameters are float32: a rate it cannot hold is refused by name, not as
                // "not above 0".
                let value = Float(wide)
                guard value.isFinite else {
                    throw ValidationError("--learning-rate \(text) is too large for float32 "
                                          + "(at most about 3.4e38); give a smaller rate")
                }
                guard value > 0 else {
                    throw ValidationError("--learning-rate \(text) rounds to 0 in float32 "
                                          + "(the smallest is about 1.4e-45); give a larger rate")
                }
                return value
            })
    public var learningRate: Float?

    @Option(name: .customLong("window-length"), parsing: .unconditional,
            help: ArgumentHelp("The deep RNN's window length, the notebook's sequence_len (1 to 198, "
                               + "shorter than the series' 199 differences)."),
            transform: { try whole($0, "--window-length", 1...198,
                                   "shorter than the series' 199 differences") })
    public var windowLength: Int = 19

    @Option(name: .customLong("hidden-size"), parsing: .unconditional,
            help: ArgumentHelp("The hidden size of every model instead of the notebooks' 8 (deep RNNs) "
                               + "and 32 (bidirectional) (1 to 512)."),
            transform: { try whole($0, "--hidden-size", 1...512) })
    public var hiddenSize: Int?

    @Option(name: .customLong("checkpoint"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Load this model from exactly this file, and fail if it cannot: "
                               + "NAME=FILE, NAME one of deep-rnn-scratch, deep-rnn-concise, brnn "
                               + "(a safetensors file, from the workbook or from PyTorch's "
                               + "save_file(model.state_dict(), FILE)); repeat for each model.",
                               valueName: "name=file"),
            transform: { try CheckpointChoice(parsing: $0) })
    public var checkpointChoices: [CheckpointChoice] = []

    /// The files given with `--checkpoint NAME=FILE`, by model: a model named here is loaded from
    /// that file or the chapter fails; it is never trained in its place.
    public var checkpointFiles: [SavedModel: String] {
        Dictionary(checkpointChoices.map { ($0.model, $0.path) }) { _, last in last }
    }

    public init() {}

    public mutating func validate() throws {
        if verbose && quiet {
            throw ValidationError("--verbose and --quiet cannot be used together: choose one")
        }
        for (flag, path) in [("--plots-dir", plotsDirectory),
                             ("--checkpoints-dir", checkpointsDirectory)] where path.isEmpty {
            throw ValidationError("\(flag) must name a folder, got an empty path")
        }
    }

    /// A fresh generator for one of the notebooks' experiments.
    public func generator() -> TorchGenerator { TorchGenerator(seed: UInt64(seed)) }

    /// The epoch count of a run: the notebook's, unless `--epochs` overrides it.
    public func epochs(_ notebook: Int) -> Int { epochs ?? notebook }

    /// The learning rates of a run's rounds: the notebook's, or `--learning-rate` divided by 10
    /// each round.
    public func learningRates(_ notebook: [Float]) -> [Float] {
        guard let learningRate else { return notebook }
        return notebook.indices.map { learningRate / Float([1, 10, 100, 1000][min($0, 3)]) }
    }

    /// The learning rate of a run of one round: the notebook's, unless `--learning-rate` overrides it.
    public func learningRate(_ notebook: Float) -> Float { learningRate ?? notebook }

    /// A model's hidden size: the notebook's, unless `--hidden-size` overrides it.
    public func hiddenSize(_ notebook: Int) -> Int { hiddenSize ?? notebook }

    /// The settings that change what a training run computes, for checkpoints' metadata: a
    /// checkpoint made with other settings is not reused.
    public var trainingSettings: [String: String] {
        var settings = ["seed": String(seed), "epochs": epochs.map(String.init) ?? "notebook"]
        if let learningRate { settings["learning-rate"] = "\(learningRate)" }
        if windowLength != 19 { settings["window-length"] = String(windowLength) }
        if let hiddenSize { settings["hidden-size"] = String(hiddenSize) }
        return settings
    }
}

/// A whole number in `range`, or one line naming the option and the accepted range.
func whole(_ text: String, _ option: String, _ range: ClosedRange<Int>,
           _ why: String = "") throws -> Int {
    guard let value = Int(text), range.contains(value) else {
        throw ValidationError("\(option) must be a whole number between \(range.lowerBound) "
                              + "and \(range.upperBound)"
                              + (why.isEmpty ? "" : ", \(why)") + ", got \(text)")
    }
    return value
}

/// One `--checkpoint NAME=FILE`: which model, and the file to load it from.
public struct CheckpointChoice: Sendable, Equatable {
    public var model: SavedModel
    public var path: String

    init(parsing text: String) throws {
        let names = SavedModel.allCases.map(\.rawValue).joined(separator: ", ")
        guard let equals = text.firstIndex(of: "=") else {
            throw ValidationError("--checkpoint must be NAME=FILE with NAME one of \(names), got "
                                  + excerpt(text))
        }
        let name = String(text[..<equals]), file = String(text[text.index(after: equals)...])
        guard let model = SavedModel(rawValue: name) else {
            throw ValidationError("--checkpoint names no model the workbook has: "
                                  + "\(excerpt(name)); use one of \(names)")
        }
        guard !file.isEmpty else {
            throw ValidationError("--checkpoint \(name)= must name a file after the =")
        }
        (self.model, self.path) = (model, file)
    }
}
