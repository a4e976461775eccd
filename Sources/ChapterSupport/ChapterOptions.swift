// The options every chapter takes, checked before anything runs.

import ArgumentParser
import Workbook

/// The command-line options shared by the chapters (`--seed`, `--epochs`, …).
public struct ChapterOptions: ParsableArguments {
    @Option(help: "The seed of every experiment, as torch.manual_seed(seed) (0 to 4294967295).")
    public var seed: Int = 0

    @Option(help: "Train every run for this many epochs instead of the notebooks' counts (1 to 1000000).")
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

    public init() {}

    public mutating func validate() throws {
        guard (0...Int(UInt32.max)).contains(seed) else {
            throw ValidationError("--seed must be between 0 and 4294967295, got \(seed)")
        }
        if let epochs, !(1...1_000_000).contains(epochs) {
            throw ValidationError("--epochs must be between 1 and 1000000, got \(epochs)")
        }
        if verbose && quiet { throw ValidationError("--verbose and --quiet cannot be used together: choose one") }
        for (flag, path) in [("--plots-dir", plotsDirectory), ("--checkpoints-dir", checkpointsDirectory)] where path.isEmpty {
            throw ValidationError("\(flag) must name a folder, got an empty path")
        }
    }

    /// A fresh generator for one of the notebooks' experiments.
    public func generator() -> TorchGenerator { TorchGenerator(seed: UInt64(seed)) }

    /// The epoch count of a run: the notebook's, unless `--epochs` overrides it.
    public func epochs(_ notebook: Int) -> Int { epochs ?? notebook }
}
