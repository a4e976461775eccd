// Text from outside (options, paths, what a file or a tool says) reaches the terminal only through
// `excerpt`: its control characters escaped (`\u{1B}`, `\n`), cut at 60 characters (a path at 200),
// on standard error and standard output alike; the message stays one line and keeps its cause.

import Foundation
import Testing

@Suite("Outside text is escaped and cut, on standard error and output", .serialized)
struct OutsideTextTests {
    /// No ESC, and no other control character than the line ends, in `text`.
    func expectNoControls(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let controls = text.unicodeScalars.filter { $0 != "\n" && $0.properties.generalCategory == .control }
        #expect(controls.isEmpty, "raw control characters in \(text.debugDescription)", sourceLocation: sourceLocation)
    }

    @Test("An option's value or an unknown option holding an escape sequence or a newline: escaped, one whole line")
    func optionValues() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [([String], String)] = [
            (["--seed", "\u{1B}[2J\u{1B}[31mX"],
             "error: --seed must be a whole number between 0 and 4294967295, got \\u{1B}[2J\\u{1B}[31mX (see --help)\n"),
            (["--seed", "1\n2"], "error: --seed must be a whole number between 0 and 4294967295, got 1\\n2 (see --help)\n"),
            (["--bo\u{1B}gus"], "error: Unknown option '--bo\\u{1B}gus' (see --help)\n"),
            (["--seed", String(repeating: "7", count: 100_000)],
             "error: --seed must be a whole number between 0 and 4294967295, got "
                + String(repeating: "7", count: 60) + "… (see --help)\n"),
        ]
        for (arguments, message) in cases {
            let run = try runChapter("Chapter00-Data", arguments, in: folder)
            #expect(run.status == 64)
            #expect(run.standardError == message)
            #expect(run.standardOutput.isEmpty)
        }
        let long = try runChapter("Chapter00-Data", ["--bogus" + String(repeating: "x", count: 100_000)], in: folder)
        #expect(long.status == 64)
        #expect(long.standardError.count < 400 && long.standardError.hasSuffix("… (see --help)\n"), "\(long.standardError.prefix(500))")
    }

    @Test("A --plots-dir naming a file whose name holds ESC or a newline, or a 5000-character one: one escaped line")
    func plotsDirectoryNames() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        for name in ["f\u{1B}[2J", "f\nx"] {
            try Data("x".utf8).write(to: folder.appendingPathComponent(name))
            let run = try runChapter("Chapter00-Data", ["--plots-dir", name, "--no-render"], in: folder)
            let shown = name.replacingOccurrences(of: "\u{1B}", with: "\\u{1B}").replacingOccurrences(of: "\n", with: "\\n")
            expectFailure(run, status: 74, "error: \(shown) is a file, not a folder; remove it or choose another folder", in: folder)
            expectNoControls(run.standardError)
        }
        let run = try runChapter("Chapter00-Data", ["--plots-dir", String(repeating: "p", count: 5000), "--no-render"], in: folder)
        #expect(run.status == 74)
        #expect(run.standardError.split(separator: "\n").count == 1)
        #expect(run.standardError.count < 600, "\(run.standardError.count) characters: \(run.standardError.prefix(300))")
        #expect(run.standardError.contains(String(repeating: "p", count: 100) + "…"))
    }

    @Test("Standard output: 'no checkpoint at …' and 'models saved in …' show the folder escaped")
    func standardOutputPaths() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trained = try runChapter("Chapter05-Training", ["--epochs", "1", "--no-render", "--quiet", "--checkpoints-dir", "c\u{1B}[2J"], in: folder)
        #expect(trained.status == 0, "\(trained.standardError)")
        #expect(trained.standardOutput.hasSuffix("models saved in c\\u{1B}[2J/.\n"), "\(trained.standardOutput)")
        expectNoControls(trained.standardOutput)
        let run = try runChapter("Chapter06-Approximation", ["--epochs", "1", "--no-render", "--checkpoints-dir", "d\u{1B}[2J\nx"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("from-scratch DRNN: training it here (no checkpoint at d\\u{1B}[2J\\nx/deep-rnn-scratch.safetensors)"),
                "\(run.standardOutput)")
        expectNoControls(run.standardOutput)
    }

    @Test("A --csv file, and a plots folder without gnuplot, whose names hold an escape sequence: escaped on both outputs")
    func csvAndHintPaths() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let numbers = (0..<100).map { "\(Double($0) * 1.5 + Double($0 % 7))" }.joined(separator: "\n")
        try Data(numbers.utf8).write(to: folder.appendingPathComponent("s\u{1B}[2J.csv"))
        let bin = folder.appendingPathComponent("empty-bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = bin.path
        let run = try runChapter("Chapter07-Beyond", ["--csv", "s\u{1B}[2J.csv", "--epochs", "1", "--plots-dir", "p\u{1B}[2J"],
                                 in: folder, environment: environment)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("s\\u{1B}[2J.csv: 100 values, 99 differences"), "\(run.standardOutput)")
        #expect(run.standardError.contains("gnuplot is not installed: the figure scripts are in p\\u{1B}[2J/ ;"), "\(run.standardError)")
        expectNoControls(run.standardOutput)
        expectNoControls(run.standardError)
    }

    @Test("A damaged checkpoint whose path holds an escape sequence: the path escaped")
    func damagedCheckpointPath() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data().write(to: folder.appendingPathComponent("x\u{1B}[2J"))
        let run = try runChapter("Chapter06-Approximation", ["--epochs", "1", "--no-render", "--checkpoint", "brnn=x\u{1B}[2J"], in: folder)
        expectFailure(run, status: 74, "error: x\\u{1B}[2J is damaged (the file is empty): give --checkpoint brnn another file, or leave that option out",
                      in: folder)
        expectNoControls(run.standardError)
    }

    @Test("A gnuplot that fails with an escape sequence in its error, in a folder whose name holds one: escaped")
    func gnuplotFailure() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bin = folder.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let fake = bin.appendingPathComponent("gnuplot")
        try "#!/bin/sh\nprintf 'line 1: \\033[2J bad\\n' >&2\nexit 1\n".write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = bin.path
        let run = try runChapter("Chapter00-Data", ["--plots-dir", "p\u{1B}[2J"], in: folder, environment: environment)
        expectFailure(run, status: 74, "error: gnuplot could not render p\\u{1B}[2J/DEEPRNN_fig1.png from p\\u{1B}[2J/DEEPRNN_fig1.gp: line 1: \\u{1B}[2J bad",
                      in: folder)
        expectNoControls(run.standardError)
    }
}

