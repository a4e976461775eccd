// Errors a learner can meet, and files written whole or not at all.

import Atomics
import Foundation

/// A problem caused by input or by the file system, with one line that says what was wrong and
/// how to fix it. Chapters print ``message`` and exit non-zero; they never crash on it.
public struct WorkbookError: Error, CustomStringConvertible, Equatable {
    public let message: String

    /// `message` with its control characters escaped (``escapedLine(_:)``): one line, whatever a
    /// path or a file's words put into it.
    public init(_ message: String) { self.message = escapedLine(message) }

    public var description: String { message }
}

/// Writes files atomically: to a temporary file in the same folder, then renamed over the target,
/// so that a reader (or a run stopped half-way) never sees a half-written file.
public enum AtomicFile {
    /// Writes `data` to `path`, creating the folder when it is missing.
    public static func write(_ data: Data, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent()
        try ensureFolder(folder.path)
        let temporary = temporaryFile(for: url, keepingExtension: false)
        try Interruption.removingOnInterrupt(temporary.path) { _ in
            if let reason = Interruption.creating({ writeWhole(data, to: temporary.path) }) {
                try? FileManager.default.removeItem(at: temporary)
                throw WorkbookError(cannotWrite(path, folder: folder.path, errno: reason))
            }
            if rename(temporary.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw WorkbookError("cannot write \(shownPath(path)): \(reason); remove what is there or choose another folder")
            }
        }
    }

