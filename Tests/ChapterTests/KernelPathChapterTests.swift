// A whole chapter run on the portable copy of the loops (WORKBOOK_KERNELS=portable) prints the same
// bytes and writes the same checkpoints as on the default copy (AVX2 where the processor has it);
// and on an x86-64 without AVX2 (QEMU's default processor, emulated), it runs, on the portable copy,
// rather than stopping on an illegal instruction.

import Foundation
import Testing

@Suite("The portable loops, in a whole chapter run")
struct KernelPathChapterTests {
    @Test("Chapter05-Training --epochs 2 --json, notebook and corrected: the same output and checkpoints with WORKBOOK_KERNELS=portable",
          arguments: [[String](), ["--corrected"]])
    func portableRunPrintsTheSameBytes(extra: [String]) throws {
        var environment = ProcessInfo.processInfo.environment
        environment["WORKBOOK_KERNELS"] = nil
        var portable = environment
        portable["WORKBOOK_KERNELS"] = "portable"
        var runs: [(run: ChapterRun, checkpoints: [String: Data])] = []
        for settings in [environment, portable] {
            let folder = try temporaryFolder()
            defer { try? FileManager.default.removeItem(at: folder) }
            let run = try runChapter("Chapter05-Training", ["--epochs", "2", "--json", "--no-render"] + extra, in: folder,
                                     environment: settings)
            #expect(run.status == 0, "\(run.standardError)")
            let checkpoints = folder.appendingPathComponent("checkpoints")
            let names = files(under: checkpoints)
            let contents = try Dictionary(uniqueKeysWithValues: names.map {
                ($0, try Data(contentsOf: checkpoints.appendingPathComponent($0)))
            })
            runs.append((run, contents))
        }
        let (fast, slow) = (runs[0], runs[1])
        #expect(!fast.run.standardOutput.isEmpty)
        #expect(fast.run.standardOutput == slow.run.standardOutput)
        #expect(fast.run.standardError == slow.run.standardError)
        #expect(fast.checkpoints.count == 3, "\(fast.checkpoints.keys.sorted())")
        #expect(fast.checkpoints == slow.checkpoints)
    }

    /// QEMU's user-mode emulator, when it is installed (Debian's qemu-user); CI installs it and sets
    /// REQUIRE_QEMU=1, so that there this test cannot be skipped.
    static let emulator: String? = ["/usr/bin/qemu-x86_64", "/usr/local/bin/qemu-x86_64"]
        .first { FileManager.default.isExecutableFile(atPath: $0) }

    /// `qemu64`, QEMU's default x86-64, has SSE2 and no AVX, AVX2 or FMA: the chapter must pick the
    /// portable copy, and no AVX instruction may run anywhere in the program (a module built for
    /// AVX2 could lend its copies of shared functions to the others: Package.swift on `_AVX2Loops`).
    @Test("Chapter03-Loss on an emulated x86-64 without AVX (qemu64): the same output as here")
    func runsWithoutAVX2() throws {
        #if arch(x86_64) && os(Linux)
        guard let emulator = Self.emulator else {
            #expect(ProcessInfo.processInfo.environment["REQUIRE_QEMU"] != "1",
                    "REQUIRE_QEMU=1 but qemu-x86_64 is not installed")
            print("skipped: qemu-x86_64 is not installed (apt-get install qemu-user)")
            return
        }
        var environment = ProcessInfo.processInfo.environment
        environment["WORKBOOK_KERNELS"] = nil
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let native = try runChapter("Chapter03-Loss", [], in: folder, environment: environment)
        #expect(native.status == 0, "\(native.standardError)")

        let process = Process()
        process.executableURL = URL(fileURLWithPath: emulator)
        process.arguments = ["-cpu", "qemu64", productsDirectory.appendingPathComponent("Chapter03-Loss").path]
        process.currentDirectoryURL = folder
        process.environment = environment
        let out = Pipe(), err = Pipe()
        (process.standardOutput, process.standardError) = (out, err)
        try process.run()
        let printed = out.fileHandleForReading.readDataToEndOfFile()
        let errors = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "\(errors)")
        #expect(String(decoding: printed, as: UTF8.self) == native.standardOutput)
        #else
        print("skipped: the emulated x86-64 without AVX2 is checked on Linux x86-64")
        #endif
    }
}
