// The chapters' options: small groups, each chapter taking the ones it uses, checked before
// anything runs, and gathered into one plain value that the chapters and their functions read.

import ArgumentParser
import AtomicFiles
import Workbook

/// The settings of a chapter's run, from the option groups the chapter takes
/// (`ChapterOptions(run, model, figures)`); a setting the chapter takes no option for keeps the
/// notebooks' value.
public struct ChapterOptions: Sendable {
    /// `--seed`: the seed of every experiment.
    public var seed = 0
    /// `--quiet`: only the closing summary.
    public var quiet = false
    /// `--json`: one JSON object instead of text.
    public var json = false
    /// `--corrected`: the corrected variants instead of the notebooks' code as written.
    public var corrected = false
    /// `--hidden-size`: nil for the notebooks' sizes.
    public var hiddenSize: Int?
    /// `--window-length`: the notebook's `sequence_len`.
    public var windowLength = 19
    /// `--epochs`: nil for the notebooks' counts.
    public var epochs: Int?
    /// `--learning-rate`: nil for the notebooks' rates.
    public var learningRate: Float?
    /// `--verbose`: every training epoch's lines.
    public var verbose = false
    /// `--plots-dir`: where the figures' scripts and images go.
    public var plotsDirectory = "plots"
    /// `--no-render`: the scripts only, no images.
    public var noRender = false
    /// `--plots-in-terminal`: draw the figures in the terminal at the end of the run.
    public var plotsInTerminal: TerminalGraphics?
    /// `--checkpoints-dir`: where trained models are saved and loaded.
    public var checkpointsDirectory = "checkpoints"
    /// `--checkpoint NAME=FILE`, in the order given.
    public var checkpointChoices: [CheckpointChoice] = []
    /// `--retrain`: train the saved models here instead of loading them.
    public var retrain = false
    /// Whether the chapter takes `--retrain` (what a message about a damaged checkpoint offers).
    var takesRetrain = false
    /// The folders the chapter takes options for, checked before it runs.
    var folders: [OutputFolder] = []

    /// The notebooks' settings.
    public init() {}

    /// The settings given by a chapter's option groups.
    public init(_ groups: any ChapterOptionGroup...) {
        for group in groups { group.apply(to: &self) }
    }

    /// The files given with `--checkpoint NAME=FILE`, by model: a model named here is loaded from
    /// that file or the chapter fails; it is never trained in its place.
    public var checkpointFiles: [SavedModel: String] {
        Dictionary(checkpointChoices.map { ($0.model, $0.path) }) { _, last in last }
    }