@Suite("Folders and files a run writes: checked before any work, as the write will meet them", .serialized)
struct OutputTargetTests {
    @Test("A 300-character name, a dangling symbolic link, a folder where a checkpoint goes: exit 74 at once, the true cause")
    func unusableTargets() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let long = String(repeating: "p", count: 300)
        let named = try runChapter("Chapter00-Data", ["--plots-dir", long, "--no-render"], in: folder)
        expectFailure(named, status: 74, "a name in its path is longer than the system allows (File name too long); choose a shorter name", in: folder)
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("dangling").path, withDestinationPath: "nowhere")
        for (target, message) in [
            ("dangling", "error: cannot create the folder dangling: dangling is a symbolic link to nowhere, which does not exist; create that folder, or remove the link"),
            ("dangling/sub", "error: cannot create the folder dangling/sub: dangling is a symbolic link to nowhere, which does not exist; create that folder, or remove the link"),
        ] {
            let run = try runChapter("Chapter00-Data", ["--plots-dir", target, "--no-render"], in: folder)
            expectFailure(run, status: 74, message, in: folder)
        }
        let checkpoints = try runChapter("Chapter05-Training", ["--epochs", "1", "--no-render", "--checkpoints-dir", "dangling"], in: folder)
        expectFailure(checkpoints, status: 74, "dangling is a symbolic link to nowhere", in: folder)
        #expect(checkpoints.standardOutput.isEmpty, "trained before failing: \(checkpoints.standardOutput.prefix(200))")
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("checkpoints/brnn.safetensors"), withIntermediateDirectories: true)
        let run = try runChapter("Chapter05-Training", ["--epochs", "1", "--no-render"], in: folder)
        expectFailure(run, status: 74, "error: checkpoints/brnn.safetensors is a folder, where a file is to be written; remove it or choose another folder", in: folder)
        #expect(run.standardOutput.isEmpty, "trained before failing: \(run.standardOutput.prefix(200))")
        #expect(!FileManager.default.fileExists(atPath: folder.appendingPathComponent("checkpoints/deep-rnn-scratch.safetensors").path))
    }

    @Test("A parent folder without search permission, of the checkpoints or the figures: exit 74 at once, naming it (as a user who is not root)",
          arguments: [("Chapter05-Training", ["--epochs", "1", "--no-render", "--checkpoints-dir", "locked/checkpoints"],
                       "error: cannot create the folder locked/checkpoints: locked cannot be written into or searched (Permission denied); check its permissions, or choose another folder"),
                      ("Chapter00-Data", ["--plots-dir", "locked/corrected", "--no-render"],
                       "error: cannot create the folder locked/corrected: locked cannot be written into or searched (Permission denied); check its permissions, or choose another folder")])
    func unsearchableParent(chapter name: String, arguments: [String], message: String) throws {
        // Root passes every permission check: as root, the chapter runs as nobody through setpriv,
        // when there is one; otherwise the case is skipped.
        let setpriv = ["/usr/bin/setpriv", "/bin/setpriv"].first { FileManager.default.isExecutableFile(atPath: $0) }
        if geteuid() == 0 && setpriv == nil {
            print("skipped: root passes every permission check, and there is no setpriv to run the chapter as another user")
            return
        }
        let folder = try temporaryFolder()
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.appendingPathComponent("locked").path)
            try? FileManager.default.removeItem(at: folder)
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o777], ofItemAtPath: folder.path)   // the plots folder goes here
        let locked = folder.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: false)
        let chapter = productsDirectory.appendingPathComponent(name).path
        let run: ChapterRun
        if geteuid() == 0, let setpriv {
            // Owned by nobody, who may read and write it but not search it.
            _ = chown(locked.path, 65534, 65534)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: locked.path)
            run = try runChapter(setpriv, ["--reuid=65534", "--regid=65534", "--clear-groups", chapter] + arguments, in: folder)
        } else {
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: locked.path)
            run = try runChapter(name, arguments, in: folder)
        }
        expectFailure(run, status: 74, message, in: folder)
        #expect(run.standardOutput.isEmpty, "trained before failing: \(run.standardOutput.prefix(200))")
    }
}

