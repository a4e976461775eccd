// Finding gnuplot and rendering a figure's script to an image, whole or not at all.

import AtomicFiles
import Foundation

/// Finds and runs gnuplot.
public enum Gnuplot {
    /// The `gnuplot` executable found on PATH, looked up once.
    static let executable: String? = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = folder.hasSuffix("/") ? "\(folder)gnuplot" : "\(folder)/gnuplot"
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate, isDirectory: &isFolder), !isFolder.boolValue,
               FileManager.default.isExecutableFile(atPath: candidate) {
                return candidate
            }
        }
        return nil
    }()

    /// Whether a `gnuplot` executable is on PATH (search PATH yourself; cache the answer in a `static let`).
    public static var isAvailable: Bool { executable != nil }

    /// Runs gnuplot on a script, writing `outfile`; throws WorkbookError with gnuplot's stderr (first lines) when it fails,
    /// and never leaves an empty or partial image behind (render to a temporary name in the same folder, then rename).
    ///
    /// The script chooses its terminal from `outfile`'s extension (see ``Figure/script()``). gnuplot
    /// runs with `-d`, so a learner's `~/.gnuplot` cannot change the images.
    public static func render(script path: String, to outfile: String) throws {
        guard let executable else {
            throw WorkbookError("cannot render \(outfile): gnuplot is not installed; install it (sudo apt-get install gnuplot-nox, or brew install gnuplot)")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw WorkbookError("cannot render \(outfile): the script \(path) does not exist or cannot be read")
        }
        let target = URL(fileURLWithPath: outfile)
        let folder = target.deletingLastPathComponent()
        try AtomicFile.ensureFolder(folder.path)
        // Same folder, same extension (the script picks the terminal by it), a name no one else uses.
        let temporary = AtomicFile.temporaryFile(for: target, keepingExtension: true)
        defer { try? FileManager.default.removeItem(at: temporary) }
        try Interruption.removingOnInterrupt(temporary.path, slot: 1) {
            try run(executable, script: path, writing: temporary, outfile: outfile, target: target)
        }
    }

    private static func run(_ executable: String, script path: String, writing temporary: URL, outfile: String, target: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        let escaped = temporary.path.replacingOccurrences(of: "'", with: "''")
        process.arguments = ["-d", "-e", "outfile='\(escaped)'", path]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw WorkbookError("cannot run \(executable): \(error.localizedDescription)")
        }
        Interruption.setChild(process.processIdentifier)
        defer { Interruption.setChild(0) }
        let message = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()

        let size = (try? FileManager.default.attributesOfItem(atPath: temporary.path)[.size] as? Int) ?? 0
        guard process.terminationReason == .exit, process.terminationStatus == 0, size > 0 else {
            let said = summary(of: String(decoding: message, as: UTF8.self))
            throw WorkbookError("gnuplot could not render \(outfile) from \(path): \(said.isEmpty ? "it wrote no image" : said)")
        }
        if rename(temporary.path, target.path) != 0 {
            let reason = String(cString: strerror(errno))
            throw WorkbookError("cannot write \(outfile): \(reason); remove what is there or choose another folder")
        }
    }

    /// gnuplot's complaint on one line: the `"file" line N: …` line first, then the command it was
    /// reading; warnings only when there is nothing else.
    static func summary(of stderr: String) -> String {
        let lines = stderr.split(whereSeparator: \.isNewline)
            .map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.allSatisfy { $0 == "^" || $0 == " " } }
        let errors = lines.filter { !$0.hasPrefix("Warning") }
        let chosen = errors.isEmpty ? lines : errors
        let located = chosen.filter { $0.range(of: #"line \d+:"#, options: .regularExpression) != nil }
        let others = chosen.filter { !located.contains($0) }
        return Array((located + others).prefix(3)).joined(separator: " | ")
    }

    /// The line to print when gnuplot is missing, e.g. "gnuplot is not installed: the figure scripts are in plots/ ;
    /// install it (sudo apt-get install gnuplot-nox, or brew install gnuplot) to render them".
    public static func installHint(directory: String) -> String {
        let folder = directory.hasSuffix("/") ? directory : directory + "/"
        return "gnuplot is not installed: the figure scripts are in \(folder) ; install it (sudo apt-get install gnuplot-nox, or brew install gnuplot) to render them"
    }
}
