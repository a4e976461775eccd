// A whole chapter run on the portable copy of the loops (WORKBOOK_KERNELS=portable) prints the same
// bytes and writes the same checkpoints as on the default copy (AVX2 where the processor has it).

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
}
