// Reliability, second round: what an earlier killed run left behind, checkpoints whose checksum is
// right but whose contents are not usable, output folders checked before the work, and a hint
// when --epochs makes a run long.

import Foundation
import Testing

@Suite("Reliability: later runs, unusable checkpoints, early checks", .serialized)
struct LaterRunTests {
    /// Creates `name` in `folder` with its modification time `age` seconds ago.
    func temporary(_ name: String, in folder: URL, age: TimeInterval) throws {
        let url = folder.appendingPathComponent(name)
        try Data("half a file".utf8).write(to: url)
        try FileManager.default.setAttributes([.modificationDate: Date().addingTimeInterval(-age)], ofItemAtPath: url.path)
    }

    @Test("Temporaries of a killed run are removed by the next run that writes there; a live run's are kept")
    func staleTemporaries() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let plots = folder.appendingPathComponent("plots")
        try FileManager.default.createDirectory(at: plots, withIntermediateDirectories: true)
        let dead: Int32 = 999_999_999                  // above Linux's largest process id: no such process
        let alive = ProcessInfo.processInfo.processIdentifier
        let uuid = UUID().uuidString
        let stale = [".DEEPRNN_fig1.gp.\(dead)-\(uuid).tmp", ".DEEPRNN_fig1.\(dead)-\(uuid).tmp.png",
                     ".DEEPRNN_fig2.gp.\(dead).tmp", ".DEEPRNN_fig2.\(uuid).tmp.svg",           // the names of earlier versions
                     ".DEEPRNN_fig3.\(alive)-\(uuid).tmp.png"]                                   // alive, but two days old
        let kept = [".DEEPRNN_fig4.\(alive)-\(uuid).tmp.png",                                      // a live run's, two minutes old
                    ".DEEPRNN_fig5.gp.\(dead)-\(uuid).tmp",                                      // a dead pid, but seconds old
                    ".notes.tmp", "mine.tmp.png"]                                                // not the workbook's
        for name in stale.dropLast() { try temporary(name, in: plots, age: 120) }
        try temporary(stale.last!, in: plots, age: 2 * 86400)
        for name in kept.prefix(1) { try temporary(name, in: plots, age: 120) }
        for name in kept.dropFirst() { try temporary(name, in: plots, age: 1) }

