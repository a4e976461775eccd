// What the programs do when standard error cannot be written, when their reader goes away
// (`| head`), when a resource limit is reached (`ulimit -f`, `ulimit -t`), and on every other
// signal that would end them: never a crash, never a temporary file left, 128 + the signal. A
// signal they were started with ignored (`nohup`) stays ignored.

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

    @Test("The pages' generator and the exercises' checker with standard error (or output) on a full disk: their exit codes, not a trap")
    func toolsOnFullStreams() throws {
        guard let full = FileHandle(forWritingAtPath: "/dev/full") else {
            print("skipped: this system has no /dev/full")
            return
        }
        for tool in ["Pages", "Exercises"] {
            #expect(FileManager.default.isExecutableFile(atPath: productsDirectory.appendingPathComponent(tool).path),
                    "\(tool) is not built: swift build")
        }
        let folder = try temporaryFolder()   // not the package's folder: both tools refuse to run there
        defer { try? FileManager.default.removeItem(at: folder) }
        let pages = try runRaw("Pages", ["--bogus"], in: folder, standardError: full)
        #expect(pages.reason == .exit && pages.status == 1, "\(pages.reason) \(pages.status)")
        let outside = try runRaw("Pages", [], in: folder, standardError: full)
        #expect(outside.reason == .exit && outside.status == 1, "\(outside.reason) \(outside.status)")
        let exercises = try runRaw("Exercises", [], in: folder, standardError: full)
        #expect(exercises.reason == .exit && exercises.status == 66, "\(exercises.reason) \(exercises.status)")
        let help = try runRaw("Exercises", ["--help"], in: folder, standardOutput: full)
        #expect(help.reason == .exit && help.status == 0, "\(help.reason) \(help.status)")
        let closed = try runRaw("Exercises", ["hint", "1"], in: folder, standardError: closedPipe())
        #expect(closed.reason == .exit || closed.reason == .uncaughtSignal, "\(closed.reason) \(closed.status)")
        #expect(closed.status == 66 || (closed.reason == .uncaughtSignal && closed.status == SIGPIPE), "\(closed.reason) \(closed.status)")
    }

    @Test("Standard error a pipe whose reader is gone, even with SIGPIPE ignored (trap \"\" PIPE): no trap, the quiet end of a closed pipe, 141")
    func standardErrorClosedPipe() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runRaw("Chapter00-Data", ["--seed", "-1"], in: folder, through: "trap \"\" PIPE",
                             standardError: closedPipe())
        #expect(run.reason == .exit && run.status == 128 + SIGPIPE, "\(run.reason) \(run.status)")
    }

    @Test("Standard output read by a program that stops reading (| head -n 16): a quiet end, 141, no temporary file",
          arguments: [["--epochs", "20"], ["--epochs", "20", "--no-render"]])
    func readerGone(arguments: [String]) throws {
        for _ in 0..<3 {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let process = Process()
            process.executableURL = productsDirectory.appendingPathComponent("Chapter05-Training")
            process.arguments = arguments
            process.currentDirectoryURL = folder
            let out = Pipe(), err = Pipe()
            (process.standardOutput, process.standardError) = (out, err)
            try process.run()
            // Sixteen lines, as `head -n 16` reads them, then the reader is gone.
            var lines = 0
            while lines < 16 {
                let chunk = out.fileHandleForReading.availableData
                if chunk.isEmpty { break }
                lines += chunk.count { $0 == UInt8(ascii: "\n") }
            }
            try out.fileHandleForReading.close()
            let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            Thread.sleep(forTimeInterval: 0.3)   // a gnuplot that outlived the program would write now
            #expect(process.terminationReason == .exit && process.terminationStatus == 128 + SIGPIPE,
                    "\(process.terminationReason) \(process.terminationStatus)")
            #expect(said.isEmpty, "\(said)")
            #expect(!files(under: folder).contains { $0.contains(".tmp") }, "\(files(under: folder))")
        }
    }

    @Test("A file past the file size limit (ulimit -f 4, 2 KiB in sh): one line naming ulimit -f, 153, no temporary file")
    func fileSizeLimit() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runRaw("Chapter05-Training", ["--epochs", "2", "--no-render"], in: folder, through: "ulimit -f 4")
        #expect(run.reason == .exit && run.status == 128 + SIGXFSZ, "\(run.reason) \(run.status)")
        #expect(run.standardError.split(separator: "\n").count == 1, "\(run.standardError)")
        #expect(run.standardError == ("error: a file reached the file size limit (ulimit -f), so the run stopped; no partial file was left behind: raise the limit (ulimit -f unlimited) and run again\n"),
                "\(run.standardError)")
        #expect(!files(under: folder).contains { $0.contains(".tmp") }, "\(files(under: folder))")
    }

    @Test("An image that gnuplot cannot write whole under ulimit -f 16: the limit named, exit 74, no image left",
          .enabled(if: gnuplotPath != nil))
    func fileSizeLimitInGnuplot() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // 16 blocks of 512 bytes (sh's unit; bash's own is 1024), 8 KiB: the figure's script
        // (5 KiB) is written whole, its image (18 KiB) is not.
        let run = try runRaw("Chapter00-Data", [], in: folder, through: "ulimit -f 16")
        #expect(run.reason == .exit && run.status == 74, "\(run.reason) \(run.status)")
        #expect(run.standardError == "error: gnuplot could not render plots/DEEPRNN_fig1.png: the image reached the file size limit (ulimit -f); raise the limit (ulimit -f unlimited) and run again\n",
                "\(run.standardError)")
        #expect(!files(under: folder).contains { $0.contains(".tmp") || $0.hasSuffix(".png") }, "\(files(under: folder))")
    }

    static let otherSignals: [Int32] = {
        var list = [SIGUSR1, SIGUSR2, SIGALRM, SIGVTALRM, SIGPROF]
        #if os(Linux)
        list += [SIGIO, SIGPWR, __libc_current_sigrtmin(), __libc_current_sigrtmin() + 3]
        #endif
        return list
    }()

    @Test("SIGUSR1, SIGUSR2, the timers' signals, SIGIO, SIGPWR, the real-time signals during training: one line naming the signal, 128 + the signal, no file",
          arguments: otherSignals)
    func otherSignal(signal: Int32) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try ReliabilityTests().runInterrupted("Chapter05-Training", ["--epochs", "1000000", "--no-render"], after: 0.5,
                                                        in: folder, signal: signal)
        #expect(run.status == 128 + signal)
        let names: [Int32: String] = [SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2", SIGALRM: "SIGALRM", SIGVTALRM: "SIGVTALRM", SIGPROF: "SIGPROF"]
        #if os(Linux)
        let name = names[signal] ?? [SIGIO: "SIGIO", SIGPWR: "SIGPWR", __libc_current_sigrtmin(): "SIGRTMIN"][signal] ?? "SIGRTMIN+3"
        #else
        let name = names[signal] ?? ""
        #endif
        #expect(run.standardError.hasSuffix("\ninterrupted by \(name): stopped before finishing; no partial file was left behind\n"), "\(run.standardError)")
        #expect(files(under: folder).isEmpty, "\(files(under: folder))")
    }

    @Test("SIGXCPU (ulimit -t) during training: one line naming the limit, 152, no file")
    func processorTimeLimit() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try ReliabilityTests().runInterrupted("Chapter05-Training", ["--epochs", "1000000", "--no-render"], after: 0.5,
                                                        in: folder, signal: SIGXCPU)
        #expect(run.status == 128 + SIGXCPU)
        #expect(run.standardError.hasSuffix("\nerror: the run reached its processor time limit (ulimit -t), so it stopped; no partial file was left behind: raise the limit (ulimit -t unlimited) and run again\n"),
                "\(run.standardError)")
        #expect(files(under: folder).isEmpty, "\(files(under: folder))")
    }

    @Test("SIGUSR1 while figures are written and rendered: never a temporary or partial file",
          .enabled(if: gnuplotPath != nil), arguments: [0.05, 0.1, 0.15, 0.2, 0.3, 0.4])
    func otherSignalWhileWriting(delay: Double) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try ReliabilityTests().runInterrupted("Chapter06-Approximation", ["--epochs", "2"], after: delay, in: folder,
                                                        signal: SIGUSR1)
        #expect(run.status == 128 + SIGUSR1 || run.status == 0)
        try ReliabilityTests().expectWholeFiles(in: folder)
    }

    @Test("A signal the program was started with ignored (nohup's SIGHUP, a background job's SIGINT, trap \"\" USR1) stays ignored: the run goes on to its end, exit 0",
          arguments: [("HUP", SIGHUP), ("INT", SIGINT), ("USR1", SIGUSR1)])
    func inheritedIgnored(name: String, signal: Int32) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try ReliabilityTests().runInterrupted("Chapter05-Training", ["--epochs", "300", "--no-render"], after: 0.5,
                                                        in: folder, signal: signal, through: "trap \"\" \(name)")
        #expect(run.status == 0, "\(run.status): \(run.standardError)")
        #expect(run.standardError.isEmpty, "\(run.standardError)")
        #expect(files(under: folder.appendingPathComponent("checkpoints")).count == 3, "\(files(under: folder))")
    }

    @Test("With SIGHUP ignored, the other signals still end the run as before: SIGTERM, 143, one line, no file")
    func othersHandledWhenOneIgnored() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try ReliabilityTests().runInterrupted("Chapter05-Training", ["--epochs", "1000000", "--no-render"], after: 0.5,
                                                        in: folder, signal: SIGHUP, through: "trap \"\" HUP", then: SIGTERM)
        #expect(run.status == 128 + SIGTERM, "\(run.status)")
        #expect(run.standardError.hasSuffix("\ninterrupted: stopped before finishing; no partial file was left behind\n"), "\(run.standardError)")
        #expect(files(under: folder).isEmpty, "\(files(under: folder))")
    }
}
