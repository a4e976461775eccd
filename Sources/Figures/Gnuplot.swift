// Finding gnuplot and rendering a figure's script to an image, whole or not at all.

import AtomicFiles
import Foundation

/// Finds and runs gnuplot.
public enum Gnuplot {
    /// The `gnuplot` executable found on PATH, looked up once; on macOS, then in Homebrew's and
    /// MacPorts' folders, which a program started from Xcode or the Finder does not have on its PATH.
    static let executable: String? = {
        var path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        #if os(macOS)
        path += ":/opt/homebrew/bin:/usr/local/bin:/opt/local/bin"
        #endif
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

    /// Whether a `gnuplot` executable was found (``executable``).
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
        try Interruption.removingOnInterrupt(temporary.path) { entry in
            // Removed while the handler still knows the path: a signal right after this call would
            // find a failed render's image no longer registered, and leave it.
            defer { try? FileManager.default.removeItem(at: temporary) }
            return try run(executable, script: path, writing: temporary, outfile: outfile, target: target, entry: entry)
        }
    }

    /// Draws a script with another of gnuplot's terminals, `terminal` as `set terminal` takes it
    /// (`"dumb nofeed size 80,25"` for text, `"sixelgd"` for sixel graphics), and returns what
    /// that terminal drew, for the chapter to print. The drawing passes through a temporary file
    /// beside the script, removed after (and on Ctrl-C).
    public static func draw(script path: String, terminal: String) throws -> Data {
        guard let executable else {
            throw WorkbookError("cannot draw \(path): gnuplot is not installed; install it (sudo apt-get install gnuplot-nox, or brew install gnuplot)")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw WorkbookError("cannot draw \(path): the script does not exist or cannot be read")
        }
        let script = URL(fileURLWithPath: path)
        let temporary = AtomicFile.temporaryFile(for: script.deletingPathExtension().appendingPathExtension("txt"),
                                                 keepingExtension: true)
        return try Interruption.removingOnInterrupt(temporary.path) { entry in
            defer { try? FileManager.default.removeItem(at: temporary) }
            let quoted = { (text: String) in "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }
            let (status, message) = try spawn(executable, ["-d", "-e", "term=\(quoted(terminal))",
                                                           "-e", "outfile=\(quoted(temporary.path))", path],
                                              entry: entry)
            let drawing = (try? Data(contentsOf: temporary)) ?? Data()
            guard status == 0, !drawing.isEmpty else {
                if status & 0x7F == SIGXFSZ {
                    throw WorkbookError("gnuplot could not draw \(path): the drawing reached the file size limit (ulimit -f); "
                                        + "raise the limit (ulimit -f unlimited) and run again")
                }
                let said = summary(of: String(decoding: message, as: UTF8.self))
                throw WorkbookError("gnuplot could not draw \(path) with the terminal \(terminal): \(said.isEmpty ? "it drew nothing" : said)")
            }
            return drawing
        }
    }

    private static func run(_ executable: String, script path: String, writing temporary: URL, outfile: String, target: URL,
                            entry: Interruption.Entry) throws {
        let escaped = temporary.path.replacingOccurrences(of: "'", with: "''")
        let (status, message) = try spawn(executable, ["-d", "-e", "outfile='\(escaped)'", path], entry: entry)
        let size = (try? FileManager.default.attributesOfItem(atPath: temporary.path)[.size] as? Int) ?? 0
        guard status == 0, size > 0 else {
            if status & 0x7F == SIGXFSZ {   // killed by the signal: its image outgrew `ulimit -f`
                throw WorkbookError("gnuplot could not render \(outfile): the image reached the file size limit (ulimit -f); "
                                    + "raise the limit (ulimit -f unlimited) and run again")
            }
            let said = summary(of: String(decoding: message, as: UTF8.self))
            throw WorkbookError("gnuplot could not render \(shownPath(outfile)) from \(shownPath(path)): \(said.isEmpty ? "it wrote no image" : said)")
        }
        if rename(temporary.path, target.path) != 0 {
            let reason = String(cString: strerror(errno))
            throw WorkbookError("cannot write \(outfile): \(reason); remove what is there or choose another folder")
        }
    }

    /// Runs `executable` with `arguments` (standard input and output on /dev/null) and returns its
    /// wait status (0 when it exited with 0) and what it wrote to standard error; `entry` is the file
    /// it renders into, whose gnuplot an interruption kills.
    ///
    /// `posix_spawn` and `waitpid` rather than Foundation's `Process`: on Linux its `waitUntilExit()`
    /// polls a run loop every 50 ms, which made each of a chapter's renders some 50 ms longer than
    /// gnuplot itself (0.3 s of Chapter05-Training's 1.7 s).
    private static func spawn(_ executable: String, _ arguments: [String],
                              entry: Interruption.Entry) throws -> (status: Int32, stderr: Data) {
        var pipeEnds: [Int32] = [0, 0]
        guard pipe(&pipeEnds) == 0 else {
            throw WorkbookError("cannot run \(executable): \(String(cString: strerror(errno)))")
        }
        // Neither end leaks into a process started later; the child's copy on fd 2 is made by dup2.
        for end in pipeEnds { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        defer { close(pipeEnds[0]) }

        #if canImport(Darwin)
        var actions: posix_spawn_file_actions_t?
        var attributes: posix_spawnattr_t?
        #else
        var actions = posix_spawn_file_actions_t()
        var attributes = posix_spawnattr_t()
        #endif
        posix_spawn_file_actions_init(&actions)
        posix_spawnattr_init(&attributes)
        defer {
            posix_spawn_file_actions_destroy(&actions)
            posix_spawnattr_destroy(&attributes)
        }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, pipeEnds[1], 2)
        // gnuplot starts with no signal blocked and the interruption signals (SIGPIPE among them) at
        // their defaults, but for those this program was started with ignored (SIGHUP under
        // `nohup`), which it inherits ignored.
        var none = sigset_t(), defaults = sigset_t()
        sigemptyset(&none)
        sigemptyset(&defaults)
        for number in Interruption.signals where !Interruption.ignoredAtStart.contains(number) {
            sigaddset(&defaults, number)
        }
        posix_spawnattr_setsigmask(&attributes, &none)
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        posix_spawnattr_setflags(&attributes, Int16(POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF))

        let argv: [UnsafeMutablePointer<CChar>?] = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        #if canImport(Darwin)
        let environment = _NSGetEnviron().pointee   // `environ`, as Darwin's libc gives it to Swift
        #else
        let environment = environ
        #endif
        var failed: Int32 = 0
        let started = Interruption.startingChild(in: entry) {
            var pid: pid_t = 0
            failed = posix_spawn(&pid, executable, &actions, &attributes, argv, environment)
            return failed == 0 ? pid : nil
        }
        close(pipeEnds[1])
        guard let pid = started else {
            throw WorkbookError("cannot run \(executable): \(String(cString: strerror(failed)))")
        }
        defer { Interruption.forgetChild(in: entry) }

        var message = Data()
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(pipeEnds[0], $0.baseAddress, $0.count) }
            if count > 0 { message.append(contentsOf: chunk[..<count]) }
            else if count == 0 || errno != EINTR { break }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        return (status, message)
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
        // Escaped and cut, each: gnuplot quotes the script's lines, and the path, as they are.
        return Array((located + others).prefix(3)).map { excerpt($0, limit: 200) }.joined(separator: " | ")
    }

    /// The line to print when gnuplot is missing, e.g. "gnuplot is not installed: the figure scripts are in plots/ ;
    /// install it (sudo apt-get install gnuplot-nox, or brew install gnuplot) to render them".
    public static func installHint(directory: String) -> String {
        let folder = shownPath(directory.hasSuffix("/") ? directory : directory + "/")
        return "gnuplot is not installed: the figure scripts are in \(folder) ; install it (sudo apt-get install gnuplot-nox, or brew install gnuplot) to render them"
    }
}
