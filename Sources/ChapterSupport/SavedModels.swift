// Where Chapter05-Training saves the trained models and how Chapter06-Approximation finds them.

import Foundation
import Workbook

/// The three trained models, saved as checkpoints in `--checkpoints-dir`.
public enum SavedModel: String, CaseIterable, Sendable {
    case scratch = "deep-rnn-scratch"
    case concise = "deep-rnn-concise"
    case bidirectional = "brnn"

    /// `checkpoints/deep-rnn-scratch.ckpt`, or `…-corrected.ckpt` with `--corrected`.
    public func path(_ options: ChapterOptions) -> String {
        "\(options.checkpointsDirectory)/\(rawValue)\(options.corrected ? "-corrected" : "").ckpt"
    }

    /// The model identifier stored in the checkpoint.
    public func identifier(_ options: ChapterOptions) -> String {
        let variant = options.corrected ? "corrected" : "notebook"
        let h = options.hiddenSize(DeepRNNNotebook.hiddenSize), b = options.hiddenSize(BidirectionalNotebook.hiddenSize)
        switch self {
        case .scratch: return "DRNN(numLayers: 2, inputSize: 1, hiddenSize: \(h), outputSize: 1, variant: \(variant))"
        case .concise: return "Sequential(RNN(1, \(h), numLayers: 2), OutputLayer(\(h), 1))"
        case .bidirectional:
            return "BRNN(1, \(b), 1), " + (options.corrected ? "Xavier weights, scaled inputs, fixed loss, Adam" : "notebook loss")
        }
    }

    /// What the run was: the seed, the epochs, and any other setting that changes it. A checkpoint
    /// made with other settings is not reused.
    public static func metadata(_ options: ChapterOptions) -> [String: String] { options.trainingSettings }

    /// Saves `tensors` atomically.
    public func save(_ tensors: [(name: String, tensor: Tensor)], _ options: ChapterOptions) throws {
        try Checkpoint(model: identifier(options), tensors: tensors, metadata: Self.metadata(options)).write(to: path(options))
    }

    /// Loads the saved model into `tensors` when a checkpoint of this run is there.
    /// - Returns: `nil` when it loaded; otherwise why not (missing, or made with other settings).
    /// - Throws: ``WorkbookError`` when a checkpoint is there but unusable (damaged, another model).
    public func load(into tensors: [(name: String, tensor: Tensor)], _ options: ChapterOptions) throws -> String? {
        let path = path(options)
        guard FileManager.default.fileExists(atPath: path) else { return "no checkpoint at \(path)" }
        let checkpoint = try Checkpoint.read(from: path)
        guard checkpoint.metadata == Self.metadata(options) else {
            return "\(path) was made with other settings (\(checkpoint.metadata.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")))"
        }
        try checkpoint.load(into: tensors, expectedModel: identifier(options))
        return nil
    }
}