    /// Writes every byte of `data` into a new file at `path`; the `errno` of the first failure, or nil.
    private static func writeWhole(_ data: Data, to path: String) -> Int32? {
        let descriptor = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o666)
        guard descriptor >= 0 else { return errno }
        var failure: Int32? = nil
        data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
            var offset = 0
            while offset < bytes.count {
                let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { failure = written < 0 ? errno : ENOSPC; return }
                offset += written
            }
        }
        // A full disk may only show when the file is closed (the last blocks written back).
        if close(descriptor) != 0 && failure == nil { failure = errno }
        return failure
    }

    /// The message for a file that could not be written, naming the cause the system gave.
    static func cannotWrite(_ path: String, folder: String, errno reason: Int32) -> String {
        let cause = String(cString: strerror(reason))
        switch reason {
        case ENOSPC, EDQUOT: return "cannot write \(shownPath(path)): the disk is full (\(cause)); free some space, or choose another folder"
        case EACCES, EPERM, EROFS: return "cannot write \(shownPath(path)): the folder \(shownPath(folder)) is not writable (\(cause)); choose another folder"
        default: return "cannot write \(shownPath(path)) (\(cause)); choose another folder"
        }
    }

    /// Why `path` cannot be the folder a program writes into (`writable`) or reads from, looked at
    /// as creating it with its parents and writing into it will meet it, links followed and
    /// nothing created: a file where the folder or a part of its path should be, a loop of
    /// symbolic links, a link to nothing, a name too long for the system, a folder (or the nearest
    /// existing parent of a missing one) that cannot be written into or searched. Nil: usable, or
    /// missing and creatable (or, not `writable`, simply missing).
    static func folderProblem(_ path: String, writable: Bool) -> String? {
        let shown = shownPath(path)
        func cause(_ code: Int32) -> String { String(cString: strerror(code)) }
        var status = stat()
        if stat(path, &status) == 0 {
            guard status.st_mode & S_IFMT == S_IFDIR else {
                return "\(shown) is a file, not a folder; remove it or choose another folder"
            }
            if writable && access(path, W_OK | X_OK) != 0 {
                let code = errno
                return "cannot write into the folder \(shown) (\(cause(code))): check its permissions, or choose another folder"
            }
            return nil
        }
        // What is in the way, from the path itself up to its nearest existing parent.
        var current = path
        while true {
            let code = errno
            switch code {
            case ENOENT, EACCES: break
            case ELOOP:
                return "\(shown) is a loop of symbolic links (\(cause(ELOOP))): remove the link, or choose another folder"
            case ENOTDIR:
                return "cannot create the folder \(shown): a part of its path is a file, not a folder; choose another folder"
            case ENAMETOOLONG:
                return "cannot create the folder \(shown): a name in its path is longer than the system allows "
                    + "(\(cause(code))); choose a shorter name"
            default:
                return "cannot create the folder \(shown) (\(cause(code))); choose another folder"
            }
            var link = stat()
            if code == ENOENT, lstat(current, &link) == 0, link.st_mode & S_IFMT == S_IFLNK {
                var target = [CChar](repeating: 0, count: 4097)
                let count = readlink(current, &target, 4096)
                let to = count > 0 ? String(decoding: target[..<count].map { UInt8(bitPattern: $0) }, as: UTF8.self) : "?"
                return "cannot create the folder \(shown): \(shownPath(current)) is a symbolic link to "
                    + "\(shownPath(to)), which does not exist; create that folder, or remove the link"
            }
            guard writable, let parent = parentFolder(current) else { return nil }
            current = parent
            if stat(current, &status) == 0 {
                guard status.st_mode & S_IFMT == S_IFDIR else {
                    return "cannot create the folder \(shown): a part of its path is a file, not a folder; choose another folder"
                }
                if access(current, W_OK | X_OK) != 0 {
                    let code = errno
                    return "cannot create the folder \(shown): \(shownPath(current)) cannot be written into "
                        + "or searched (\(cause(code))); check its permissions, or choose another folder"
                }
                return nil
            }
        }
    }

    /// The folder holding `path` (`a/b/` → `a`, `a` → `.`, `/a` → `/`); nil for `/` and `.`.
    /// (Foundation's deletingLastPathComponent traps on "a".)
    static func parentFolder(_ path: String) -> String? {
        var path = Substring(path)
        while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
        guard path != "/" && path != "." else { return nil }
        guard let slash = path.lastIndex(of: "/") else { return "." }
        return slash == path.startIndex ? "/" : String(path[..<slash])
    }

    /// Writes `text` as UTF-8 to `path`, atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Creates `path` as a folder when it does not exist; fails with a clear message when a file is there.
    /// The first time a program writes into a folder, it removes the stale temporary files that
    /// earlier runs, killed with SIGKILL, left there (``removeStaleTemporaries(in:)``).
    public static func ensureFolder(_ path: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw WorkbookError("\(shownPath(path)) is a file, not a folder; remove it or choose another folder")
            }
            cleaning.lock()
            let first = cleaned.insert(path).inserted
            cleaning.unlock()
            if first { removeStaleTemporaries(in: path) }
            return
        }
        if let problem = folderProblem(path, writable: true) { throw WorkbookError(problem) }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            let reason = Int32(((error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError)?.code ?? 0)
            if reason == ENOSPC || reason == EDQUOT {
                throw WorkbookError("cannot create the folder \(shownPath(path)): the disk is full (\(String(cString: strerror(reason)))); free some space, or choose another folder")
            }
            throw WorkbookError(folderProblem(path, writable: true)
                ?? "cannot create the folder \(shownPath(path))\(reason == 0 ? "" : " (\(String(cString: strerror(reason))))"); choose another folder")
        }
    }

    /// Checks, before any work, that `path` can be the folder a program writes into, and creates
    /// nothing (``folderProblem(_:writable:)``): what is in the way fails at once, with one line.
    public static func checkFolder(_ path: String, writable: Bool) throws {
        if let problem = folderProblem(path, writable: writable) { throw WorkbookError(problem) }
    }

    /// Checks, before any work, that a file can be written at `path` (renamed into place there):
    /// a folder where the file must go fails at once, not when the file is written.
    public static func checkFileTarget(_ path: String) throws {
        var status = stat()
        if stat(path, &status) == 0 && status.st_mode & S_IFMT == S_IFDIR {
            throw WorkbookError("\(shownPath(path)) is a folder, where a file is to be written; "
                                + "remove it or choose another folder")
        }
    }

    // MARK: Temporary files

    /// The folders this program has cleaned already, behind a lock (sections run on two threads).
    nonisolated(unsafe) private static var cleaned = Set<String>()
    private static let cleaning = NSLock()

    /// A temporary file beside `target`, named after it, this process and a random part:
    /// `.X.gp.<pid>-<UUID>.tmp`, or `.X.<pid>-<UUID>.tmp.png` when `keepingExtension` (gnuplot picks
    /// its terminal by the extension). The process id lets a later run tell a dead run's file from
    /// a live one's.
    public static func temporaryFile(for target: URL, keepingExtension: Bool) -> URL {
        let pid = ProcessInfo.processInfo.processIdentifier
        let suffix = keepingExtension && !target.pathExtension.isEmpty ? "." + target.pathExtension : ""
        let base = keepingExtension ? target.deletingPathExtension().lastPathComponent : target.lastPathComponent
        return target.deletingLastPathComponent().appendingPathComponent(".\(base).\(pid)-\(UUID().uuidString).tmp\(suffix)")
    }

    /// How long a temporary file whose process is gone is kept: a live run on another machine
    /// sharing the folder (whose process ids mean nothing here) writes its files in well under this.
    public static let staleAfter: TimeInterval = 60
    /// How long any temporary file is kept: covers a process id used again by another program.
    public static let abandonedAfter: TimeInterval = 24 * 3600

    /// Removes from `folder` the temporary files of ``write(_:to:)`` and of gnuplot's rendering that
    /// earlier runs left behind: a run killed with SIGKILL cannot remove its own. A file is removed
    /// when its name has this workbook's pattern (`.X.<pid>-<UUID>.tmp[.ext]`, or the older
    /// `.X.<pid>.tmp` and `.X.<UUID>.tmp[.ext]`), it is a plain file, and either its process no longer
    /// exists (or its name has none) and it was last changed more than ``staleAfter`` ago, or it was
    /// last changed more than ``abandonedAfter`` ago. A live run's file is never touched: its process
    /// exists, and its file is seconds old. Errors are ignored: cleaning is a courtesy.
    public static func removeStaleTemporaries(in folder: String, now: Date = Date()) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return }
        let own = ProcessInfo.processInfo.processIdentifier
        for name in names where name.hasPrefix(".") && name.contains(".tmp") {
            guard let owner = temporaryOwner(name) else { continue }
            let path = folder.hasSuffix("/") ? folder + name : folder + "/" + name
            var status = stat()
            guard lstat(path, &status) == 0, status.st_mode & S_IFMT == S_IFREG else { continue }
            #if canImport(Darwin)
            let changed = status.st_mtimespec   // Darwin's name for POSIX's st_mtim
            #else
            let changed = status.st_mtim
            #endif
            let age = now.timeIntervalSince1970 - (Double(changed.tv_sec) + Double(changed.tv_nsec) / 1e9)
            if case .process(let pid) = owner, pid == own { continue }
            let gone: Bool
            switch owner {
            case .process(let pid): gone = kill(pid, 0) != 0 && errno == ESRCH
            case .unknown: gone = true
            }
            if (gone && age > staleAfter) || age > abandonedAfter { unlink(path) }
        }
    }

    enum Owner: Equatable { case process(pid_t), unknown }

    /// Who made the temporary file `name`, if its name has one of this workbook's patterns.
    static func temporaryOwner(_ name: String) -> Owner? {
        var parts = name.dropFirst().split(separator: ".", omittingEmptySubsequences: false)
        // .X.<pid>-<UUID>.tmp.png, .X.<UUID>.tmp.png: drop the extension after "tmp".
        if parts.count >= 4, parts[parts.count - 2] == "tmp", parts.last.map(isExtension) == true { parts.removeLast() }
        guard parts.count >= 3, parts.last == "tmp" else { return nil }
        let tag = parts[parts.count - 2]
        let isUUID = { (text: Substring) in UUID(uuidString: String(text)) != nil }
        if let dash = tag.firstIndex(of: "-"), let pid = pid_t(tag[..<dash]), pid > 0, isUUID(tag[tag.index(after: dash)...]) {
            return .process(pid)
        }
        if let pid = pid_t(tag), pid > 0 { return .process(pid) }
        if isUUID(tag) { return .unknown }
        return nil
    }

    private static func isExtension(_ text: Substring) -> Bool {
        !text.isEmpty && text.count <= 8 && text.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber) }
    }
}

