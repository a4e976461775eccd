// A file far larger than a checkpoint under a checkpoint's name: refused from its header, without
// reading the rest, in bounded memory and at once.

import Foundation
import Testing

@Suite("Checkpoints larger than their header says", .serialized)
struct LargeCheckpointTests {
    /// `path` made `size` bytes long with zeros after what it holds, as a sparse file (no disk used).
    func extend(_ path: URL, to size: Int) throws {
        let handle = try FileHandle(forWritingTo: path)
        try handle.truncate(atOffset: UInt64(size))
        try handle.close()
    }

    @Test("A checkpoint followed by 1.5 GB, or 1.5 GB of zeros, under ulimit -v 2000000: one line, exit 74, in a moment",
          arguments: [true, false])
    func largeFile(keepCheckpoint: Bool) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trained = try runChapter("Chapter05-Training", ["--epochs", "2", "--no-render"], in: folder)
        #expect(trained.status == 0, "\(trained.standardError)")
        let path = folder.appendingPathComponent("checkpoints/brnn.safetensors")
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path.path)[.size] as? Int)
        if !keepCheckpoint { try Data().write(to: path) }
        try extend(path, to: 1_500_000_000)
        let start = ContinuousClock.now
        let run = try runRaw("Chapter06-Approximation", ["--epochs", "2", "--no-render"], in: folder, through: "ulimit -v 2000000")
        #expect(run.reason == .exit && run.status == 74, "\(run.reason) \(run.status): \(run.standardError)")
        let message = keepCheckpoint
            ? "error: checkpoints/brnn.safetensors is damaged (the file is malformed: \(1_500_000_000 - size) unexpected bytes follow the last tensor's data): delete it and run Chapter05-Training again, or pass --retrain\n"
            : "error: checkpoints/brnn.safetensors is damaged (the file is not a safetensors checkpoint): delete it and run Chapter05-Training again, or pass --retrain\n"
        #expect(run.standardError == message, "\(run.standardError)")
        #expect(ContinuousClock.now - start < .seconds(5))
    }
}
