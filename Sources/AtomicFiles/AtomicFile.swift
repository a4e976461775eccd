// Errors a learner can meet, and files written whole or not at all.

import Foundation

/// A problem caused by input or by the file system, with one line that says what was wrong and
/// how to fix it. Chapters print ``message`` and exit non-zero; they never crash on it.
public struct WorkbookError: Error, CustomStringConvertible, Equatable {
    public let message: String

    public init(_ message: String) { self.message = message }

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
        let temporary = folder.appendingPathComponent(".\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp")
        try Interruption.removingOnInterrupt(temporary.path, slot: 0) {
            do {
                try data.write(to: temporary)
            } catch {
                try? FileManager.default.removeItem(at: temporary)
                throw WorkbookError("cannot write \(path): the folder \(folder.path) is not writable; choose another folder")
            }
            if rename(temporary.path, url.path) != 0 {
                let reason = String(cString: strerror(errno))
                try? FileManager.default.removeItem(at: temporary)
                throw WorkbookError("cannot write \(path): \(reason); remove what is there or choose another folder")
            }
        }
    }

    /// Writes `text` as UTF-8 to `path`, atomically.
    public static func write(_ text: String, to path: String) throws {
        try write(Data(text.utf8), to: path)
    }

    /// Creates `path` as a folder when it does not exist; fails with a clear message when a file is there.
    public static func ensureFolder(_ path: String) throws {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) {
            guard isFolder.boolValue else {
                throw WorkbookError("\(path) is a file, not a folder; remove it or choose another folder")
            }
            return
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw WorkbookError("cannot create the folder \(path): check its parent exists and is writable, or choose another folder")
        }
    }
}

/// What a Ctrl-C (SIGINT), SIGTERM, SIGHUP or SIGQUIT must undo: the temporary file being written, and a gnuplot
/// still rendering into one. ``install()`` sets a handler that kills that gnuplot, removes the
/// temporary files, says so in one line and exits with 128 + the signal. Finished files are never
/// touched: they were renamed into place whole.
///
/// The handler may only call async-signal-safe functions (`kill`, `unlink`, `write`, `_exit`), so
/// the paths live in buffers allocated once, before any signal can come.
public enum Interruption {
    private static let capacity = 4096
    /// Two slots: a file written by ``AtomicFile`` and an image rendered by gnuplot.
    nonisolated(unsafe) private static let paths: UnsafeMutablePointer<CChar> = {
        let p = UnsafeMutablePointer<CChar>.allocate(capacity: 2 * capacity)
        p.initialize(repeating: 0, count: 2 * capacity)
        return p
    }()
    nonisolated(unsafe) private static let child: UnsafeMutablePointer<pid_t> = {
        let p = UnsafeMutablePointer<pid_t>.allocate(capacity: 1)
        p.initialize(to: 0)
        return p
    }()

    /// The signals that end the program this way: Ctrl-C (SIGINT), `kill` (SIGTERM), a closed
    /// terminal (SIGHUP) and Ctrl-\\ (SIGQUIT, which would otherwise go to the Swift runtime's crash
    /// reporter). SIGKILL cannot be caught.
    public static let signals: [Int32] = [SIGINT, SIGTERM, SIGHUP, SIGQUIT]

    /// Installs the handler for ``signals`` (once is enough; again is harmless).
    public static func install() {
        _ = paths
        _ = child
        // A program started by another (a test runner, an IDE) may inherit these signals blocked.
        var set = sigset_t()
        sigemptyset(&set)
        for number in signals {
            signal(number, handler)
            sigaddset(&set, number)
        }
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    private static let handler: @convention(c) (Int32) -> Void = { signal in
        if Interruption.child.pointee > 0 { kill(Interruption.child.pointee, SIGKILL) }
        for slot in 0..<2 where Interruption.paths[slot * Interruption.capacity] != 0 {
            unlink(Interruption.paths + slot * Interruption.capacity)
        }
        let message = "\ninterrupted: stopped before finishing; no partial file was left behind\n"
        message.withCString { _ = write(2, $0, strlen($0)) }
        _exit(128 + signal)
    }

    /// Runs `body` while `path` is a temporary file to remove if the program is interrupted.
    public static func removingOnInterrupt<T>(_ path: String, slot: Int, _ body: () throws -> T) rethrows -> T {
        let buffer = paths + slot * capacity
        let bytes = Array(path.utf8CString.prefix(capacity - 1)) + [0]
        bytes.withUnsafeBufferPointer { if let b = $0.baseAddress { buffer.update(from: b, count: bytes.count) } }
        defer { buffer.pointee = 0 }
        return try body()
    }

    /// Records the gnuplot process to kill if the program is interrupted while it renders.
    public static func setChild(_ pid: pid_t) { child.pointee = pid }
}