/// What a signal that ends the program must undo — Ctrl-C (SIGINT), SIGTERM, SIGHUP, SIGQUIT, a
/// closed pipe (SIGPIPE), a resource limit (SIGXFSZ, SIGXCPU) or any other whose default action
/// ends the process (``signals``): the temporary files being written, on any thread, and the
/// gnuplots still rendering into them. ``install()`` sets a handler that kills those gnuplots,
/// removes the temporary files, says so in one line (nothing for SIGPIPE: the reader is gone, as
/// with `| head`) and exits with 128 + the signal. Finished files are never touched: they were
/// renamed into place whole.
///
/// The handler may only call async-signal-safe functions (`kill`, `waitpid`, `unlink`, `write`,
/// `_exit`), so the paths and the messages live in buffers allocated once, before any signal can
/// come: one entry per file being written at the same time (a chapter writes one or two at once:
/// one per thread).
public enum Interruption {
    private static let capacity = 4096, entries = 8
    /// Entry `i`'s temporary path, at `paths + i * capacity`; empty (a 0 first byte) when unused.
    nonisolated(unsafe) private static let paths: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: entries * capacity)
        p.initialize(repeating: 0, count: entries * capacity)
        return p
    }()
    /// Entry `i`'s gnuplot, while it renders into the entry's path; 0 when none.
    nonisolated(unsafe) private static let children: UnsafeMutablePointer<pid_t> = {
        let p = UnsafeMutablePointer<pid_t>.allocate(capacity: entries)
        p.initialize(repeating: 0, count: entries)
        return p
    }()
    /// Which entries are taken: bit `i` for entry `i`.
    private static let taken = ManagedAtomic<Int>(0)
    /// How many threads are creating a file the handler must know of (``creating(_:)``): a
    /// temporary file being opened and written, or a gnuplot being started, its pid not yet
    /// recorded. Bits 0–15 count them; bits 16–23 hold a signal that came meanwhile, which the
    /// last of them acts on; bit 24 says ``stop(_:)`` has begun, and no thread may create anything.
    private static let creators = ManagedAtomic<Int>(0)
    private static let counted = 0xFFFF, stopping = 1 << 24
    /// Whether standard error is a terminal, asked in ``install()``: the handler may not ask.
    nonisolated(unsafe) private static var stderrIsTerminal = false

    /// A file being written, whose temporary path the handler removes (``removingOnInterrupt(_:_:)``).
    public struct Entry: Sendable { fileprivate let index: Int }

    /// The signals that end the program this way: every signal a program can catch whose default
    /// action ends it, except those that report a fault of the program itself (SIGSEGV, SIGBUS,
    /// SIGILL, SIGFPE, SIGTRAP, SIGABRT, SIGSYS), which the Swift runtime reports with a backtrace.
    /// Ctrl-C (SIGINT), `kill` (SIGTERM), a closed terminal (SIGHUP), Ctrl-\\ (SIGQUIT, which would
    /// otherwise go to the Swift runtime's crash reporter); a pipe whose reader is gone (SIGPIPE,
    /// `| head`); the limits of `ulimit -f` (SIGXFSZ) and `ulimit -t` (SIGXCPU); SIGUSR1, SIGUSR2,
    /// the timers' SIGALRM, SIGVTALRM and SIGPROF; on Linux SIGIO (SIGPOLL), SIGPWR, SIGSTKFLT and
    /// the real-time signals. SIGKILL cannot be caught.
    public static let signals: [Int32] = {
        var list: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGPIPE, SIGXFSZ, SIGXCPU,
                             SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF]
        #if os(Linux)
        list += [SIGIO, SIGPWR, SIGSTKFLT]
        list += Array(__libc_current_sigrtmin()...__libc_current_sigrtmax())
        #endif
        return list
    }()

    /// The line the handler writes for each signal, by number (nil: none, for SIGPIPE).
    static func message(for signal: Int32) -> String? {
        switch signal {
        case SIGPIPE: return nil
        case SIGINT, SIGTERM, SIGHUP, SIGQUIT:
            return "interrupted: stopped before finishing; no partial file was left behind"
        case SIGXFSZ:
            return "error: a file reached the file size limit (ulimit -f), so the run stopped; "
                + "no partial file was left behind: raise the limit (ulimit -f unlimited) and run again"
        case SIGXCPU:
            return "error: the run reached its processor time limit (ulimit -t), so it stopped; "
                + "no partial file was left behind: raise the limit (ulimit -t unlimited) and run again"
        default:
            return "interrupted by \(name(of: signal)): stopped before finishing; no partial file was left behind"
        }
    }

    /// The signal's name as `kill -l` shows it, with SIG: `SIGUSR1`, `SIGRTMIN+2`.
    static func name(of signal: Int32) -> String {
        let names: [Int32: String] = [
            SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2", SIGALRM: "SIGALRM", SIGVTALRM: "SIGVTALRM", SIGPROF: "SIGPROF",
        ]
        if let name = names[signal] { return name }
        #if os(Linux)
        switch signal {
        case SIGIO: return "SIGIO"
        case SIGPWR: return "SIGPWR"
        case SIGSTKFLT: return "SIGSTKFLT"
        case __libc_current_sigrtmin(): return "SIGRTMIN"
        case __libc_current_sigrtmin()...__libc_current_sigrtmax(): return "SIGRTMIN+\(signal - __libc_current_sigrtmin())"
        default: break
        }
        #endif
        return "signal \(signal)"
    }

    /// Each signal's line, newline-framed, as C strings by signal number (``message(for:)``).
    nonisolated(unsafe) private static let messages: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?> = {
        let count = 128
        let table = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: count)
        table.initialize(repeating: nil, count: count)
        for number in signals where number < count {
            if let line = message(for: number) { table[Int(number)] = strdup("\n" + line + "\n") }
        }
        return table
    }()

    /// Those of ``signals`` the program was started with ignored, which ``install()`` leaves
    /// ignored (never SIGPIPE), and which the programs it starts (gnuplot) inherit ignored.
    /// Empty before ``install()``.
    nonisolated(unsafe) public private(set) static var ignoredAtStart: Set<Int32> = []
    nonisolated(unsafe) private static var installed = false

    /// Installs the handler for ``signals`` (once is enough; again is harmless). While it runs,
    /// every one of them waits: a closed standard error's SIGPIPE as it writes its line, say.
    ///
    /// A signal the program was started with ignored stays ignored, as the one who started it
    /// asked: `nohup` ignores SIGHUP so that a closed terminal does not end the run, and so does
    /// any parent that sets SIG_IGN before `exec` (``inheritedIgnored(_:)``). SIGPIPE is the
    /// exception: a closed pipe (`| head`) ends the program quietly with 141 whether or not
    /// SIGPIPE was ignored, as the README promises, so its handler is always installed.
    public static func install() {
        _ = paths
        _ = children
        _ = messages
        _ = creators.load(ordering: .relaxed)   // made now: the handler may not run an initialiser
        stderrIsTerminal = isatty(STDERR_FILENO) == 1
        if !installed {
            ignoredAtStart = Set(signals.filter { $0 != SIGPIPE && inheritedIgnored($0) })
            installed = true
        }
        let handled = signals.filter { !ignoredAtStart.contains($0) }
        // A program started by another (a test runner, an IDE) may inherit these signals blocked.
        var set = sigset_t()
        sigemptyset(&set)
        for number in handled { sigaddset(&set, number) }
        var action = sigaction()
        #if canImport(Darwin)
        action.__sigaction_u.__sa_handler = handler
        #else
        action.__sigaction_handler.sa_handler = handler
        #endif
        action.sa_mask = set
        action.sa_flags = SA_RESTART
        for number in handled { sigaction(number, &action, nil) }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    /// Whether `signal`'s action is SIG_IGN now: before ``install()``, what the program was
    /// started with (`nohup`, `trap "" HUP`), for the runtime ignores none of these signals.
    static func inheritedIgnored(_ signal: Int32) -> Bool {
        var current = sigaction()
        guard sigaction(signal, nil, &current) == 0 else { return false }
        #if canImport(Darwin)
        let action = current.__sigaction_u.__sa_handler
        #else
        let action = current.__sigaction_handler.sa_handler
        #endif
        return unsafeBitCast(action, to: Int.self) == unsafeBitCast(SIG_IGN, to: Int.self)
    }

    private static let handler: @convention(c) (Int32) -> Void = { signal in
        // Threads creating files: the last to finish stops. None: stop now, and let none begin.
        var state = Interruption.creators.load(ordering: .sequentiallyConsistent)
        while state >> 16 == 0 {   // else a signal is already waiting, or being acted on
            let none = state & Interruption.counted == 0
            let desired = state | Int(signal) << 16 | (none ? Interruption.stopping : 0)
            let (done, now) = Interruption.creators.compareExchange(expected: state, desired: desired,
                                                                    ordering: .sequentiallyConsistent)
            if done {
                if none { stop(signal) }
                return
            }
            state = now
        }
    }

    /// Kills the gnuplots and waits until they are gone (until then they could still create their
    /// images), removes the temporary files, says so in one line (``message(for:)``) and exits
    /// with 128 + `signal`.
    private static func stop(_ signal: Int32) -> Never {
        // Each pid read once into `pid`: another thread may clear its entry meanwhile, and kill(0)
        // would signal the whole process group.
        for i in 0..<entries { let pid = children[i]; if pid > 0 { kill(pid, SIGKILL) } }
        for i in 0..<entries {
            let pid = children[i]   // a thread that already waited for it makes this wait fail at once
            if pid > 0 { while waitpid(pid, nil, 0) < 0 && errno == EINTR {} }
        }
        for i in 0..<entries where paths[i * capacity] != 0 { unlink(paths + i * capacity) }
        if signal >= 0 && signal < 128, let line = messages[Int(signal)] {
            // On a terminal, after the echoed ^C or a progress bar, on a line of its own; elsewhere
            // (a log file, a pipe) the one line alone, without the leading newline.
            var rest = strlen(line), start = UnsafeRawPointer(line)
            if !stderrIsTerminal { (start, rest) = (start + 1, rest - 1) }
            while rest > 0 {
                let written = write(2, start, rest)
                if written < 0 && errno == EINTR { continue }
                guard written > 0 else { break }   // a full or closed stream: nowhere to say it
                (start, rest) = (start + written, rest - written)
            }
        }
        _exit(128 + signal)
    }

    /// Runs `body` while `path` is a temporary file to remove if the program is interrupted; `body`
    /// gets the file's entry, for the gnuplot that renders into it (``startingChild(in:_:)``).
    public static func removingOnInterrupt<T>(_ path: String, _ body: (Entry) throws -> T) rethrows -> T {
        let entry = Entry(index: claimEntry())
        defer {
            (paths[entry.index * capacity], children[entry.index]) = (0, 0)
            _ = taken.loadThenBitwiseAnd(with: ~(1 << entry.index), ordering: .releasing)
        }
        let buffer = paths + entry.index * capacity
        let bytes = Array(path.utf8CString.prefix(capacity - 1)) + [0]
        // The first byte last: the handler, which reads the paths whose first byte is not 0, never
        // sees a path half copied.
        bytes.withUnsafeBufferPointer { (buffer + 1).update(from: $0.baseAddress! + 1, count: bytes.count - 1) }
        atomicMemoryFence(ordering: .sequentiallyConsistent)
        buffer.pointee = bytes[0]
        return try body(entry)
    }

    /// A free entry, taken: the lowest whose bit is clear (after a pause when all are in use).
    private static func claimEntry() -> Int {
        while true {
            let current = taken.load(ordering: .acquiring)
            guard let i = (0..<entries).first(where: { current & (1 << $0) == 0 }) else { sched_yield(); continue }
            if taken.compareExchange(expected: current, desired: current | 1 << i, ordering: .acquiringAndReleasing).exchanged {
                return i
            }
        }
    }

    /// Runs `create`, which makes a file the handler must know of: opens and writes a temporary
    /// file whose path is registered already (``removingOnInterrupt(_:_:)``), or starts a gnuplot
    /// and records it (``startingChild(in:_:)``). A signal that comes meanwhile waits until every
    /// such thread is done: the handler then sees all their files and gnuplots. Once the handler
    /// has begun, `create` never runs: a file made after it removed the temporary files, or a
    /// gnuplot started after it killed them, would outlive the program.
    public static func creating<T>(_ create: () throws -> T) rethrows -> T {
        let before = creators.loadThenWrappingIncrement(by: 1, ordering: .sequentiallyConsistent)
        if before >> 16 != 0 {   // a signal came: the program is ending
            finishCreating()
            while true { pause() }
        }
        defer { finishCreating() }
        return try create()
    }

    /// One creator fewer; the last, when a signal came meanwhile, stops the program.
    private static func finishCreating() {
        var state = creators.wrappingDecrementThenLoad(by: 1, ordering: .sequentiallyConsistent)
        while state & counted == 0 && state >> 16 != 0 && state & stopping == 0 {
            let (done, now) = creators.compareExchange(expected: state, desired: state | stopping,
                                                       ordering: .sequentiallyConsistent)
            if done { stop(Int32(state >> 16 & 0xFF)) }
            state = now
        }
    }

    /// Starts the gnuplot process (`start` returns its pid, or nil when it could not start) and
    /// records it as the one to kill if the program is interrupted while it renders into `entry`'s
    /// file (``creating(_:)``).
    public static func startingChild(in entry: Entry, _ start: () -> pid_t?) -> pid_t? {
        creating {
            let pid = start()
            if let pid { children[entry.index] = pid }
            return pid
        }
    }

    /// Forgets `entry`'s gnuplot once it has exited.
    public static func forgetChild(in entry: Entry) { children[entry.index] = 0 }
}
