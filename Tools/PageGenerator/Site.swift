// The whole of docs/: every chapter's page and the index, made from the chapters' sources and from
// what the built chapter programs print and draw; and the checks that keep docs/ and plots/ fresh.

import Foundation

/// A generated file: its path from the package root and its contents.
public struct GeneratedFile: Equatable, Sendable {
    public let path: String
    public let contents: Data
}

/// Runs the chapters and builds the pages.
public struct Site {
    public let root: URL
    /// The folder of the built chapter programs.
    public let products: URL

    public init(root: URL, products: URL) { (self.root, self.products) = (root, products) }

    /// The chapter folders, in order: `Chapters/Chapter00-Data`, ….
    public func chapterNames() throws -> [String] {
        let folder = root.appendingPathComponent("Chapters")
        let names = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasPrefix("Chapter") }.sorted()
        guard !names.isEmpty else { throw PageError("no chapters in Chapters/") }
        return names
    }

    /// Runs every chapter (faithful, then corrected) in a scratch folder, and returns the pages, the
    /// index and every figure file the runs wrote (`plots/…` and `plots/corrected/…`).
    public func generate(log: (String) -> Void) throws -> [GeneratedFile] {
        let names = try chapterNames()
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rnn-workbook-pages-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: scratch) }
        let faithfulFolder = scratch.appendingPathComponent("faithful"), correctedFolder = scratch.appendingPathComponent("corrected")
        for folder in [faithfulFolder, correctedFolder] {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        }
        var sources: [ChapterSource] = [], outputs: [ChapterOutput] = [], corrected: [ChapterOutput?] = []
        var records: [Records] = []
        for name in names {
            log("running \(name)")
            sources.append(try ChapterSource(parsing: try source(of: name)))
            let faithful = try runTracingSources(name, in: faithfulFolder)
            outputs.append(ChapterOutput(faithful.text, sources: faithful.sources))
            // A chapter that runs the notebooks' code and its corrections side by side says so in a comment.
            if sources[sources.count - 1].hasCorrectedRun {
                // A chapter that draws no figure takes no --plots-dir.
                let plots = outputs[outputs.count - 1].figures.isEmpty ? [] : ["--plots-dir", "plots/corrected"]
                let run = try runTracingSources(name, ["--corrected"] + plots, in: correctedFolder)
                corrected.append(ChapterOutput(run.text))
                records.append(Records(faithful: faithful.records, corrected: run.records))
            } else {
                corrected.append(nil)
                records.append(Records(faithful: faithful.records, corrected: nil))
            }
        }
        // Prose may quote another chapter's run ({{Chapter07: …}}) and the PyTorch scripts' recorded output.
        var chapterRecords: [String: Any] = [:]
        for (name, record) in zip(names, records) {
            chapterRecords[String(name.prefix(9))] = record.faithful
            chapterRecords[String(name.prefix(9)) + "/corrected"] = record.corrected
        }
        var scriptRecords: [String: Any] = [:]
        let recorded = root.appendingPathComponent("scripts/recorded")
        for file in ((try? FileManager.default.contentsOfDirectory(atPath: recorded.path)) ?? []).sorted() where file.hasSuffix(".json") {
            guard let data = FileManager.default.contents(atPath: recorded.appendingPathComponent(file).path),
                  let object = try? JSONSerialization.jsonObject(with: data) else {
                throw PageError("scripts/recorded/\(file) is not JSON: run its script again with --record")
            }
            scriptRecords[String(file.dropLast(5))] = object
        }
        records = records.map { Records(faithful: $0.faithful, corrected: $0.corrected, chapters: chapterRecords, scripts: scriptRecords) }
        let quoter = Quoter(root: root)
        let faithfulFigures = try figures(in: faithfulFolder.appendingPathComponent("plots"), as: "plots")
        let correctedFigures = try figures(in: correctedFolder.appendingPathComponent("plots/corrected"), as: "plots/corrected")
        // A figure both runs draw from the same data: its scripts differ only in their own path.
        var scripts: [String: Data] = [:]
        for file in faithfulFigures where file.path.hasSuffix(".gp") { scripts[file.path] = file.contents }
        let unchanged = Set(correctedFigures.filter { file in
            file.path.hasSuffix(".gp") && scripts[file.path.replacingOccurrences(of: "plots/corrected/", with: "plots/")]
                == Data(String(decoding: file.contents, as: UTF8.self).replacingOccurrences(of: "plots/corrected/", with: "plots/").utf8)
        }.map { String($0.path.dropFirst("plots/corrected/".count).dropLast(3)) })
        var files: [GeneratedFile] = []
        let exercises = try exerciseHeaders(in: root)
        for (i, name) in names.enumerated() {
            let link = { (j: Int) in ChapterLink(name: names[j], title: sources[j].title) }
            var builder = PageBuilder(name: name, source: sources[i], output: outputs[i], corrected: corrected[i],
                                      previous: i > 0 ? link(i - 1) : nil, next: i + 1 < names.count ? link(i + 1) : nil,
                                      quoter: quoter, unchangedFigures: unchanged, records: records[i])
            builder.exercises = exercises.filter { $0.chapter == name }
            let page = try builder.markdown()
            // An exercise's page link must name a heading of its chapter's page as generated now.
            let anchors = headingAnchors(in: page)
            for e in builder.exercises where !anchors.contains(e.anchor) {
                throw PageError("Exercises/\(e.file) links docs/\(e.page)#\(e.anchor), which is not a heading of that page")
            }
            files.append(GeneratedFile(path: "docs/\(name).md", contents: Data(page.utf8)))
        }
        if let stray = exercises.first(where: { !names.contains($0.chapter) }) {
            throw PageError("Exercises/\(stray.file) links docs/\(stray.page), which is not a chapter's page")
        }
        files.append(GeneratedFile(path: "docs/Exercises.md",
                                   contents: Data(exercisesPage(exercises, chapters: zip(names, sources.map(\.title)).map { ($0, $1) }).utf8)))
        files.append(GeneratedFile(path: "docs/README.md", contents: Data(index(names, sources).utf8)))
        files += faithfulFigures + correctedFigures
        return files
    }

    func source(of name: String) throws -> String {
        let folder = root.appendingPathComponent("Chapters/\(name)")
        // The literate source is `ChapterNN.swift`; other files beside it (a figure's drawing code)
        // are quoted where the chapter says so (`@Code`).
        let file = String(name.prefix(9)) + ".swift"
        guard FileManager.default.fileExists(atPath: folder.appendingPathComponent(file).path) else {
            throw PageError("Chapters/\(name) must hold \(file), the chapter's literate source")
        }
        return try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)
    }

    /// Runs a chapter with its default settings, and asks it which source line printed each line.
    func runTracingSources(_ name: String, _ arguments: [String] = [], in folder: URL) throws -> (text: String, sources: [String]?, records: Any?) {
        let map = folder.appendingPathComponent(".\(name).sources"), records = folder.appendingPathComponent(".\(name).json")
        defer { for file in [map, records] { try? FileManager.default.removeItem(at: file) } }
        let text = try run(name, arguments, in: folder,
                           environment: ["WORKBOOK_OUTPUT_SOURCES": map.path, "WORKBOOK_OUTPUT_RECORDS": records.path])
        let sources = (try? String(contentsOf: map, encoding: .utf8)).map { $0.split(separator: "\n").map(String.init) }
        let recorded = (try? Data(contentsOf: records)).flatMap { try? JSONSerialization.jsonObject(with: $0) }
        return (text, sources, recorded)
    }

    /// Runs a built chapter program in `folder`; returns what it printed.
    func run(_ name: String, _ arguments: [String], in folder: URL, environment: [String: String] = [:]) throws -> String {
        let program = products.appendingPathComponent(name)
        guard FileManager.default.isExecutableFile(atPath: program.path) else {
            throw PageError("\(name) is not built: run `swift build` first")
        }
        let process = Process()
        process.executableURL = program
        process.arguments = arguments
        process.currentDirectoryURL = folder
        if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let text = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw PageError("\(name) \(arguments.joined(separator: " ")) failed with status \(process.terminationStatus): \(errors)")
        }
        return text
    }

    func figures(in folder: URL, as prefix: String) throws -> [GeneratedFile] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        return try names.sorted().filter { [".gp", ".png", ".svg"].contains(where: $0.hasSuffix) }.map {
            GeneratedFile(path: "\(prefix)/\($0)", contents: try Data(contentsOf: folder.appendingPathComponent($0)))
        }
    }

    /// `docs/README.md`: one line per chapter.
    func index(_ names: [String], _ sources: [ChapterSource]) -> String {
        var page = [
            "<!-- Generated by `swift run Pages`: do not edit. -->",
            "",
            "# The RNN workbook, chapter by chapter",
            "",
            "Each page is one section of the two PyTorch notebooks, re-implemented in Swift: the prose, the code that",
            "implements the section (the chapter's own and the Workbook library's, quoted from the source files, beside",
            "the notebook's Python where it helps), what the code printed when it ran with seed 0, and its figures.",
            "Every page and figure is generated by running the chapters (`swift build && swift run Pages`); CI fails",
            "when one is out of date.",
            "",
        ]
        for (name, source) in zip(names, sources) {
            page.append("- [\(source.title)](\(name).md): \(source.abstract)")
        }
        page += ["", "## Reading the Swift, coming from Python", "",
                 "Each page puts a notebook cell beside its Swift. What looks different is mostly this:", "",
                 "| Python (the notebooks) | Swift (the workbook) |",
                 "| --- | --- |",
                 "| an argument the function changes (the generator it draws from) | an `inout` parameter, passed with `&`: `NoisyLine(count: 200, using: &generator)` |",
                 "| `lambda x: x * 2`, `map(f, xs)` | a closure, `$0` its first argument: `xs.map { $0 * 2 }` |",
                 "| `None`, `if p.grad is not None` | an optional: `Tensor?`, `nil`, `p.grad?.norm ?? 0` (`??` gives the value when there is none) |",
                 "| `forward(self, X)`, called as `model(X)` | `callAsFunction(_:)`, called as `model(x)` |",
                 "| slices `data[i:i+n]`, `X[:, 0:3]`, `range(3)` | ranges: `data[i..<(i + n)]`, `x.narrowed(along: 1, to: 0..<3)`, `0..<3` |",
                 "| `for i, x in enumerate(xs)` | `for (i, x) in xs.enumerated()` |",
                 "| `h_size`, `batch_size`, `lr` | `hiddenSize`, `batchSize`, `learningRate`: the [glossary](../README.md#glossary-notebook-names-and-swift-names) has them all |",
                 "",
                 "## Further reading", "",
                 "- d2l.ai, the chapters these notebooks follow: [deep RNNs](https://d2l.ai/chapter_recurrent-modern/deep-rnn.html), "
                    + "[bidirectional RNNs](https://d2l.ai/chapter_recurrent-modern/bi-rnn.html), "
                    + "[backpropagation through time](https://d2l.ai/chapter_recurrent-neural-networks/bptt.html), "
                    + "[gradient clipping in an RNN from scratch](https://d2l.ai/chapter_recurrent-neural-networks/rnn-scratch.html), "
                    + "[Xavier initialisation](https://d2l.ai/chapter_multilayer-perceptrons/numerical-stability-and-init.html), "
                    + "[Adam](https://d2l.ai/chapter_optimization/adam.html).",
                 "- Xavier's initialisation (Chapters 05 and 07): X. Glorot and Y. Bengio, "
                    + "[Understanding the difficulty of training deep feedforward neural networks](https://proceedings.mlr.press/v9/glorot10a.html), AISTATS 2010.",
                 "- Adam (Chapters 05 and 07): D. P. Kingma and J. Ba, [Adam: A Method for Stochastic Optimization](https://arxiv.org/abs/1412.6980), ICLR 2015.",
                 "- Exploding gradients and clipping (Chapters 03 and 04): R. Pascanu, T. Mikolov and Y. Bengio, "
                    + "[On the difficulty of training recurrent neural networks](https://arxiv.org/abs/1211.5063), ICML 2013.",
                 "- The spectral radius as the growth of a matrix's powers (Chapter 03): Gelfand's formula, "
                    + "$`\\rho(W) = \\lim_k \\lVert W^k \\rVert^{1/k}`$ (I. Gelfand, Normierte Ringe, Mat. Sbornik 9, 1941; "
                    + "[spectral radius](https://en.wikipedia.org/wiki/Spectral_radius#Gelfand's_formula)).",
                 ""]
        page += ["And [the exercises](Exercises.md): ten of them, each a Swift file to write, graded by `swift run Exercises`.",
                 "", "Back to the [README](../README.md).", ""]
        return page.joined(separator: "\n")
    }

    /// The files of `docs/`, `plots/` and `plots/corrected/` that differ from `files` or that `files` no longer has.
    public func staleFiles(_ files: [GeneratedFile], includingImages: Bool) -> [String] {
        var stale: [String] = []
        let kept = files.filter { includingImages || !($0.path.hasSuffix(".png") || $0.path.hasSuffix(".svg")) }
        for file in kept {
            let current = try? Data(contentsOf: root.appendingPathComponent(file.path))
            if current != file.contents { stale.append(file.path) }
        }
        let expected = Set(files.map(\.path))
        for folder in ["docs", "plots", "plots/corrected"] {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(folder).path)) ?? []
            for name in names.sorted() where [".md", ".gp", ".png", ".svg"].contains(where: name.hasSuffix) {
                let path = "\(folder)/\(name)"
                if !expected.contains(path), folder != "docs" || name.hasSuffix(".md") { stale.append("\(path) (no longer generated)") }
            }
        }
        return stale
    }

    /// Writes `files`, and removes the pages and figures that are no longer generated.
    public func write(_ files: [GeneratedFile]) throws {
        let expected = Set(files.map(\.path))
        for folder in ["docs", "plots", "plots/corrected"] {
            let url = root.appendingPathComponent(folder)
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
            for name in try FileManager.default.contentsOfDirectory(atPath: url.path)
            where [".md", ".gp", ".png", ".svg"].contains(where: name.hasSuffix) && !expected.contains("\(folder)/\(name)") {
                try FileManager.default.removeItem(at: url.appendingPathComponent(name))
            }
        }
        for file in files {
            try file.contents.write(to: root.appendingPathComponent(file.path), options: .atomic)
        }
    }

    /// Every relative link and image of the pages in `docs/` whose target does not exist.
    public func brokenLinks() throws -> [String] {
        let docs = root.appendingPathComponent("docs")
        var broken: [String] = []
        for page in try FileManager.default.contentsOfDirectory(atPath: docs.path).sorted() where page.hasSuffix(".md") {
            let text = try String(contentsOf: docs.appendingPathComponent(page), encoding: .utf8)
            for target in links(in: text) {
                let path = String(target.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false)[0])
                if path.isEmpty { continue }
                if !FileManager.default.fileExists(atPath: docs.appendingPathComponent(path).standardizedFileURL.path) {
                    broken.append("docs/\(page) links \(target), which does not exist")
                }
            }
        }
        return broken
    }
}

/// The targets of the Markdown links and images `[text](target)` in `text`, outside code blocks,
/// that are not web addresses.
public func links(in text: String) -> [String] {
    var targets: [String] = [], inCode = false
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        if line.hasPrefix("```") { inCode.toggle(); continue }
        if inCode { continue }
        var rest = line[...]
        while let open = rest.range(of: "](") {
            let after = rest[open.upperBound...]
            guard let close = after.firstIndex(of: ")") else { break }
            let target = String(after[..<close])
            if !target.contains("://"), !target.hasPrefix("mailto:") { targets.append(target) }
            rest = after[after.index(after: close)...]
        }
    }
    return targets
}
