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

    /// What a message about a file given with `--checkpoint NAME=FILE` tells the learner: give
    /// the option another file, or leave it out (no chapter remakes such a file).
    func givenRemedy() -> CheckpointRemedy { CheckpointRemedy(givenWith: "--checkpoint \(rawValue)") }

    /// Where a model comes from: loaded, with what the printed line says about the file, or
    /// trained here, and why.
    enum Source {
        case loaded(notes: [String])
        case trained(reason: String)
    }

    /// Reads every file given with `--checkpoint NAME=FILE` before any work, so that a missing,
    /// unreadable or damaged one, or one that does not fit its model (names, shapes, dtype), fails
    /// at once, not after the models before it ran. What its header declares is checked against
    /// the model first (``modelTensors(_:)``): the data is read only when it fits.
    /// - Throws: ``WorkbookError`` for the first file that cannot be read or does not fit.
    public static func checkGivenFiles(_ options: ChapterOptions) throws {
        for model in allCases {
            if let file = options.checkpointFiles[model] {
                let (tensors, optional) = model.modelTensors(options)
                _ = try readCheckpoint(file, remedy: model.givenRemedy(),
                                       fits: model.fits(tensors, optional: optional, options))
            }
        }
    }

    /// The tensors this model loads into, as the chapters' models have them with `options`
    /// (`--hidden-size`, `--corrected`), and those a file may leave out: made here, with values
    /// that do not matter, so that a file given with `--checkpoint` is checked against its model
    /// before any work. Tests/ChapterTests/LargeCheckpointTests.swift loads Chapter05-Training's
    /// own files through it.
    func modelTensors(_ options: ChapterOptions) -> (tensors: [(name: String, tensor: Tensor)],
                                                      optional: [(name: String, tensor: Tensor)]) {
        var generator = options.generator()
        switch self {
        case .scratch:
            let drnn = DRNN(numLayers: 2, inputSize: 1, hiddenSize: options.hiddenSize(8), outputSize: 1,
                            variant: options.corrected ? .corrected : .notebook, using: &generator)
            return (drnn.namedParameters, drnn.unregisteredTensors)
        case .concise:
            return (ConciseDRNN(inputSize: 1, hiddenSize: options.hiddenSize(8), outputSize: 1, numLayers: 2,
                                using: &generator).namedParameters, [])
        case .bidirectional:
            return (BRNN(inputSize: 1, hiddenSize: options.hiddenSize(32), outputSize: 1,
                         initialization: options.corrected ? .xavier : .notebook, using: &generator).namedParameters, [])
        }
    }

    /// Whether what a file declares fits `tensors` and `optional` under the naming ``fill`` would
    /// load it with (``naming(of:_:optional:)``): the reason it does not, with what the model
    /// expects, for ``Checkpoint/read(from:remedy:fits:)`` to refuse the file before its data.
    func fits(_ tensors: [(name: String, tensor: Tensor)], optional: [(name: String, tensor: Tensor)],
              _ options: ChapterOptions) -> (Checkpoint.Declaration) -> (problem: CheckpointError, expected: String)? {
        let expectedModel = identifier(options)
        return { declared in
            let naming = naming(of: Set(declared.tensors.map(\.name)), tensors, optional: optional)
            return Checkpoint.mismatch(model: declared.model, declared: declared.tensors, with: naming.tensors,
                                       optional: naming.optional, expectedModel: expectedModel)
                .map { ($0, naming.expected) }
        }
    }

    /// Loads the model given with `--checkpoint NAME=FILE` from `file`, whatever settings it records.
    /// - Returns: what the printed line says about it (the settings it records when they are not this run's).
    /// - Throws: ``WorkbookError`` when the file is missing, unreadable, damaged, or not this model
    ///   (its names, shapes, dtype or recorded model).
    func load(into tensors: [(name: String, tensor: Tensor)], optional: [(name: String, tensor: Tensor)],
              given file: String, _ options: ChapterOptions) throws -> [String] {
        let checkpoint = try Self.readCheckpoint(file, remedy: givenRemedy(), fits: fits(tensors, optional: optional, options))
        var notes = ["given with --checkpoint"]
        // Only the workbook's metadata (one that names its model) records the run's settings; other
        // writers' keys, such as save_model's "format", are not settings.
        let ours = Self.metadata(options)
        if checkpoint.model != nil && checkpoint.metadata != ours {
            notes.append("its settings differ from this run's: " + Self.differences(checkpoint.metadata, ours))
        }
        return notes + (try fill(tensors, optional: optional, from: checkpoint, options, remedy: givenRemedy()))
    }

    /// Loads the model from its checkpoint in `--checkpoints-dir` when it is there and of this run:
    /// a workbook checkpoint (one whose metadata names its model) made with other settings is not
    /// used; a file without the workbook's metadata, such as PyTorch's
    /// `save_file(model.state_dict(), path)` writes, is a model the learner put there, used as it is.
    /// - Returns: `.trained` with the reason when there is no usable file (missing, or made with other settings).
    /// - Throws: ``WorkbookError`` when a file is there but unusable (damaged, another model, other names).
    func loadFromFolder(into tensors: [(name: String, tensor: Tensor)], optional: [(name: String, tensor: Tensor)],
                        _ options: ChapterOptions) throws -> Source {
        let path = path(options)
        var status = stat()
        guard lstat(path, &status) == 0 else {
            let old = oldPath(options)
            return .trained(reason: FileManager.default.fileExists(atPath: old)
                ? "no checkpoint at \(shownPath(path)); \(shownPath(old)) is in the old format, which is not read: "
                  + "Chapter05-Training remakes it"
                : "no checkpoint at \(shownPath(path))")
        }
        // The header first: a workbook checkpoint made with other settings is not used, and its
        // data is never read.
        let declared = try Self.readCheckpoint(path, remedy: Self.remedy(options)) {
            try Checkpoint.readDeclaration(from: $0, remedy: $1)
        }
        var notes: [String] = []
        if declared.model == nil {
            notes.append("without the workbook's metadata: used as it is")
        } else if declared.metadata != Self.metadata(options) {
            // The file's own words, escaped and cut: a newline or an escape sequence stored there
            // must not break the line or drive the terminal.
            let settings = declared.metadata.sorted { $0.key < $1.key }
            let shown = settings.prefix(8).map { "\(excerpt($0.key, limit: 40)) \(excerpt($0.value))" }
                + (settings.count > 8 ? ["… (\(settings.count - 8) more)"] : [])
            return .trained(reason: "\(shownPath(path)) was made with other settings (\(shown.joined(separator: ", ")))")
        }
        let checkpoint = try Self.readCheckpoint(path, remedy: Self.remedy(options), fits: fits(tensors, optional: optional, options))
        return .loaded(notes: notes + (try fill(tensors, optional: optional, from: checkpoint, options, remedy: Self.remedy(options))))
    }

    /// Reads the checkpoint at `path` (``Checkpoint/read(from:remedy:)``), after looking at what is
    /// there as the read will meet it: a loop of symbolic links, or something that is not a regular
    /// file (`/dev/null`, `/dev/zero`, a FIFO, a socket), is named for what it is, not taken for a
    /// missing or unreadable checkpoint (a FIFO or `/dev/zero` would never end). The path is shown
    /// cut, as ``shownPath(_:)`` cuts it. `fits` checks what the header declares against the
    /// model before the data is read.
    static func readCheckpoint(_ path: String, remedy: CheckpointRemedy,
                               fits: @escaping (Checkpoint.Declaration) -> (problem: CheckpointError, expected: String)?) throws -> Checkpoint {
        try readCheckpoint(path, remedy: remedy) { try Checkpoint.read(from: $0, remedy: $1, fits: fits) }
    }

    /// What `read` gives for the checkpoint at `path`, after the checks of
    /// ``readCheckpoint(_:remedy:fits:)``: the whole checkpoint, or its header's declaration.
    static func readCheckpoint<T>(_ path: String, remedy: CheckpointRemedy,
                                  _ read: (String, CheckpointRemedy) throws -> T) throws -> T {
        let shown = shownPath(path)
        let fix = remedy.givenWith.map { "give \($0) another file, or leave that option out" }
            ?? "delete it and run \(remedy.program) again, or pass \(remedy.skipFlag)"
        var status = stat()
        if stat(path, &status) != 0 {
            if errno == ELOOP {
                throw WorkbookError("\(shown) is a loop of symbolic links "
                                    + "(\(String(cString: strerror(ELOOP)))): \(fix)")
            }
        } else {
            let kind: String? = switch status.st_mode & S_IFMT {
            case S_IFREG, S_IFDIR: nil   // a file to read; a folder, which the reader names
            case S_IFCHR: "a character device"
            case S_IFBLK: "a block device"
            case S_IFIFO: "a FIFO (a named pipe)"
            case S_IFSOCK: "a socket"
            default: "not a file"
            }
            if let kind { throw WorkbookError("\(shown) is \(kind), not a regular file: \(fix)") }
        }
        do {
            return try read(path, remedy)
        } catch let error as WorkbookError {
            throw WorkbookError(error.message.replacingOccurrences(of: escapedLine(path), with: shown))
        }
    }

    /// Copies `checkpoint` into the model, under the workbook's names or the other names PyTorch
    /// gives this model (``bareNames(_:)``), all or nothing.
    /// - Returns: what the printed line says about the names, or about tensors the file leaves out.
    private func fill(_ tensors: [(name: String, tensor: Tensor)], optional: [(name: String, tensor: Tensor)],
                      from checkpoint: Checkpoint, _ options: ChapterOptions,
                      remedy: CheckpointRemedy) throws -> [String] {
        let naming = naming(of: Set(checkpoint.tensors.map(\.name)), tensors, optional: optional)
        let loadedOptional = try checkpoint.load(into: naming.tensors, optional: naming.optional,
                                                 expectedModel: identifier(options), remedy: remedy, expected: naming.expected)
        if naming.bare { return ["nn.RNN's own names"] }
        return loadedOptional || optional.isEmpty ? []
            : ["layer 0 is seed \(options.seed)'s initial one, as the notebook's state_dict leaves it out and never trains it"]
    }

    /// The names a file holding the tensors `stored` is loaded under: the workbook's, with
    /// `optional`; or, for the concise model, a bare `nn.RNN`'s (``bareNames(_:)``) when the file
    /// holds none of the workbook's names and some of those. With what the model expects, as the
    /// messages about names say it.
    func naming(of stored: Set<String>, _ tensors: [(name: String, tensor: Tensor)],
                optional: [(name: String, tensor: Tensor)])
        -> (tensors: [(name: String, tensor: Tensor)], optional: [(name: String, tensor: Tensor)], expected: String, bare: Bool) {
        let bare = bareNames(tensors)
        if !bare.isEmpty, !tensors.contains(where: { stored.contains($0.name) }),
           bare.contains(where: { stored.contains($0.name) }) {
            return (bare, [], Checkpoint.summary(bare), true)
        }
        let expected = bare.isEmpty ? Checkpoint.summary(tensors, optional: optional)
            : Checkpoint.summary(tensors) + ", or the same names without 0. and 1."
        return (tensors, optional, expected, false)
    }

    /// The concise model's tensors under the names of a bare `nn.RNN`'s `state_dict`
    /// (`weight_ih_l0`, …) and of the `OutputLayer`'s (`W_hq`, `b_q`): the `nn.Sequential`'s names
    /// without its `0.` and `1.`, as `{**model[0].state_dict(), **model[1].state_dict()}` saves them.
    /// Empty for the other models, which have one naming.
    func bareNames(_ tensors: [(name: String, tensor: Tensor)]) -> [(name: String, tensor: Tensor)] {
        guard self == .concise else { return [] }
        return tensors.map { (String($0.name.drop { $0 != "." }.dropFirst()), $0.tensor) }
    }

    /// The settings in `file` that are not `ours`: `epochs 3 (here notebook), seed 1 (here 0)`,
    /// the file's words escaped and cut.
    static func differences(_ file: [String: String], _ ours: [String: String]) -> String {
        let keys = Set(file.keys).union(ours.keys).filter { file[$0] != ours[$0] }.sorted()
        let shown = keys.prefix(8).map { key in
            "\(excerpt(key, limit: 40)) \(file[key].map { excerpt($0) } ?? "unset") (here \(ours[key] ?? "unset"))"
        }
        return (shown + (keys.count > 8 ? ["… (\(keys.count - 8) more)"] : [])).joined(separator: ", ")
    }
}

