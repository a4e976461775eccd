// Figures as gnuplot scripts that look like matplotlib's defaults, and their PNG and SVG images.
//
// A figure is written as one self-contained script, `plots/<name>.gp`, with its data inline, so a
// learner can read it, change it and run it again. When gnuplot is installed, the same script is
// rendered twice, to `<name>.png` and to `<name>.svg`.

import AtomicFiles
import Foundation

/// A line plot in the manner of `plt.plot`: lines in matplotlib's colours, axes and margins as
/// matplotlib draws them, an optional title and axis labels, and a logarithmic y axis for losses.
public struct Figure: Sendable {
    /// The file base name, for example `"DEEPRNN_fig3"`.
    public let name: String
    /// The title above the plot; `nil` draws none (as in the notebooks).
    public var title: String?
    /// The label under the x axis; `nil` draws none.
    public var xLabel: String?
    /// The label left of the y axis; `nil` draws none.
    public var yLabel: String?
    /// A logarithmic y axis, for loss curves. Values that are not positive are left out.
    public var logScaleY: Bool
    /// Where the key goes, as gnuplot's `set key` takes it: `"top right"` (matplotlib's usual
    /// place), `"bottom left"`, or `"at graph 0.98, graph 0.8 right top"` for a free spot.
    public var keyPosition = "top right"
    /// The step between the x axis's ticks, for whole positions (`2`: ticks at 2, 4, 6, …); `nil`
    /// chooses one as matplotlib does, which may fall between whole numbers (2.5, 7.5).
    public var xTicStep: Int?

    /// What is drawn, in the order it was added.
    var items: [Item] = []
    /// The next colour of the cycle.
    var cycleIndex = 0
    /// For a diagram: gnuplot commands that draw it, in place of axes and data (``Sketch``).
    public var drawing: [String]?

    enum Item: Sendable {
        case line(x: [Float], y: [Float], color: String, label: String?)
        case horizontal(y: Double, color: String, label: String?)
    }

