// Drawing a chapter's figures: the gnuplot script, its images, and one line naming it.

import Figures
import Foundation
import Workbook

extension Output {
    /// Writes a figure's gnuplot script to `--plots-dir` and renders it unless `--no-render`;
    /// prints the figure's name and caption. Without gnuplot, one hint goes to standard error.
    ///
    /// The files are written at once, also by a section on the second core (``sections(_:_:_:)``):
    /// it renders while the chapter's own section trains. Only the line, and an error, wait.
    public func draw(_ figure: Figure, caption: String, sourceFile: String = #fileID,
                     sourceLine: Int = #line) throws {
        let written = Result { try figure.write(to: options.plotsDirectory, render: !options.noRender) }
        try act { output in
            let options = output.options
            let result = try written.get()
            output.line("[\(figure.name)] \(caption)", sourceFile: sourceFile, sourceLine: sourceLine)
            if !options.noRender && !result.rendered && !output.hintShown {
                output.hintShown = true
                FileHandle.standardError.write(
                    Data((Gnuplot.installHint(directory: options.plotsDirectory) + "\n").utf8))
            }
            output.figures.append((figure.name, caption))
            output.record("figures", value: .array(output.figures.map {
                .object([("name", .string($0.0)), ("caption", .string($0.1))])
            }))
        }
    }

    /// Saves a trained model's `tensors` as `model`'s checkpoint, atomically, and records the file
    /// and its tensors in `--json` under `checkpoints` (what CI compares with the values
    /// `safetensors.numpy.load_file` reads from the file: scripts/check_safetensors.py).
    public func save(_ model: SavedModel, _ tensors: [(name: String, tensor: Tensor)]) throws {
        try act { try model.save(tensors, $0.options) }
        record("checkpoints", model.rawValue, value: .object([
            ("path", .string(model.path(options))),
            ("tensors", .object(tensors.map { ($0.name, .tensor($0.tensor)) })),
        ]))
    }
}