extension SavedModel {
    /// Fills `tensors` (and `optional`, tensors a file may leave out, which then keep their
    /// values) from the file `--checkpoint NAME=FILE` gives for this model, or from its checkpoint
    /// in `--checkpoints-dir`; or, when neither is there (or with `retrain`), with the tensors of a
    /// run of `train` made here without its log. A model given with `--checkpoint` is never
    /// trained in its place: a file that cannot be loaded fails the chapter. Prints which, naming
    /// the model `label`; the line counts as printed from `sourceFile`, `sourceLine` (the chapter's
    /// call). `usesGivenFile: false` ignores `--checkpoint` (for a second model of the same name).
    public func loadOrTrain(
        into tensors: [(name: String, tensor: Tensor)], optional: [(name: String, tensor: Tensor)] = [],
        _ options: ChapterOptions, _ output: Output, label: String, retrain: Bool, usesGivenFile: Bool = true,
        sourceFile: String = #fileID, sourceLine: Int = #line,
        train: (ChapterOptions, Output) throws -> [(name: String, tensor: Tensor)]
    ) throws {
        let given = usesGivenFile ? options.checkpointFiles[self] : nil
        let source: Source = if let given {
            .loaded(notes: try load(into: tensors, optional: optional, given: given, options))
        } else if retrain {
            .trained(reason: "--retrain")
        } else {
            try loadFromFolder(into: tensors, optional: optional, options)
        }
        switch source {
        case .trained(let reason):
            output.line("\(label): training it here (\(reason))", sourceFile: sourceFile, sourceLine: sourceLine)
            let trained = try train(options.silenced, Output(options: options.silenced))
            for (target, value) in zip(tensors + optional, trained) { target.tensor.assign(value.tensor) }
        case .loaded(let notes):
            output.line("\(label): loaded \(shownPath(given ?? path(options)))"
                        + (notes.isEmpty ? "" : " (\(notes.joined(separator: "; ")))"),
                        sourceFile: sourceFile, sourceLine: sourceLine)
        }
    }
}

extension DRNN {
    /// The tensors of its checkpoint, named as the notebook's PyTorch `DRNN` names them: its
    /// `state_dict` (``namedParameters``: the last layer's `W_xh`, `W_hh`, `b_h`, then `W_hq`, `b_q`;
    /// every layer's `W_xh_l0`, … in the corrected model), then ``unregisteredTensors``, which
    /// `scripts/load_in_pytorch.py` sets by hand.
    public var checkpointTensors: [(name: String, tensor: Tensor)] { namedParameters + unregisteredTensors }

    /// The layers the notebook's model never registers, under their ``allTensors`` names `l0.W_xh`,
    /// `l0.W_hh`, `l0.b_h`: not in its PyTorch `state_dict`, never trained (none in the corrected model).
    public var unregisteredTensors: [(name: String, tensor: Tensor)] {
        let registered = namedParameters
        return allTensors.filter { entry in !registered.contains { $0.tensor === entry.tensor } }
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