        let run = try runChapter("Chapter00-Data", ["--no-render"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(files(under: plots) == (["DEEPRNN_fig1.gp", "DEEPRNN_fig2.gp"] + kept).sorted())
    }

    /// Chapter05 with 2 epochs writes the three checkpoints into `folder/checkpoints`.
    func trainedFolder() throws -> URL {
        let folder = try temporaryFolder()
        let run = try runChapter("Chapter05-Training", ["--epochs", "2", "--no-render"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        return folder
    }

    @Test("A checkpoint with a valid checksum and a NaN or infinite weight is refused at load: exit 74, one line",
          arguments: [(Float.nan, "NaN"), (Float.infinity, "inf"), (-Float.infinity, "-inf")])
    func nonFiniteWeights(value: Float, shown: String) throws {
        let folder = try trainedFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("checkpoints/brnn.safetensors")
        var (header, data) = safetensorsParts([UInt8](try Data(contentsOf: path)))
        // bb_q's one value, where its data_offsets say it is; the CRC-32 made right again.
        let json = try JSONSerialization.jsonObject(with: Data(header.utf8)) as? [String: Any]
        let offsets = try #require((json?["bb_q"] as? [String: Any])?["data_offsets"] as? [Int])
        for i in 0..<4 { data[offsets[0] + i] = UInt8((value.bitPattern >> (8 * UInt32(i))) & 0xFF) }
        try safetensorsFile(header: header, data: data).write(to: path)
        let run = try runChapter("Chapter06-Approximation", ["--epochs", "2", "--no-render"], in: folder)
        let message = "checkpoints/brnn.safetensors holds NaN at element 0 of bb_q, not a weight a model can use: delete it and run Chapter05-Training again, or pass --retrain"
        expectFailure(run, status: 74, message.replacingOccurrences(of: "NaN", with: shown), in: folder)
        #expect(!run.standardOutput.contains("test loss"))
    }

    @Test("A checkpoint's metadata is printed escaped and cut: a newline or an escape sequence stored there stays inert")
    func metadataEscaped() throws {
        let folder = try trainedFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("checkpoints/brnn.safetensors")
        let (header, data) = safetensorsParts([UInt8](try Data(contentsOf: path)))
        // The metadata's "seed" → "0": put a longer value with a newline and ESC in its place (JSON-escaped).
        #expect(header.contains("\"seed\":\"0\""))
        let value = "0\\n\\u001b[2J" + String(repeating: "x", count: 100)
        try safetensorsFile(header: header.replacingOccurrences(of: "\"seed\":\"0\"", with: "\"seed\":\"\(value)\""), data: data).write(to: path)
        let run = try runChapter("Chapter06-Approximation", ["--epochs", "2", "--no-render"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        let shown = "checkpoints/brnn.safetensors was made with other settings (corrected false, epochs 2, seed 0\\n\\u{1B}[2J" + String(repeating: "x", count: 48) + "…)"
        #expect(run.standardOutput.contains("bidirectional model: training it here (\(shown))"), "\(run.standardOutput)")
        #expect(!run.standardOutput.contains("\u{1B}"))
    }

    @Test("A file given as the plots or checkpoints folder fails at once, before any training: exit 74, nothing printed",
          arguments: [("Chapter07-Beyond", "--plots-dir"), ("Chapter05-Training", "--plots-dir"), ("Chapter05-Training", "--checkpoints-dir"),
                      ("Chapter06-Approximation", "--checkpoints-dir")])
    func earlyFolderCheck(chapter: String, option: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data("x".utf8).write(to: folder.appendingPathComponent("taken"))
        let start = ContinuousClock.now
        let run = try runChapter(chapter, [option, "taken", "--no-render"], in: folder)
        expectFailure(run, status: 74, "error: taken is a file, not a folder; remove it or choose another folder", in: folder)
        #expect(run.standardOutput.isEmpty, "\(run.standardOutput)")
        #expect(ContinuousClock.now - start < .seconds(3))
        let below = try runChapter(chapter, [option, "taken/sub", "--no-render"], in: folder)
        expectFailure(below, status: 74, "error: cannot create the folder taken/sub: a part of its path is a file, not a folder; choose another folder", in: folder)
        #expect(below.standardOutput.isEmpty)
        #expect(files(under: folder) == ["taken"])
    }

    @Test("A symbolic link that leads back to itself, as --plots-dir or --csv, is named as such, before any work")
    func symbolicLinkLoop() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("loop1").path, withDestinationPath: "loop2")
        try FileManager.default.createSymbolicLink(atPath: folder.appendingPathComponent("loop2").path, withDestinationPath: "loop1")
        let plots = try runChapter("Chapter00-Data", ["--plots-dir", "loop1", "--no-render"], in: folder)
        expectFailure(plots, status: 74, "error: loop1 is a loop of symbolic links (Too many levels of symbolic links): remove the link, or choose another folder", in: folder)
        #expect(plots.standardOutput.isEmpty, "\(plots.standardOutput)")
        let csv = try runChapter("Chapter07-Beyond", ["--csv", "loop1", "--no-render"], in: folder)
        expectFailure(csv, status: 66, "error: loop1 is a loop of symbolic links (Too many levels of symbolic links): give the file itself, with one number per line", in: folder)
    }

    @Test("A full disk is named as the cause (not a folder that is not writable), and leaves no file behind")
    func fullDisk() throws {
        // A real full file system: a 64 KiB tmpfs, filled. Mounting needs root (and a sandbox that
        // allows it), and Linux's mount(2): elsewhere the case is skipped.
        #if os(Linux)
        let disk = try temporaryFolder()
        defer { _ = umount(disk.path); try? FileManager.default.removeItem(at: disk) }
        guard mount("tmpfs", disk.path, "tmpfs", 0, "size=64k") == 0 else {
            print("skipped: a small tmpfs cannot be mounted here (\(String(cString: strerror(errno)))); the full-disk case is not run")
            return
        }
        let filler = Data(repeating: 0, count: 65_536)
        _ = FileManager.default.createFile(atPath: disk.appendingPathComponent("filler").path, contents: filler)
        try FileManager.default.createDirectory(at: disk.appendingPathComponent("plots"), withIntermediateDirectories: true)
        let run = try runChapter("Chapter00-Data", ["--plots-dir", disk.appendingPathComponent("plots").path, "--no-render"], in: try temporaryFolder())
        #expect(run.status == 74)
        #expect(run.standardError == "error: cannot write \(disk.path)/plots/DEEPRNN_fig1.gp: the disk is full (No space left on device); free some space, or choose another folder\n",
                "\(run.standardError)")
        #expect(files(under: disk.appendingPathComponent("plots")).isEmpty)

        // Standard output into a file on the full disk (`--json > file`): exit 74 and one line, not exit 0
        // with the text cut short.
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("Chapter00-Data")
        process.arguments = ["--json", "--no-render"]
        process.currentDirectoryURL = try temporaryFolder()
        _ = FileManager.default.createFile(atPath: disk.appendingPathComponent("out.json").path, contents: nil)
        let file = try FileHandle(forWritingTo: disk.appendingPathComponent("out.json"))
        let err = Pipe()
        (process.standardOutput, process.standardError) = (file, err)
        try process.run()
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        try file.close()
        #expect(process.terminationStatus == 74)
        #expect(said == "error: the output could not be written whole (No space left on device): free some space, or send it elsewhere\n", "\(said)")
        #else
        print("skipped: a small tmpfs is mounted with Linux's mount(2), which this system does not have; the full-disk case is not run")
        #endif
    }

    @Test("--epochs 1000000: a hint on standard error at once, with how long it will take; standard output unchanged")
    func longRunHint() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let process = Process()
        process.executableURL = productsDirectory.appendingPathComponent("Chapter05-Training")
        process.arguments = ["--epochs", "1000000", "--no-render"]
        process.currentDirectoryURL = folder
        let err = Pipe()
        (process.standardError, process.standardOutput) = (err, FileHandle.nullDevice)
        try process.run()
        Thread.sleep(forTimeInterval: 0.5)
        kill(process.processIdentifier, SIGINT)
        let said = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        let note = "note: --epochs 1000000 will train for about 2 hours here (about 7 ms an epoch on a 2-core laptop); Ctrl-C stops it, leaving no file behind"
        #expect(said == note + "\ninterrupted: stopped before finishing; no partial file was left behind\n", "\(said)")
        // A run made long by --hidden-size, with the notebooks' epochs, gets one too.
        let wide = Process()
        wide.executableURL = productsDirectory.appendingPathComponent("Chapter05-Training")
        wide.arguments = ["--hidden-size", "512", "--corrected", "--no-render"]
        wide.currentDirectoryURL = folder
        let wideErr = Pipe()
        (wide.standardError, wide.standardOutput) = (wideErr, FileHandle.nullDevice)
        try wide.run()
        Thread.sleep(forTimeInterval: 0.5)
        kill(wide.processIdentifier, SIGINT)
        let wideSaid = String(decoding: wideErr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        wide.waitUntilExit()
        #expect(wideSaid == "note: --hidden-size 512 will train for about 7 minutes here (about 1.8 s an epoch on a 2-core laptop); Ctrl-C stops it, leaving no file behind\n"
                + "interrupted: stopped before finishing; no partial file was left behind\n", "\(wideSaid)")
        // A short run, or --quiet, gets no hint.
        let short = try runChapter("Chapter05-Training", ["--epochs", "2", "--no-render"], in: folder)
        #expect(short.status == 0 && short.standardError.isEmpty, "\(short.standardError)")
    }

    @Test("An output folder that cannot be written fails before any work: exit 74, one line (not as root, whom permissions do not stop)")
    func unwritableFolder() throws {
        guard geteuid() != 0 else {
            print("skipped: running as root, for whom a folder's permissions do not stop a write")
            return
        }
        let folder = try temporaryFolder()
        defer {
            try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: folder.appendingPathComponent("plots").path)
            try? FileManager.default.removeItem(at: folder)
        }
        let plots = folder.appendingPathComponent("plots")
        try FileManager.default.createDirectory(at: plots, withIntermediateDirectories: true)
        try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: plots.path)
        let run = try runChapter("Chapter07-Beyond", ["--no-render"], in: folder)
        expectFailure(run, status: 74, "error: cannot write into the folder plots (Permission denied): check its permissions, or choose another folder", in: folder)
        #expect(run.standardOutput.isEmpty)
    }
}
