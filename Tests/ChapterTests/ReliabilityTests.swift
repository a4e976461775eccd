// What a learner's mistakes do: bad options, odd folders, damaged checkpoints, a missing or failing
// gnuplot, a diverging run, Ctrl-C. Each ends in one line on standard error, a documented exit
// code (README: "When something goes wrong"), and no partial file.

import Foundation
import Testing

/// Every file under `folder`, as paths relative to it.
func files(under folder: URL) -> [String] {
    let enumerator = FileManager.default.enumerator(atPath: folder.path)
    var found: [String] = []
    while let path = enumerator?.nextObject() as? String {
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder.appendingPathComponent(path).path, isDirectory: &isFolder), !isFolder.boolValue {
            found.append(path)
        }
    }
    return found.sorted()
}

/// Expects a failed run: the exit code, one line on standard error containing `message`, and no
/// temporary file left in `folder`.
func expectFailure(_ run: ChapterRun, status: Int32, _ message: String, in folder: URL,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(run.status == status, "exit \(run.status), expected \(status): \(run.standardError)", sourceLocation: sourceLocation)
    let lines = run.standardError.split(separator: "\n")
    #expect(lines.count == 1, "expected one line on standard error, got: \(run.standardError)", sourceLocation: sourceLocation)
    #expect(run.standardError.contains(message), "\(run.standardError) does not say \(message)", sourceLocation: sourceLocation)
    #expect(!files(under: folder).contains { $0.contains(".tmp") }, "temporary files left: \(files(under: folder))",
            sourceLocation: sourceLocation)
}

/// The CRC-32 of zlib, to craft a checkpoint whose checksum is right.
func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in bytes {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = (crc >> 1) ^ (0xEDB8_8320 & (0 &- (crc & 1))) }
    }
    return ~crc
}

/// A safetensors checkpoint's header text and data section.
func safetensorsParts(_ bytes: [UInt8]) -> (header: String, data: [UInt8]) {
    let count = (0..<8).reduce(0) { $0 | Int(bytes[$1]) << (8 * $1) }
    return (String(decoding: bytes[8..<8 + count], as: UTF8.self), Array(bytes[(8 + count)...]))
}

/// A safetensors checkpoint from a header (padded again to a multiple of 8) and data, with the
/// header's `crc32` made the data's, as the workbook's writer makes it.
func safetensorsFile(header: String, data: [UInt8]) -> Data {
    var text = header.trimmingCharacters(in: .whitespaces)
    if let range = text.range(of: #""crc32":"[0-9a-f]{8}""#, options: .regularExpression) {
        let digits = String(crc32(data), radix: 16)
        text.replaceSubrange(range, with: "\"crc32\":\"" + String(repeating: "0", count: 8 - digits.count) + digits + "\"")
    }
    var utf8 = Array(text.utf8)
    while utf8.count % 8 != 0 { utf8.append(UInt8(ascii: " ")) }
    return Data((0..<8).map { UInt8(truncatingIfNeeded: utf8.count >> (8 * $0)) } + utf8 + data)
}

@Suite("Reliability: bad input never crashes and leaves nothing half-written", .serialized)
struct ReliabilityTests {
    static let badOptions: [([String], String)] = [
        (["--epochs", "0"], "error: --epochs must be a whole number between 1 and 1000000, got 0 (see --help)"),
        (["--epochs", "-3"], "error: --epochs must be a whole number between 1 and 1000000, got -3 (see --help)"),
        (["--epochs", "ten"], "error: --epochs must be a whole number between 1 and 1000000, got ten (see --help)"),
        (["--learning-rate", "0"], "error: --learning-rate must be a number above 0, got 0 (see --help)"),
        (["--learning-rate", "-0.1"], "error: --learning-rate must be a number above 0, got -0.1 (see --help)"),
        (["--learning-rate", "nan"], "error: --learning-rate must be a number above 0, got nan (see --help)"),
        (["--learning-rate", "inf"], "error: --learning-rate must be a number above 0, got inf (see --help)"),
        (["--learning-rate", "fast"], "error: --learning-rate must be a number above 0, got fast (see --help)"),
        (["--learning-rate", "3.5e38"],
         "error: --learning-rate 3.5e38 is too large for float32 (at most about 3.4e38); give a smaller rate (see --help)"),
        (["--learning-rate", "1e-46"],
         "error: --learning-rate 1e-46 rounds to 0 in float32 (the smallest is about 1.4e-45); give a larger rate (see --help)"),
        (["--seed", "-1"], "error: --seed must be a whole number between 0 and 4294967295, got -1 (see --help)"),
        (["--seed", "4294967296"], "error: --seed must be a whole number between 0 and 4294967295, got 4294967296 (see --help)"),
        (["--window-length", "199"],
         "error: --window-length must be a whole number between 1 and 198, shorter than the series' 199 differences, got 199 (see --help)"),
        (["--window-length", "0"],
         "error: --window-length must be a whole number between 1 and 198, shorter than the series' 199 differences, got 0 (see --help)"),
        (["--hidden-size", "0"], "error: --hidden-size must be a whole number between 1 and 512, got 0 (see --help)"),
        (["--bogus"], "error: Unknown option '--bogus' (see --help)"),
        (["--epochs"], "error: Missing value for '--epochs <epochs>' (see --help)"),
        (["--verbose", "--quiet"], "error: --verbose and --quiet cannot be used together: choose one (see --help)"),
        (["--plots-dir", ""], "error: --plots-dir must name a folder, got an empty path (see --help)"),
    ]