    /// Checks what no single group can: options of two groups that cannot go together.
    func validate() throws {
        if verbose && quiet {
            throw ValidationError("--verbose and --quiet cannot be used together: choose one")
        }
        if plotsInTerminal != nil && json {
            throw ValidationError("--plots-in-terminal and --json cannot be used together: "
                                  + "the drawings would break the JSON")
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

/// A group of options that a chapter takes with `@OptionGroup`, and what it sets in the
/// chapter's ``ChapterOptions``.
public protocol ChapterOptionGroup: ParsableArguments {
    func apply(to options: inout ChapterOptions)
}

// MARK: - The groups

/// `--seed`, `--quiet`, `--json`: every chapter takes them.
public struct CommonOptions: ChapterOptionGroup {
    @Option(parsing: .unconditional,
            help: "The seed of every experiment, as torch.manual_seed(seed) (0 to 4294967295).",
            transform: { try whole($0, "--seed", 0...Int(UInt32.max)) })
    var seed: Int = 0

    @Flag(help: "Print only the closing summary.")
    var quiet = false

    @Flag(help: "Print one JSON object with the results instead of text.")
    var json = false

    public init() {}

    public func apply(to options: inout ChapterOptions) {
        (options.seed, options.quiet, options.json) = (seed, quiet, json)
    }
}

/// `--corrected`, for a chapter whose run has a corrected variant.
public struct CorrectedOption: ChapterOptionGroup {
    @Flag(help: "Use the corrected variants instead of the notebooks' code as written.")
    var corrected = false

    public init() {}

    public func apply(to options: inout ChapterOptions) { options.corrected = corrected }
}

/// `--window-length`, for a chapter that cuts the deep RNN's series into windows.
public struct WindowOption: ChapterOptionGroup {
    @Option(name: .customLong("window-length"), parsing: .unconditional,
            help: ArgumentHelp("The deep RNN's window length, the notebook's sequence_len (1 to 198, "
                               + "shorter than the series' 199 differences)."),
            transform: { try whole($0, "--window-length", 1...198,
                                   "shorter than the series' 199 differences") })
    var windowLength: Int = 19

    public init() {}

    public func apply(to options: inout ChapterOptions) { options.windowLength = windowLength }
}

/// `--hidden-size` and `--window-length`, for a chapter that builds the models.
public struct ModelOptions: ChapterOptionGroup {
    @Option(name: .customLong("hidden-size"), parsing: .unconditional,
            help: ArgumentHelp("The hidden size of every model instead of the notebooks' 8 (deep RNNs) "
                               + "and 32 (bidirectional) (1 to 512)."),
            transform: { try whole($0, "--hidden-size", 1...512) })
    var hiddenSize: Int?

    @OptionGroup var window: WindowOption

    public init() {}

    public func apply(to options: inout ChapterOptions) {
        options.hiddenSize = hiddenSize
        window.apply(to: &options)
    }
}

/// `--learning-rate`, for a chapter that takes optimiser steps.
public struct LearningRateOption: ChapterOptionGroup {
    @Option(name: .customLong("learning-rate"), parsing: .unconditional,
            help: ArgumentHelp("The first (or only) learning rate of every training run instead of "
                               + "the notebooks'; later rounds divide it by 10, as the notebooks do "
                               + "(a number above 0)."),
            transform: { text in
                guard let wide = Double(text), wide.isFinite, wide > 0 else {
                    throw ValidationError("--learning-rate must be a number above 0, got \(excerpt(text))")
                }
                // Parameters are float32: a rate it cannot hold is refused by name, not as
                // "not above 0".
                let value = Float(wide)
                guard value.isFinite else {
                    throw ValidationError("--learning-rate \(excerpt(text)) is too large for float32 "
                                          + "(at most about 3.4e38); give a smaller rate")
                }
                guard value > 0 else {
                    throw ValidationError("--learning-rate \(excerpt(text)) rounds to 0 in float32 "
                                          + "(the smallest is about 1.4e-45); give a larger rate")
                }
                return value
            })
    var learningRate: Float?

    public init() {}

    public func apply(to options: inout ChapterOptions) { options.learningRate = learningRate }
}

/// `--epochs` and `--learning-rate`, for a chapter that trains models.
public struct TrainingOptions: ChapterOptionGroup {
    @Option(parsing: .unconditional,
            help: ArgumentHelp("Train every run for this many epochs instead of the notebooks' counts "
                               + "(1 to 1000000). When Chapter05-Training would take over a minute, "
                               + "a note on standard error says about how long."),
            transform: { try whole($0, "--epochs", 1...1_000_000) })
    var epochs: Int?

    @OptionGroup var rate: LearningRateOption

    public init() {}

    public func apply(to options: inout ChapterOptions) {
        options.epochs = epochs
        rate.apply(to: &options)
    }
}

/// `--verbose`, for a chapter that prints training logs.
public struct VerboseOption: ChapterOptionGroup {
    @Flag(help: "Print every training epoch, not just the first and last few.")
    var verbose = false

    public init() {}

    public func apply(to options: inout ChapterOptions) { options.verbose = verbose }
}

/// `--plots-dir`, `--no-render` and `--plots-in-terminal`, for a chapter that draws figures.
public struct FigureOptions: ChapterOptionGroup {
    @Option(name: .customLong("plots-dir"), help: "Where the figure scripts and images go.")
    var plotsDirectory: String = "plots"

    @Flag(name: .customLong("no-render"), help: "Write the gnuplot scripts without rendering images.")
    var noRender = false

    // A string, checked by `validate()`: ArgumentParser would take a value it cannot read as the
    // bare flag, and drop it without a word.
    @Option(name: .customLong("plots-in-terminal"), defaultAsFlag: TerminalGraphics.ascii.rawValue,
            parsing: .next,
            help: ArgumentHelp("At the end, draw the figures in the terminal with gnuplot, on standard "
                               + "output: ascii, as wide as the terminal, or sixel, images for "
                               + "terminals that show sixel graphics.",
                               valueName: "ascii|sixel"))
    var plotsInTerminal: String? = nil

    public init() {}

    public func validate() throws {
        if plotsDirectory.isEmpty {
            throw ValidationError("--plots-dir must name a folder, got an empty path")
        }
        if let plotsInTerminal, TerminalGraphics(rawValue: plotsInTerminal) == nil {
            throw ValidationError("--plots-in-terminal draws in ascii or sixel, got "
                                  + excerpt(plotsInTerminal))
        }
    }

    public func apply(to options: inout ChapterOptions) {
        (options.plotsDirectory, options.noRender) = (plotsDirectory, noRender)
        options.plotsInTerminal = plotsInTerminal.flatMap(TerminalGraphics.init(rawValue:))
        options.folders.append(.plots)
    }
}

/// How `--plots-in-terminal` draws: in text, or as sixel images.
public enum TerminalGraphics: String, CaseIterable, Sendable {
    case ascii, sixel
}

/// `--checkpoints-dir`, for a chapter that saves or loads trained models.
public struct CheckpointsFolderOption: ChapterOptionGroup {
    @Option(name: .customLong("checkpoints-dir"), help: "Where trained models are saved and loaded.")
    var checkpointsDirectory: String = "checkpoints"

    public init() {}

    public func validate() throws {
        if checkpointsDirectory.isEmpty {
            throw ValidationError("--checkpoints-dir must name a folder, got an empty path")
        }
    }

    public func apply(to options: inout ChapterOptions) {
        options.checkpointsDirectory = checkpointsDirectory
        options.folders.append(.checkpoints)
    }
}

/// `--checkpoints-dir` and `--checkpoint NAME=FILE`, for a chapter that loads trained models.
public struct CheckpointOptions: ChapterOptionGroup {
    @OptionGroup var folder: CheckpointsFolderOption

    @Option(name: .customLong("checkpoint"), parsing: .unconditionalSingleValue,
            help: ArgumentHelp("Load this model from exactly this file, and fail if it cannot: "
                               + "NAME=FILE, NAME one of deep-rnn-scratch, deep-rnn-concise, brnn "
                               + "(a safetensors file, from the workbook or from PyTorch's "
                               + "save_file(model.state_dict(), FILE)); repeat for each model.",
                               valueName: "name=file"),
            transform: { try CheckpointChoice(parsing: $0) })
    var checkpointChoices: [CheckpointChoice] = []

    public init() {}

    public func apply(to options: inout ChapterOptions) {
        folder.apply(to: &options)
        options.checkpointChoices = checkpointChoices
    }
}

/// `--retrain`, for a chapter that loads trained models and can train them itself instead.
public struct RetrainOption: ChapterOptionGroup {
    @Flag(help: "Train the models again even when Chapter05-Training saved them.")
    var retrain = false

    public init() {}

    public func apply(to options: inout ChapterOptions) {
        (options.retrain, options.takesRetrain) = (retrain, true)
    }
}

// MARK: - Reading values

/// A whole number in `range`, or one line naming the option and the accepted range.
func whole(_ text: String, _ option: String, _ range: ClosedRange<Int>,
           _ why: String = "") throws -> Int {
    guard let value = Int(text), range.contains(value) else {
        throw ValidationError("\(option) must be a whole number between \(range.lowerBound) "
                              + "and \(range.upperBound)"
                              + (why.isEmpty ? "" : ", \(why)") + ", got \(excerpt(text))")
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
            throw ValidationError("--checkpoint \(excerpt(name))= must name a file after the =")
        }
        (self.model, self.path) = (model, file)
    }
}
