// Where Chapter05-Training saves the trained models and how Chapter06-Approximation finds them.

import AtomicFiles
import Checkpoints
import Figures
import Foundation
import Kernels
import Workbook

/// The three trained models, saved as checkpoints in `--checkpoints-dir`.
public enum SavedModel: String, CaseIterable, Sendable {
    case scratch = "deep-rnn-scratch"
    case concise = "deep-rnn-concise"
    case bidirectional = "brnn"

    /// `checkpoints/deep-rnn-scratch.safetensors`, or `…-corrected.safetensors` with `--corrected`.
    public func path(_ options: ChapterOptions) -> String {
        "\(options.checkpointsDirectory)/\(rawValue)\(options.corrected ? "-corrected" : "")"
            + ".safetensors"
    }

    /// Where the workbook kept this checkpoint before it wrote safetensors files (`….ckpt`).
    func oldPath(_ options: ChapterOptions) -> String {
        String(path(options).dropLast(".safetensors".count)) + ".ckpt"
    }

    /// What a message about an unusable checkpoint tells the learner: run the chapter that trains
    /// the models again, or have this chapter train them itself, with the option it takes for
    /// that: `--retrain` (Chapter06-Approximation), or another `--checkpoints-dir`.
    public static func remedy(_ options: ChapterOptions) -> CheckpointRemedy {
        CheckpointRemedy(program: "Chapter05-Training",
                         skipFlag: options.takesRetrain ? "--retrain"
                             : "--checkpoints-dir with another folder, where this chapter trains them itself")
    }

    /// The model identifier stored in the checkpoint.
    public func identifier(_ options: ChapterOptions) -> String {
        let variant = options.corrected ? "corrected" : "notebook"
        let h = options.hiddenSize(8), b = options.hiddenSize(32)
        switch self {
        case .scratch: return "DRNN(numLayers: 2, inputSize: 1, hiddenSize: \(h), "
            + "outputSize: 1, variant: \(variant))"
        case .concise: return "Sequential(RNN(1, \(h), numLayers: 2), OutputLayer(\(h), 1))"
        case .bidirectional:
            return "BRNN(1, \(b), 1), "
                + (options.corrected ? "Xavier weights, scaled inputs, fixed loss, Adam"
                                     : "notebook loss")
        }
    }

    /// What the run was: the seed, the epochs, whether `--corrected`, and any other setting that
    /// changes it. A checkpoint made with other settings is not reused.
    public static func metadata(_ options: ChapterOptions) -> [String: String] {
        options.trainingSettings.merging(["corrected": String(options.corrected)]) { $1 }
    }

    /// Saves `tensors` atomically.
    public func save(_ tensors: [(name: String, tensor: Tensor)], _ options: ChapterOptions) throws {
        try Checkpoint(model: identifier(options), tensors: tensors,
                       metadata: Self.metadata(options)).write(to: path(options))
    }

    /// Loads the saved model into `tensors` when a checkpoint of this run is there.
    /// - Returns: `nil` when it loaded; otherwise why not (missing, or made with other settings).
    /// - Throws: ``WorkbookError`` when a checkpoint is there but unusable (damaged, another model).
    public func load(into tensors: [(name: String, tensor: Tensor)],
                     _ options: ChapterOptions) throws -> String? {
        let path = path(options)
        guard FileManager.default.fileExists(atPath: path) else {
            let old = oldPath(options)
            return FileManager.default.fileExists(atPath: old)
                ? "no checkpoint at \(path); \(old) is in the old format, which is not read: "
                  + "Chapter05-Training remakes it"
                : "no checkpoint at \(path)"
        }
        let checkpoint = try Checkpoint.read(from: path, remedy: Self.remedy(options))
        guard checkpoint.metadata == Self.metadata(options) else {
            // The file's own words, escaped and cut: a newline or an escape sequence stored there
            // must not break the line or drive the terminal.
            let settings = checkpoint.metadata.sorted { $0.key < $1.key }
            let shown = settings.prefix(8).map { "\(excerpt($0.key, limit: 40)) \(excerpt($0.value))" }
                + (settings.count > 8 ? ["… (\(settings.count - 8) more)"] : [])
            return "\(path) was made with other settings (\(shown.joined(separator: ", ")))"
        }
        try checkpoint.load(into: tensors, expectedModel: identifier(options), remedy: Self.remedy(options))
        return nil
    }
}

extension SavedModel {
    /// Fills `tensors` from this model's checkpoint or, when there is none (or with `retrain`),
    /// with the tensors of a run of `train` made here without its log. Prints which, naming the
    /// model `label`; the line counts as printed from `sourceFile`, `sourceLine` (the chapter's call).
    public func loadOrTrain(
        into tensors: [(name: String, tensor: Tensor)], _ options: ChapterOptions, _ output: Output,
        label: String, retrain: Bool, sourceFile: String = #fileID, sourceLine: Int = #line,
        train: (ChapterOptions, Output) throws -> [(name: String, tensor: Tensor)]
    ) throws {
        if let reason = try retrain ? "--retrain" : load(into: tensors, options) {
            output.line("\(label): training it here (\(reason))",
                        sourceFile: sourceFile, sourceLine: sourceLine)
            let trained = try train(options.silenced, Output(options: options.silenced))
            for (target, source) in zip(tensors, trained) { target.tensor.assign(source.tensor) }
        } else {
            output.line("\(label): loaded \(path(options))",
                        sourceFile: sourceFile, sourceLine: sourceLine)
        }
    }
}

extension DRNN {
    /// The tensors of its checkpoint, named as the notebook's PyTorch `DRNN` names them: its
    /// `state_dict` (``namedParameters``: the last layer's `W_xh`, `W_hh`, `b_h`, then `W_hq`, `b_q`;
    /// every layer's `W_xh_l0`, … in the corrected model), then the layers the notebook never
    /// registers under their ``allTensors`` names, `l0.W_xh`, `l0.W_hh`, `l0.b_h`, which
    /// `scripts/load_in_pytorch.py` sets by hand.
    public var checkpointTensors: [(name: String, tensor: Tensor)] {
        let registered = namedParameters
        return registered
            + allTensors.filter { entry in !registered.contains { $0.tensor === entry.tensor } }
    }
}

extension ChapterOptions {
    /// The same options with nothing printed: for training runs whose log is not shown.
    public var silenced: ChapterOptions {
        var o = self
        o.quiet = true
        o.verbose = false
        return o
    }
}
