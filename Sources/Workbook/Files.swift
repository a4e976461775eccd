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
