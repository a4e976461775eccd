// What the programs do when standard error cannot be written, when their reader goes away
// (`| head`), when a resource limit is reached (`ulimit -f`, `ulimit -t`), and on every other
// signal that would end them: never a crash, never a temporary file left, 128 + the signal.

import Foundation
import Testing

/// The end of a run started by ``runRaw(_:_:in:through:standardOutput:standardError:)``.
struct RawRun {
    let status: Int32
    let reason: Process.TerminationReason
    let standardError: String
}

/// Runs `chapter` with `arguments` in `folder`, through `/bin/sh -c` when `shell` is given (it
/// runs first: `ulimit -f 4`, `trap "" PIPE`), with the given standard output (default: none) and
/// standard error (default: a pipe, whose text is returned).
func runRaw(_ chapter: String, _ arguments: [String], in folder: URL, through shell: String? = nil,
            standardOutput: FileHandle = .nullDevice, standardError: FileHandle? = nil) throws -> RawRun {
    let process = Process()
    let program = productsDirectory.appendingPathComponent(chapter).path
    if let shell {
        process.executableURL = URL(fileURLWithPath: "/bin/sh")
        process.arguments = ["-c", shell + "; exec \"$0\" \"$@\"", program] + arguments
    } else {
        process.executableURL = URL(fileURLWithPath: program)
        process.arguments = arguments
    }
    process.currentDirectoryURL = folder
    let err = Pipe()
    process.standardOutput = standardOutput
    process.standardError = standardError ?? err.fileHandleForWriting
    try process.run()
    var said = ""
    if standardError == nil {
        try err.fileHandleForWriting.close()
        said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    }
    process.waitUntilExit()
    return RawRun(status: process.terminationStatus, reason: process.terminationReason, standardError: said)
}

/// The write end of a pipe whose read end is closed: writing to it fails with EPIPE (and SIGPIPE).
func closedPipe() -> FileHandle {
    var ends: [Int32] = [0, 0]
    _ = pipe(&ends)
    close(ends[0])
    return FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
}

@Suite("Signals and streams: nothing traps, nothing is left behind", .serialized)
struct SignalTests {
    @Test("Standard error on a full disk (2>/dev/full): the error's exit code, not a trap")
    func standardErrorFull() throws {
        guard let full = FileHandle(forWritingAtPath: "/dev/full") else {
            print("skipped: this system has no /dev/full")
            return
        }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bad = try runRaw("Chapter00-Data", ["--seed", "-1"], in: folder, standardError: full)
        #expect(bad.reason == .exit && bad.status == 64, "\(bad.reason) \(bad.status)")
        // Without gnuplot, the hint goes nowhere and the run goes on: both scripts are written.
        let bin = folder.appendingPathComponent("empty-bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let hint = try runRaw("Chapter00-Data", [], in: folder, through: "PATH=\(bin.path)", standardError: full)
        #expect(hint.reason == .exit && hint.status == 0, "\(hint.reason) \(hint.status)")
        #expect(files(under: folder.appendingPathComponent("plots")) == ["DEEPRNN_fig1.gp", "DEEPRNN_fig2.gp"])
    }

    @Test("Standard error a pipe whose reader is gone, SIGPIPE ignored (trap \"\" PIPE): no trap")
    func standardErrorClosedPipe() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runRaw("Chapter00-Data", ["--seed", "-1"], in: folder, through: "trap \"\" PIPE",
                             standardError: closedPipe())
        #expect(run.reason == .exit && run.status == 64, "\(run.reason) \(run.status)")
    }
}