    @Test("A bad option: one line naming it and what is accepted, exit 64, nothing written (an option the chapter does not take: unknown)",
          arguments: chapters, badOptions)
    func badOption(chapter: String, option: ([String], String)) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runChapter(chapter, option.0, in: folder)
        let untaken = option.0.first { $0.hasPrefix("--") && !(chapterOptions[chapter] ?? []).contains($0) }
        let message = untaken.map { "error: Unknown option '\($0)' (see --help)" } ?? option.1
        expectFailure(run, status: 64, message, in: folder)
        #expect(run.standardError == message + "\n")
        #expect(run.standardOutput.isEmpty)
        #expect(files(under: folder).isEmpty)
    }

    @Test("A missing output folder is created, several levels deep")
    func missingFolder() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runChapter("Chapter00-Data", ["--plots-dir", "a/b/c", "--no-render"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(files(under: folder) == ["a/b/c/DEEPRNN_fig1.gp", "a/b/c/DEEPRNN_fig2.gp"])
    }

    @Test("A file where the plots or checkpoints folder should be: exit 74, one line")
    func fileInsteadOfFolder() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("x".utf8).write(to: folder.appendingPathComponent("taken"))
        let plots = try runChapter("Chapter00-Data", ["--plots-dir", "taken", "--no-render"], in: folder)
        expectFailure(plots, status: 74, "taken is a file, not a folder; remove it or choose another folder", in: folder)
        let checkpoints = try runChapter("Chapter05-Training", ["--epochs", "1", "--no-render", "--checkpoints-dir", "taken"], in: folder)
        expectFailure(checkpoints, status: 74, "taken is a file, not a folder", in: folder)
        #expect(try String(contentsOf: folder.appendingPathComponent("taken"), encoding: .utf8) == "x")
    }

    @Test("A folder that cannot be created or written: exit 74, one line")
    func unwritableFolder() throws {
        // Linux's /proc refuses new entries even to root, for whom permission bits do not stop a
        // write; elsewhere (macOS has no /proc) a folder without write permission, for a user who
        // is not root.
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        #if os(Linux)
        let target = "/proc/rnn-workbook-plots"
        #else
        guard geteuid() != 0 else {
            print("skipped: root writes into any folder, and this system has no /proc; the unwritable folder is not tried")
            return
        }
        let locked = folder.appendingPathComponent("locked")
        try FileManager.default.createDirectory(at: locked, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o555])
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: locked.path) }
        let target = locked.appendingPathComponent("plots").path
        #endif
        let run = try runChapter("Chapter00-Data", ["--plots-dir", target, "--no-render"], in: folder)
        expectFailure(run, status: 74, "cannot create the folder \(target)", in: folder)
    }

    @Test("Standard output that cannot be written (a full disk, /dev/full): exit 74, one line; text and --json alike",
          arguments: [[String](), ["--json"]])
    func unwritableOutput(extra: [String]) throws {
        guard let full = FileHandle(forWritingAtPath: "/dev/full") else {
            print("skipped: this system has no /dev/full")
            return
        }
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("Chapter00-Data")
        process.arguments = ["--no-render"] + extra
        process.currentDirectoryURL = folder
        let err = Pipe()
        (process.standardOutput, process.standardError) = (full, err)
        try process.run()
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 74)
        #expect(said == "error: the output could not be written whole (No space left on device): free some space, or send it elsewhere\n")
    }

    /// Chapter05 with 2 epochs writes the three checkpoints into `folder/checkpoints`.
    func trainedFolder() throws -> URL {
        let folder = try temporaryFolder()
        let run = try runChapter("Chapter05-Training", ["--epochs", "2", "--no-render"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        return folder
    }

    @Test("Damaged checkpoints: named, with what to do, exit 74; --retrain still works")
    func damagedCheckpoints() throws {
        let folder = try trainedFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("checkpoints/brnn.safetensors")
        let good = try Data(contentsOf: path)
        var flipped = [UInt8](good)
        flipped[good.count - 6] ^= 0x10                                   // in the data section
        let (header, data) = safetensorsParts([UInt8](good))
        let old = Data(Array("RNNWBCK".utf8) + [0, 1, 0, 0, 0] + [UInt8](repeating: 0, count: 40))
        let f16 = safetensorsFile(header: header.replacingOccurrences(of: "\"F32\"", with: "\"F16\""), data: data)
        let overlapping = safetensorsFile(header: header.replacingOccurrences(of: "\"data_offsets\":[0,", with: "\"data_offsets\":[4,"), data: data)
        let twice = safetensorsFile(header: header.replacingOccurrences(of: "\"bW_hq\"", with: "\"bW_hh\""), data: data)
        let other = try Data(contentsOf: folder.appendingPathComponent("checkpoints/deep-rnn-concise.safetensors"))
        let cases: [(String, Data, String)] = [
            ("empty", Data(), "checkpoints/brnn.safetensors is damaged (the file is empty)"),
            ("truncated", good.prefix(good.count / 3), "checkpoints/brnn.safetensors is damaged (the file is truncated"),
            ("corrupted", Data(flipped), "checkpoints/brnn.safetensors is damaged (the checksum does not match"),
            ("foreign", Data("hello, world: not a checkpoint".utf8), "checkpoints/brnn.safetensors is damaged (the file is not a safetensors checkpoint)"),
            ("F16 with F32's offsets", f16, "checkpoints/brnn.safetensors is damaged (the file is malformed: tensor bW_hh's data_offsets span 4096 bytes, not the 1024 × 2 its shape needs)"),
            ("lying offsets", overlapping, "checkpoints/brnn.safetensors is damaged (the file is malformed: "),
            ("a name twice", twice, "checkpoints/brnn.safetensors is damaged (the file is malformed: the header is not valid JSON: the key bW_hh appears twice"),
            ("old format", old, "checkpoints/brnn.safetensors is in the workbook's old RNNWBCK format, which it no longer reads (checkpoints are safetensors files now): delete it and run Chapter05-Training again, or pass --retrain"),
            ("another model", other, "checkpoints/brnn.safetensors holds Sequential(RNN(1, 8, numLayers: 2), OutputLayer(8, 1)), not BRNN(1, 32, 1), notebook loss: run Chapter05-Training again with the same options, or pass --retrain"),
        ]
        for (what, bytes, message) in cases {
            try bytes.write(to: path)
            let run = try runChapter("Chapter06-Approximation", ["--epochs", "2", "--no-render"], in: folder)
            expectFailure(run, status: 74, message, in: folder)
            #expect(run.standardError.contains("Chapter05-Training") && run.standardError.contains("--retrain"),
                    "\(what): \(run.standardError) does not say what to do")
            #expect(!run.standardOutput.contains("accuracy"), "\(what): results printed from a damaged checkpoint")
            if what == "corrupted" {
                #expect(run.standardError.hasSuffix("): delete it and run Chapter05-Training again, or pass --retrain\n"), "\(run.standardError)")
            }
        }
        let retrained = try runChapter("Chapter06-Approximation", ["--epochs", "2", "--no-render", "--retrain"], in: folder)
        #expect(retrained.status == 0, "\(retrained.standardError)")
        #expect(retrained.standardOutput.contains("bidirectional model: training it here (--retrain)"))
    }

    @Test("A damaged checkpoint in Chapter07-Beyond, which has no --retrain: the message names what it takes")
    func damagedCheckpointWithoutRetrain() throws {
        let folder = try trainedFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("checkpoints/deep-rnn-scratch.safetensors")
        var flipped = [UInt8](try Data(contentsOf: path))
        flipped[flipped.count - 6] ^= 0x10
        try Data(flipped).write(to: path)
        let run = try runChapter("Chapter07-Beyond", ["--epochs", "2", "--no-render"], in: folder)
        expectFailure(run, status: 74, "checkpoints/deep-rnn-scratch.safetensors is damaged (the checksum does not match", in: folder)
        #expect(run.standardError.hasSuffix("): delete it and run Chapter05-Training again, or pass --checkpoints-dir with another folder, where this chapter trains them itself\n"),
                "\(run.standardError)")
        #expect(!run.standardError.contains("--retrain"))
        let elsewhere = try runChapter("Chapter07-Beyond", ["--epochs", "1", "--no-render", "--checkpoints-dir", "other"], in: folder)
        #expect(elsewhere.status == 0, "\(elsewhere.standardError)")
        #expect(elsewhere.standardOutput.contains("from-scratch DRNN (notebook): training it here (no checkpoint at other/deep-rnn-scratch.safetensors)"))
    }

    @Test("A missing checkpoint: Chapter06 trains the model itself and says so")
    func missingCheckpoint() throws {
        let folder = try trainedFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.removeItem(at: folder.appendingPathComponent("checkpoints/deep-rnn-scratch.safetensors"))
        let run = try runChapter("Chapter06-Approximation", ["--epochs", "2", "--no-render"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("from-scratch DRNN: training it here (no checkpoint at checkpoints/deep-rnn-scratch.safetensors)"))
        #expect(run.standardOutput.contains("concise model: loaded checkpoints/deep-rnn-concise.safetensors"))
        // A checkpoint left in the old format is named, with how to remake it.
        try Data(Array("RNNWBCK".utf8) + [0, 1, 0, 0, 0]).write(to: folder.appendingPathComponent("checkpoints/deep-rnn-scratch.ckpt"))
        let again = try runChapter("Chapter06-Approximation", ["--epochs", "2", "--no-render"], in: folder)
        #expect(again.standardOutput.contains("from-scratch DRNN: training it here (no checkpoint at checkpoints/deep-rnn-scratch.safetensors; "
                                              + "checkpoints/deep-rnn-scratch.ckpt is in the old format, which is not read: Chapter05-Training remakes it)"),
                "\(again.standardOutput)")
    }

    /// An environment whose PATH holds only `bin` (and no gnuplot unless `bin` has one).
    func environment(path bin: URL) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["PATH"] = bin.path
        return environment
    }

    @Test("Without gnuplot: the scripts are written, one hint line, exit 0")
    func gnuplotAbsent() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bin = folder.appendingPathComponent("empty-bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let run = try runChapter("Chapter00-Data", [], in: folder, environment: environment(path: bin))
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardError.split(separator: "\n").count == 1 && run.standardError.contains("gnuplot"),
                "expected one hint about gnuplot, got: \(run.standardError)")
        #expect(files(under: folder.appendingPathComponent("plots")) == ["DEEPRNN_fig1.gp", "DEEPRNN_fig2.gp"])
    }

    @Test("A gnuplot that fails: its error shown, exit 74, no image and no temporary file left")
    func gnuplotFails() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let bin = folder.appendingPathComponent("bin")
        try FileManager.default.createDirectory(at: bin, withIntermediateDirectories: true)
        let fake = bin.appendingPathComponent("gnuplot")
        // Writes half an image to the file it is given, complains, and fails, as a broken gnuplot might.
        try """
        #!/bin/sh
        for a in "$@"; do case "$a" in outfile=*) f=${a#outfile=\\'}; f=${f%\\'}; printf 'half an image' > "$f";; esac; done
        echo '"plots/DEEPRNN_fig1.gp" line 40: unknown terminal type' >&2
        exit 1
        """.write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        let run = try runChapter("Chapter00-Data", [], in: folder, environment: environment(path: bin))
        expectFailure(run, status: 74, "gnuplot could not render plots/DEEPRNN_fig1.png from plots/DEEPRNN_fig1.gp", in: folder)
        #expect(run.standardError.contains("unknown terminal type"))
        #expect(!files(under: folder.appendingPathComponent("plots")).contains { $0.hasSuffix(".png") || $0.hasSuffix(".svg") })
    }

    @Test("A diverging run stops at its epoch, names the run and the cause, exit 65, no checkpoint")
    func divergence() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runChapter("Chapter05-Training", ["--learning-rate", "1e30", "--no-render"], in: folder)
        expectFailure(run, status: 65, "the from-scratch DRNN diverged at epoch 0 (loss nan)", in: folder)
        #expect(run.standardError == "error: the from-scratch DRNN diverged at epoch 0 (loss nan); it stopped there and kept its last finite parameters, and no checkpoint was written. The learning rate 1e+30 is likely too large: lower it with --learning-rate.\n")
        #expect(run.standardError.contains("kept its last finite parameters")
                && run.standardError.contains("lower it with --learning-rate"))
        #expect(run.standardOutput.hasSuffix("Training loss nan\nEpoch 0\n"))
        #expect(!files(under: folder).contains { $0.hasSuffix(".safetensors") })
    }

    @Test("A window too long for the notebook's linear model: exit 65, and the message names the window, not the learning rate")
    func longWindowOverflow() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runChapter("Chapter05-Training", ["--window-length", "198", "--epochs", "2", "--no-render"], in: folder)
        expectFailure(run, status: 65, " The notebook's linear recurrence can grow about 1.8 times per step, so a window of 198 overflows a fresh model: use a shorter --window-length, or --corrected (tanh).", in: folder)
        #expect(!run.standardError.contains("--learning-rate"))
        let corrected = try runChapter("Chapter05-Training", ["--window-length", "198", "--epochs", "2", "--no-render", "--corrected"], in: folder)
        #expect(corrected.status == 0, "\(corrected.standardError)")
    }

    @Test("A hidden size too large for the notebook's linear model: exit 65, and the message names the hidden size, not the learning rate")
    func wideStateOverflow() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runChapter("Chapter05-Training", ["--hidden-size", "200", "--learning-rate", "1e-12", "--epochs", "2", "--no-render"], in: folder)
        // The loss is inf or nan, as the overflow falls.
        #expect(run.standardError.hasPrefix("error: the from-scratch DRNN diverged at epoch 0 (loss "), "\(run.standardError)")
        expectFailure(run, status: 65, "it stopped there and kept its last finite parameters, and no checkpoint was written. The notebook's linear recurrence has no tanh to bound it, so a fresh model with --hidden-size 200 overflows float32 at once, whatever the learning rate: use a smaller --hidden-size, or --corrected (tanh).", in: folder)
        #expect(!run.standardError.contains("1e-12"))
    }

    @Test("A checkpoint that is a loop of symbolic links, or not a regular file: named for what it is, exit 74")
    func checkpointsThatAreNoFiles() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoints = folder.appendingPathComponent("checkpoints")
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: checkpoints.appendingPathComponent("deep-rnn-scratch.safetensors").path,
                                                   withDestinationPath: "deep-rnn-scratch.safetensors")
        let loop = try runChapter("Chapter06-Approximation", ["--epochs", "1", "--no-render"], in: folder)
        expectFailure(loop, status: 74, "error: checkpoints/deep-rnn-scratch.safetensors is a loop of symbolic links (Too many levels of symbolic links): delete it and run Chapter05-Training again, or pass --retrain", in: folder)
        #expect(!loop.standardOutput.contains("training it here"), "\(loop.standardOutput)")
        #expect(mkfifo(folder.appendingPathComponent("fifo").path, 0o644) == 0)
        for (file, message) in [
            ("/dev/zero", "error: /dev/zero is a character device, not a regular file: give --checkpoint deep-rnn-concise another file, or leave that option out"),
            ("/dev/null", "error: /dev/null is a character device, not a regular file: give --checkpoint deep-rnn-concise another file, or leave that option out"),
            ("fifo", "error: fifo is a FIFO (a named pipe), not a regular file: give --checkpoint deep-rnn-concise another file, or leave that option out"),
        ] {
            let run = try runChapter("Chapter06-Approximation", ["--epochs", "1", "--no-render", "--checkpoint", "deep-rnn-concise=\(file)"], in: folder)
            expectFailure(run, status: 74, message, in: folder)
        }
    }

    @Test("Ctrl-C during training: exit 130, one line, no file at all")
    func interruptedTraining() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runInterrupted("Chapter05-Training", ["--epochs", "1000000", "--no-render"], after: 0.5, in: folder)
        #expect(run.status == 130)
        #expect(run.standardError.contains("interrupted: stopped before finishing; no partial file was left behind"))
        #expect(!run.standardError.contains("\n\n") && !run.standardError.hasPrefix("\n"), "a blank line on standard error, which is no terminal: \(run.standardError)")
        #expect(files(under: folder).isEmpty, "\(files(under: folder))")
    }

    @Test("SIGTERM, a closed terminal (SIGHUP) and Ctrl-\\ (SIGQUIT) during training: exit 128 + the signal, one line, no file",
          arguments: [SIGTERM, SIGHUP, SIGQUIT])
    func otherSignals(signal: Int32) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runInterrupted("Chapter05-Training", ["--epochs", "1000000", "--no-render"], after: 0.5, in: folder,
                                     signal: signal)
        #expect(run.status == 128 + signal)
        // The first line is the hint on how long a million epochs take (LaterRunTests).
        #expect(run.standardError.hasPrefix("note: --epochs 1000000 will train for about"), "\(run.standardError)")
        // Standard error is no terminal here: the message is one line, with no blank line before it.
        #expect(run.standardError.hasSuffix("\ninterrupted: stopped before finishing; no partial file was left behind\n"), "\(run.standardError)")
        #expect(run.standardError.split(separator: "\n", omittingEmptySubsequences: false).count == 3, "\(run.standardError)")
        #expect(files(under: folder).isEmpty, "\(files(under: folder))")
    }

    @Test("SIGHUP or SIGQUIT while figures are written and rendered: never a temporary or partial file",
          .enabled(if: gnuplotPath != nil), arguments: [SIGHUP, SIGQUIT], [0.1, 0.2, 0.4])
    func otherSignalsWhileWriting(signal: Int32, delay: Double) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runInterrupted("Chapter06-Approximation", ["--epochs", "2"], after: delay, in: folder, signal: signal)
        #expect(run.status == 128 + signal || run.status == 0)
        let written = files(under: folder)
        #expect(!written.contains { $0.contains(".tmp") }, "\(written)")
    }

    @Test("Ctrl-C while figures are written and rendered: never a temporary or partial file",
          .enabled(if: gnuplotPath != nil), arguments: [0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6])
    func interruptedWriting(delay: Double) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runInterrupted("Chapter06-Approximation", ["--epochs", "2"], after: delay, in: folder)
        #expect(run.status == 130 || run.status == 0)
        try expectWholeFiles(in: folder)
    }

    /// No temporary file under `folder`, and every image and script there complete.
    func expectWholeFiles(in folder: URL) throws {
        let written = files(under: folder)
        #expect(!written.contains { $0.contains(".tmp") }, "\(written)")
        for path in written {
            let data = try Data(contentsOf: folder.appendingPathComponent(path))
            if path.hasSuffix(".png") { #expect(data.suffix(8).starts(with: Array("IEND".utf8)), "\(path) is cut short") }
            if path.hasSuffix(".svg") { #expect(String(decoding: data, as: UTF8.self).contains("</svg>"), "\(path) is cut short") }
            if path.hasSuffix(".gp") { #expect(String(decoding: data, as: UTF8.self).hasSuffix("\n"), "\(path) is cut short") }
        }
    }

    @Test("Ctrl-C while both cores render (Chapter05's sections): never a temporary or partial file",
          .enabled(if: gnuplotPath != nil), arguments: [0.07, 0.1, 0.13, 0.16, 0.2])
    func interruptedWritingOnTwoThreads(delay: Double) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // Twenty epochs: the three sections' figures are rendered at about the same time, the
        // second core's while the first section draws its own.
        let run = try runInterrupted("Chapter05-Training", ["--epochs", "20"], after: delay, in: folder)
        #expect(run.status == 130 || run.status == 0)
        try expectWholeFiles(in: folder)
    }

    /// Starts a chapter, sends it `signal` (SIGINT: Ctrl-C) after `delay` seconds, and waits for it.
    func runInterrupted(_ chapter: String, _ arguments: [String], after delay: Double, in folder: URL,
                        signal: Int32 = SIGINT, through shell: String? = nil, then second: Int32? = nil) throws -> ChapterRun {
        let process = Process()
        let program = productsDirectory.appendingPathComponent(chapter)
        if let shell {
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", shell + "; exec \"$0\" \"$@\"", program.path] + arguments
        } else {
            process.executableURL = program
            process.arguments = arguments
        }
        process.currentDirectoryURL = folder
        let err = Pipe()
        process.standardError = err
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        Thread.sleep(forTimeInterval: delay)
        kill(process.processIdentifier, signal)
        if let second {
            Thread.sleep(forTimeInterval: 0.3)
            kill(process.processIdentifier, second)
        }
        // A program that ignored Ctrl-C would run on: stop it after 30 s and fail, rather than hang.
        let pid = process.processIdentifier
        let watchdog = DispatchWorkItem { kill(pid, SIGKILL) }
        DispatchQueue.global().asyncAfter(deadline: .now() + 30, execute: watchdog)
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        watchdog.cancel()
        #expect(process.terminationReason == .exit, "\(chapter) ignored Ctrl-C and was killed after 30 s")
        return ChapterRun(status: process.terminationStatus, standardOutput: "", standardError: errors)
    }
}
