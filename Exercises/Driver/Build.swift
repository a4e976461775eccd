// Building the exercises' checks: `swift build` in a folder of its own, the compiler's messages
// sorted by exercise, and a build that leaves out the exercises that do not compile.

import Foundation

/// A compiler message, with the source excerpt it prints under it.
struct Diagnostic: Equatable {
    /// The file (relative to the package's folder), the message's first line, and all its lines.
    let file: String, headline: String, lines: [String]
    var isError: Bool { headline.contains(": error: ") }
}

/// What one `swift build` did.
struct BuildOutcome {
    let succeeded: Bool
    /// Its errors and warnings, one each (the compiler may print one twice), in order.
    let diagnostics: [Diagnostic]
    /// Everything it printed.
    let output: String
}

/// Runs `swift build` for the exercises, in `scratch`, taking their sources from `folder`.
struct Builder {
    let root: URL, folder: String, scratch: String

    /// `swift build` of every check (or of one product), leaving out the exercises in `skipping`.
    func build(product: String? = nil, skipping: Set<Int> = []) -> BuildOutcome {
        var arguments = ["swift", "build", "--scratch-path", scratch]
        if let product { arguments += ["--product", product] }
        var environment = ProcessInfo.processInfo.environment
        environment["WORKBOOK_EXERCISES"] = folder
        if skipping.isEmpty { environment["WORKBOOK_EXERCISES_SKIP"] = nil } else {
            environment["WORKBOOK_EXERCISES_SKIP"] = skipping.sorted().map { String(format: "%02d", $0) }.joined(separator: ",")
        }
        let (status, output) = run(arguments, environment: environment, in: root)
        return BuildOutcome(succeeded: status == 0, diagnostics: diagnostics(in: output), output: output)
    }

    /// The compiler's messages in `output`: a line `/path/file.swift:12:5: error: …` and the excerpt
    /// lines under it (`12 | …`, `   | …`); paths made relative to the package's folder.
    func diagnostics(in output: String) -> [Diagnostic] {
        var found: [Diagnostic] = []
        var current: (file: String, headline: String, lines: [String])?
        func flush() {
            if let c = current, !found.contains(where: { $0.headline == c.headline }) {
                found.append(Diagnostic(file: c.file, headline: c.headline, lines: c.lines))
            }
            current = nil
        }
        let prefix = root.standardizedFileURL.path + "/"
        let header = try! NSRegularExpression(pattern: #"^(/[^:]+\.swift):\d+:\d+: (error|warning): "#)
        for raw in output.split(separator: "\n", omittingEmptySubsequences: false) {
            let line = String(raw)
            if let match = header.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
               let pathRange = Range(match.range(at: 1), in: line) {
                flush()
                let path = String(line[pathRange])
                let relative = path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
                let headline = relative + line[pathRange.upperBound...]
                current = (relative, headline, [headline])
            } else if current != nil, line.range(of: #"^\s*\d*\s*\|"#, options: .regularExpression) != nil {
                current?.lines.append(line)
            } else {
                flush()
            }
        }
        flush()
        return found
    }
}

/// Runs a program found on the PATH (`arguments[0]`) in `folder`; returns its status and what it
/// printed on standard output and standard error together.
func run(_ arguments: [String], environment: [String: String], in folder: URL) -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.environment = environment
    process.currentDirectoryURL = folder
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    do { try process.run() } catch { return (127, "cannot run \(arguments[0]): \(error)") }
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
