// Drawing a chapter's figures: the gnuplot script, its images, and one line naming it.

import AtomicFiles
import Figures
import Foundation
import StandardStreams
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
                StandardError.write(Gnuplot.installHint(directory: options.plotsDirectory) + "\n")
            }
            output.figures.append((figure.name, caption))
            output.scripts.append((result.script, figure.name, caption))
            output.record("figures", value: .array(output.figures.map {
                .object([("name", .string($0.0)), ("caption", .string($0.1))])
            }))
        }
    }

    /// With `--plots-in-terminal`: draws every figure of the run on standard output, after its
    /// text, each under its name and caption — in text (gnuplot's `dumb` terminal, as wide as the
    /// terminal, 80 × 25 when standard output is not one) or as sixel images (`sixelgd`, 640 × 480).
    /// Without gnuplot, one line on standard error says so, and the run ends as it would.
    public func drawFiguresInTerminal() throws {
        guard let graphics = options.plotsInTerminal, !scripts.isEmpty else { return }
        guard Gnuplot.isAvailable else {
            if !hintShown {
                hintShown = true
                StandardError.write("gnuplot is not installed: --plots-in-terminal "
                    + "draws nothing; install it (sudo apt-get install gnuplot-nox, or brew install "
                    + "gnuplot) to see the figures\n")
            }
            return
        }
        let terminal: String
        switch graphics {
        case .ascii:
            // As wide as the terminal, and as high as a 4:3 figure drawn in characters about
            // twice as high as wide, within the screen: 80 × 25 on an 80-column one.
            let size = Terminal.size(STDOUT_FILENO) ?? (80, 26)
            let columns = Swift.min(Swift.max(size.columns, 40), 300)
            terminal = "dumb nofeed size \(columns),\(Swift.max(Swift.min(columns * 5 / 16, size.rows - 1), 12))"
        case .sixel:
            terminal = "sixelgd"
        }
        for (script, name, caption) in scripts {
            let drawing = try Gnuplot.draw(script: script, terminal: terminal)
            write("\n[\(name)] \(caption)\n")
            switch graphics {
            case .ascii:
                // Without the blank lines around it, the spaces that end its lines, and the form
                // feed that gnuplot's dumb terminal starts a page with.
                var lines = String(decoding: drawing, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
                    .map { String($0.reversed().drop { $0 == " " || $0 == "\u{0C}" }.reversed()) }
                while lines.first?.isEmpty == true { lines.removeFirst() }
                while lines.last?.isEmpty == true { lines.removeLast() }
                write(lines.joined(separator: "\n") + "\n")
            case .sixel:
                write(String(decoding: drawing, as: UTF8.self) + "\n")
            }
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