@Suite("Standard output that cannot be written: each cause named, a closed pipe quiet, a non-blocking one waited for", .serialized)
struct StandardOutputTests {
    var chapter00: String { productsDirectory.appendingPathComponent("Chapter00-Data").path }

    @Test("A closed standard output (>&-): exit 74, the cause, not the full-disk advice")
    func closed() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runChapter("/bin/sh", ["-c", "exec \"$0\" --no-render >&-", chapter00], in: folder)
        expectFailure(run, status: 74, "error: standard output is closed (Bad file descriptor): run the chapter with its output open, or send it to a file (> out.txt) or /dev/null", in: folder)
        #expect(!run.standardError.contains("free some space"))
    }

    @Test("A closed pipe with SIGPIPE ignored: a quiet end, as SIGPIPE's (141 in the shell)")
    func closedPipeWithSIGPIPEIgnored() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // `true` reads nothing and is gone long before the chapter writes its first line.
        let run = try runChapter("/bin/sh", ["-c", "trap '' PIPE; { \"$0\" --no-render; echo \"exit $?\" >&2; } | true", chapter00], in: folder)
        #expect(run.standardError == "exit 141\n", "\(run.standardError)")
    }

    @Test("A non-blocking standard output that fills: waited for, written whole")
    func nonBlocking() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        var ends: [Int32] = [0, 0]
        #expect(pipe(&ends) == 0)
        _ = fcntl(ends[1], F_SETFL, fcntl(ends[1], F_GETFL) | O_NONBLOCK)
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("Chapter05-Training")
        // Its JSON holds every tensor: about 675 KB, ten pipe buffers.
        process.arguments = ["--epochs", "1", "--json", "--no-render", "--hidden-size", "64"]
        process.currentDirectoryURL = folder
        let err = Pipe()
        process.standardOutput = FileHandle(fileDescriptor: ends[1], closeOnDealloc: true)
        process.standardError = err
        try process.run()
        close(ends[1])
        Thread.sleep(forTimeInterval: 1)   // the pipe fills meanwhile
        let reader = FileHandle(fileDescriptor: ends[0], closeOnDealloc: true)
        let written = reader.readDataToEndOfFile()
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(said)")
        #expect(said.isEmpty, "\(said)")
        #expect(written.count > 300_000 && written.last == UInt8(ascii: "\n"), "\(written.count) bytes")
    }
}