    /// matplotlib's default colour cycle, `tab10`: C0, C1, …, C9.
    public static let colorCycle = [
        "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
        "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    ]

    public init(name: String, title: String? = nil, xLabel: String? = nil, yLabel: String? = nil, logScaleY: Bool = false) {
        self.name = name
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.logScaleY = logScaleY
    }

    /// Adds a line. Colors: matplotlib's cycle, first line C0 "#1f77b4", second C1 "#ff7f0e", ...;
    /// pass `color: "#ff0000"` for the notebooks' red predictions.
    ///
    /// As in matplotlib, a line given its own colour takes none from the cycle. Points whose `x` or
    /// `y` is not finite are left out (the line breaks there); when `x` and `y` differ in length,
    /// the longer one's extra values are ignored.
    public mutating func addLine(x: [Float], y: [Float], color: String? = nil, label: String? = nil) {
        let chosen: String
        if let color {
            chosen = color
        } else {
            chosen = Figure.colorCycle[cycleIndex % Figure.colorCycle.count]
            cycleIndex += 1
        }
        items.append(.line(x: x, y: y, color: chosen, label: label))
    }

    /// Adds a line at x = 0, 1, 2, …, like `plt.plot(y)`.
    public mutating func addLine(y: [Float], color: String? = nil, label: String? = nil) {
        addLine(x: (0..<y.count).map { Float($0) }, y: y, color: color, label: label)
    }

    /// Adds a dashed horizontal reference line across the plot (for an optimum, a base rate), with an optional key label.
    ///
    /// Like matplotlib's `axhline(y, ls="--")`: it spans the whole width and the y axis is stretched
    /// to show it. A line that cannot be drawn (not finite, or not positive on a log axis) is left out.
    public mutating func addHorizontalLine(y: Double, color: String = "#7f7f7f", label: String? = nil) {
        items.append(.horizontal(y: y, color: color, label: label))
    }

    /// The complete script text, for a script written into `folder`. Deterministic: the same figure
    /// and folder give byte-identical text.
    public func script(folder: String = ".") -> String {
        var lines = header(folder: folder)
        if let drawing {
            lines += diagramSetup() + drawing
            lines.append("plot -1 with lines lt nodraw notitle")
        } else {
            lines += axesSetup() + plotCommands()
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// Writes `<directory>/<name>.gp` and, when `render` and gnuplot is available, `<name>.png` and `<name>.svg` beside it.
    /// Returns what happened so the caller can print one hint line when gnuplot is missing.
    @discardableResult
    public func write(to directory: String, render: Bool) throws -> FigureOutput {
        guard !name.isEmpty, !name.contains("/"), !name.contains(where: \.isNewline) else {
            throw WorkbookError("cannot write the figure \"\(name)\": its name must be a plain file name, without / or line breaks")
        }
        let base = directory.hasSuffix("/") ? directory + name : directory + "/" + name
        let scriptPath = base + ".gp"
        try AtomicFile.write(script(folder: directory), to: scriptPath)
        guard render, Gnuplot.isAvailable else {
            return FigureOutput(script: scriptPath, images: [], rendered: false)
        }
        let images = [base + ".png", base + ".svg"]
        // The two images at once, each by its own gnuplot, on the machine's two cores. When both
        // fail, the PNG's error is the one thrown, whichever gnuplot ended first.
        var failures = [(any Error)?](repeating: nil, count: images.count)
        failures.withUnsafeMutableBufferPointer { failures in
            nonisolated(unsafe) let failures = failures   // each render writes its own element only
            DispatchQueue.concurrentPerform(iterations: images.count) { i in
                do { try Gnuplot.render(script: scriptPath, to: images[i]) } catch { failures[i] = error }
            }
        }
        if let failure = failures.lazy.compactMap({ $0 }).first { throw failure }
        return FigureOutput(script: scriptPath, images: images, rendered: true)
    }
}

/// What ``Figure/write(to:render:)`` wrote: the script's path and, when rendered, the images' paths.
public struct FigureOutput: Equatable, Sendable {
    public let script: String
    public let images: [String]
    public let rendered: Bool

    public init(script: String, images: [String], rendered: Bool) {
        self.script = script
        self.images = images
        self.rendered = rendered
    }
}

// MARK: - The script

extension Figure {
    /// Comment, output file, terminal and font: PNG or SVG, chosen by the output file's extension,
    /// or the terminal named by `term` (`gnuplot -e "term='dumb'" X.gp` draws ASCII, on standard
    /// output unless `outfile` is given too).
    ///
    /// Both images are 640 × 480 pixels, matplotlib's 6.4 × 4.8 inches at 100 dpi. pngcairo draws a
    /// 10-point font at that scale; the SVG terminal counts font sizes in pixels, so its fonts are
    /// scaled by 1.39 (10 points at 100 dpi). gnuplot sizes the key from the unscaled font, so the
    /// SVG's key is widened by `svgtext`. Dash lengths are a quarter (pngcairo) or a half (SVG) of
    /// the line width: dash type 11 is matplotlib's `--` in both. Negative tick labels get a true
    /// minus sign in the images, as in matplotlib (a plain `-` in the terminal's text).
    ///
    /// The font is matplotlib's, DejaVu Sans. pngcairo reads `"name,size"` up to the first comma, so
    /// a PNG names one family: DejaVu Sans, or Helvetica on macOS and Arial on Windows, which have no
    /// DejaVu Sans (a family that is missing is replaced by whatever fontconfig finds). The SVG
    /// terminal reads the size after the last comma, and an SVG's text is drawn by the program that
    /// shows it, so the SVG lists the families for that program to choose from.
    func header(folder: String) -> [String] {
        let name = name.replacingOccurrences(of: "\n", with: " ")
        let folder = folder.replacingOccurrences(of: "\n", with: " ")
        let base = folder == "." ? name : (folder.hasSuffix("/") ? folder : folder + "/") + name
        return [
            "# \(name): generated by the RNN workbook; render it from the folder it was written from with: gnuplot \(base).gp",
            "# (from another folder, give its path: the image goes beside it) and the SVG with: gnuplot -e \"outfile='\(base).svg'\" \(base).gp",
            "# In a terminal: gnuplot -e \"term='dumb'\" \(base).gp draws it in text, term='sixelgd' in sixel graphics.",
            "",
            "# term: another gnuplot terminal, which draws on standard output unless outfile is given too.",
            "if (!exists(\"term\")) term = \"\"",
            "outfileGiven = exists(\"outfile\")",
            "if (!outfileGiven) outfile = \(gnuplotString(base + ".png"))",
            "if (!outfileGiven && term ne \"\") outfile = \"\"",
            "# ARG0 is the path gnuplot was given for this script: the image goes beside the script, wherever gnuplot runs.",
            "if (!outfileGiven && term eq \"\" && strlen(ARG0) > 3) outfile = ARG0[1:strlen(ARG0)-2] . \"png\"",
            "if (term eq \"\") term = strlen(outfile) >= 4 && outfile[strlen(outfile)-3:] eq \".svg\" ? \"svg\" : \"pngcairo\"",
            "# family: the font of a PNG or sixel image (gnuplot -e \"family='Arial'\" for another).",
            "if (!exists(\"family\")) family = !exists(\"GPVAL_SYSNAME\") ? \"DejaVu Sans\" : strstrt(GPVAL_SYSNAME, \"Darwin\") ? \"Helvetica\" : strstrt(GPVAL_SYSNAME, \"Windows\") ? \"Arial\" : \"DejaVu Sans\"",
            "set encoding utf8",
            "if (term eq \"svg\") {",
            "    set terminal svg size 640,480 font \"DejaVu Sans,Helvetica,Arial,sans-serif,10\" fontscale 1.39 background \"#ffffff\"",
            "    set dashtype 11 (7.35,3.15)",
            "    set minussign",
            "    svgtext = 0.39",
            "} else {",
            "    if (term eq \"pngcairo\") {",
            "        set terminal pngcairo size 640,480 font family . \",10\"",
            "        set minussign",
            "    } else {",
            "        if (term eq \"sixelgd\") {",
            "            set terminal sixelgd size 640,480 truecolor font family . \",10\"",
            "            set minussign",
            "        } else {",
            "            set terminal @term",
            "        }",
            "    }",
            "    set dashtype 11 (14.7,6.3)",
            "    svgtext = 0",
            "}",
            "if (outfile eq \"\") { set output } else { set output outfile }",
            "",
        ]
    }

    /// Axes, margins, padding, labels and key, as matplotlib draws them by default.
    func axesSetup() -> [String] {
        var lines = [
            "set border 15 lw 1.1",
            "set tics out nomirror scale 0.7",
            "set xtics offset 0,0.4",
            "set ytics offset 0.7,0",
            "set lmargin at screen 0.125",
            "set rmargin at screen 0.9",
            "set bmargin at screen 0.11",
            "set tmargin at screen 0.88",
            "# 5% padding around the data, as matplotlib's axes.xmargin and ymargin",
            "set autoscale noextend",
            "set offsets graph .05, graph .05, graph .05, graph .05",
        ]
        if let title {
            lines.append("set title \(gnuplotString(title)) noenhanced font \",12\" offset 0,-0.9")
        }
        if let xLabel {
            lines.append("set xlabel \(gnuplotString(xLabel)) noenhanced offset 0,0.8")
        }
        if let yLabel {
            lines.append("set ylabel \(gnuplotString(yLabel)) noenhanced offset 1,0")
        }
        if let step = xTicStep.map(String.init) ?? Figure.tickStep(xValues) {
            lines.append("set xtics \(step)")
        }
        if logScaleY {
            lines.append("set logscale y")
            lines += logTics()
        } else if let step = Figure.tickStep(yValues) {
            lines.append("set ytics \(step)")
        }
        if !hasData {
            // Nothing to scale to: matplotlib's empty axes run from 0 to 1.
            lines.append("set xrange [0:1]")
            if usableHorizontals.isEmpty {
                lines.append(logScaleY ? "set yrange [1:10]" : "set yrange [0:1]")
            }
        }
        let labels = items.compactMap(\.label)
        if let longest = labels.map(\.count).max() {
            // matplotlib's legend: top right, inside, the line before its label, in a light grey box.
            let place = keyPosition.hasPrefix("at ") ? keyPosition : keyPosition + " inside"
            lines.append("set key \(place) opaque reverse Left samplen 2 spacing 1.1 + svgtext width 1 + svgtext * \(longest) height 0.5 box lc rgb \"#cccccc\" lw 1")
        } else {
            lines.append("unset key")
        }
        return lines
    }

    /// The data blocks, the reference lines and the `plot` command.
    func plotCommands() -> [String] {
        var blocks: [String] = []
        var arrows: [String] = []
        var plots: [String] = []
        var series = 0
        for item in items {
            switch item {
            case let .line(x, y, color, label):
                series += 1
                blocks.append("$D\(series) << EOD")
                for (x, y) in zip(x, y) {
                    blocks.append(number(x) + " " + number(y))
                }
                blocks.append("EOD")
                plots.append("$D\(series) using 1:2 with lines lw 2.1 lc rgb \(gnuplotString(color)) \(keyTitle(label))")
            case let .horizontal(y, color, label):
                guard y.isFinite, !logScaleY || y > 0 else { continue }
                let level = "\(y)"
                arrows.append("set arrow from graph 0, first \(level) to graph 1, first \(level) nohead \(Figure.dashed) lw 2.1 lc rgb \(gnuplotString(color)) back")
                // Invisible, so that the axis range includes the line, as matplotlib's axhline does.
                plots.append("\(level) with lines lt nodraw notitle")
                if label != nil {
                    plots.append("keyentry with lines \(Figure.dashed) lw 2.1 lc rgb \(gnuplotString(color)) \(keyTitle(label))")
                }
            }
        }
        if plots.isEmpty {
            plots.append("-1 with lines lt nodraw notitle")
        }
        var lines = blocks
        if !blocks.isEmpty { lines.append("") }
        lines += arrows
        lines.append("plot " + plots.joined(separator: ", \\\n     "))
        return lines
    }

    /// matplotlib's `--`: dashes of 3.7 and gaps of 1.6 line widths, set up by ``header()`` as
    /// dash type 11 (the two terminals scale dash lengths differently).
    static let dashed = "dt 11"

    /// For the diagram: no axes, a fixed 16 × 12 drawing area under the title.
    func diagramSetup() -> [String] {
        var lines = [
            "unset border",
            "unset tics",
            "unset key",
            "set lmargin at screen 0.02",
            "set rmargin at screen 0.98",
            "set bmargin at screen 0.02",
            "set tmargin at screen 0.9",
            "set xrange [0:16]",
            "set yrange [0:12]",
        ]
        if let title {
            lines.append("set title \(gnuplotString(title)) noenhanced font \",12\" offset 0,-0.9")
        }
        return lines
    }

    /// Whether some line has a point that can be drawn.
    var hasData: Bool { !xValues.isEmpty }

    /// The horizontal lines that can be drawn.
    var usableHorizontals: [Double] {
        items.compactMap { item in
            guard case let .horizontal(y, _, _) = item, y.isFinite, !logScaleY || y > 0 else { return nil }
            return y
        }
    }

    /// The x values of the points that can be drawn.
    var xValues: [Double] {
        items.flatMap { item -> [Double] in
            guard case let .line(x, y, _, _) = item else { return [] }
            return zip(x, y).filter { $0.isFinite && $1.isFinite && (!logScaleY || $1 > 0) }.map { Double($0.0) }
        }
    }

    /// The y values of the points and reference lines that can be drawn.
    var yValues: [Double] {
        usableHorizontals + items.flatMap { item -> [Double] in
            guard case let .line(x, y, _, _) = item else { return [] }
            return zip(x, y).filter { $0.isFinite && $1.isFinite && (!logScaleY || $1 > 0) }.map { Double($0.1) }
        }
    }

    /// The distance between ticks on a linear axis that shows `values` with 5% padding, as
    /// matplotlib's `AutoLocator` chooses it: at most 9 intervals, in steps of 1, 2, 2.5, 5 × 10ⁿ.
    /// `nil` when the values span no range (gnuplot then widens it itself).
    static func tickStep(_ values: [Double]) -> String? {
        guard let low = values.min(), let high = values.max(), high > low else { return nil }
        let bins = 9.0
        let bottom = low - 0.05 * (high - low), top = high + 0.05 * (high - low)
        let exponent = Int(log10((top - bottom) / bins).rounded(.down))
        let mantissas = [0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20]
        let raw = (top - bottom) / bins
        let scale = pow(10, Double(exponent))
        guard var index = mantissas.firstIndex(where: { $0 * scale >= raw * (1 - 1e-9) }) else { return nil }
        // The smallest step above the raw one, or a smaller one if it would show fewer than two ticks.
        while index > 0 {
            let step = mantissas[index] * scale
            let shown = (top / step + 1e-9).rounded(.down) - (bottom / step - 1e-9).rounded(.up) + 1
            if shown >= 2 { break }
            index -= 1
        }
        return String(format: "%.6g", mantissas[index] * scale)
    }

    /// Tick labels for a logarithmic y axis: powers of ten, `10^{n}`, when the range holds at least
    /// two of them. Otherwise gnuplot would label one tick or none, so the ticks are listed: at
    /// 1, 2, 5 × 10ⁿ, or 1 … 9 × 10ⁿ, or (for a range narrower than that) at round steps.
    func logTics() -> [String] {
        let values = yValues
        guard let low = values.min(), let high = values.max() else {
            return ["set format y \"10^{%T}\""]
        }
        // The range gnuplot shows: the data and 5% on either side, in decades.
        let pad = (log10(high) - log10(low)) * 0.05
        var bottom = log10(low) - pad, top = log10(high) + pad
        if top - bottom < 1e-9 { bottom -= 0.01; top += 0.01 }
        let lowest = pow(10, bottom) * (1 - 1e-9), highest = pow(10, top) * (1 + 1e-9)
        let decades = Int(bottom.rounded(.down))...Int(top.rounded(.up))
        func tics(_ mantissas: [Double]) -> [String] {
            decades.flatMap { k in mantissas.map { $0 * pow(10, Double(k)) } }
                .filter { lowest <= $0 && $0 <= highest }
                .map { String(format: "%g", $0) }
        }
        if tics([1]).count >= 2 {
            return ["set format y \"10^{%T}\""]
        }
        var chosen = tics([1, 2, 5])
        if chosen.count < 3 { chosen = tics([1, 2, 3, 4, 5, 6, 7, 8, 9]) }
        if chosen.count < 3 {
            let step = Figure.niceStep((highest - lowest) / 5)
            var decimals = 0
            while decimals < 12, abs(step * pow(10, Double(decimals)) - (step * pow(10, Double(decimals))).rounded()) > 1e-6 {
                decimals += 1
            }
            chosen = []
            var k = (lowest / step).rounded(.up)
            while k * step <= highest, chosen.count < 20 {
                chosen.append(String(format: "%.\(decimals)f", k * step))
                k += 1
            }
        }
        return ["set format y \"%g\"", "set ytics (\(chosen.joined(separator: ", ")))"]
    }

    /// The smallest of 1, 2, 2.5, 5 × 10ⁿ at least `raw`, like matplotlib's tick steps.
    static func niceStep(_ raw: Double) -> Double {
        let magnitude = pow(10, log10(raw).rounded(.down))
        for factor in [1, 2, 2.5, 5] where factor * magnitude >= raw * (1 - 1e-9) {
            return factor * magnitude
        }
        return 10 * magnitude
    }

    /// A value for the data block; `NaN` for anything not finite, which gnuplot skips.
    func number(_ value: Float) -> String {
        value.isFinite ? value.description : "NaN"
    }

    func keyTitle(_ label: String?) -> String {
        guard let label else { return "notitle" }
        return "title \(gnuplotString(label)) noenhanced"
    }
}

extension Figure.Item {
    var label: String? {
        switch self {
        case let .line(_, _, _, label): label
        case let .horizontal(_, _, label): label
        }
    }
}

/// `text` as a gnuplot double-quoted string: backslashes and quotes escaped, a line break as `\n`.
func gnuplotString(_ text: String) -> String {
    var result = "\""
    for character in text {
        switch character {
        case "\\": result += "\\\\"
        case "\"": result += "\\\""
        case "\n", "\r\n": result += "\\n"
        default:
            if character.isNewline || character.asciiValue.map({ $0 < 32 || $0 == 127 }) == true {
                result += " "
            } else {
                result.append(character)
            }
        }
    }
    return result + "\""
}
