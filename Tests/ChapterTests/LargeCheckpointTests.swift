// A file far larger than a checkpoint under a checkpoint's name, or a checkpoint whose header
// honestly declares gigabytes the model does not need: refused from its header, without reading
// the rest, in bounded memory and at once.

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

    /// The PyTorch fixture of the bidirectional model, `edit`ed as a header text and its data, and
    /// made `size` bytes long (sparse): its header declaring a tensor of 1.5 GB or more at the end.
    func declaringGigabytes(_ edit: (String, Int) -> String, size: Int, to path: URL) throws {
        let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/pytorch-plain/brnn.safetensors")
        let (header, data) = safetensorsParts([UInt8](try Data(contentsOf: fixture)))
        let file = safetensorsFile(header: edit(header, data.count), data: data)
        try FileManager.default.createDirectory(at: path.deletingLastPathComponent(), withIntermediateDirectories: true)
        try file.write(to: path)
        try extend(path, to: file.count + size)
    }

    @Test("A header that honestly declares 1.5 GB the model does not have, in the folder or given, under ulimit -v 2000000: refused from its header, one line, exit 74, in a moment",
          arguments: [false, true])
    func honestlyLarge(given: Bool) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent(given ? "mine/brnn.safetensors" : "checkpoints/brnn.safetensors")
        let big = 1_500_000_000, wide = 20_000 * 20_000 * 4
        let expected: String
        if given {
            // fW_hh of shape [20000, 20000] (1.6 GB) at the end; its own bytes under another name.
            try declaringGigabytes({ header, end in
                var renamed = header.replacingOccurrences(of: "\"fW_hh\"", with: "\"zpad\"")
                let last = renamed.range(of: "}", options: .backwards)!
                renamed.replaceSubrange(last, with: ",\"fW_hh\":{\"dtype\":\"F32\",\"shape\":[20000,20000],\"data_offsets\":[\(end),\(end + wide)]}}")
                return renamed
            }, size: wide, to: path)
            expected = "error: mine/brnn.safetensors holds fW_hh of shape [20000, 20000], not [32, 32]: give --checkpoint brnn another file, or leave that option out\n"
        } else {
            try declaringGigabytes({ header, end in
                "{\"extra\":{\"dtype\":\"F32\",\"shape\":[\(big / 4)],\"data_offsets\":[\(end),\(end + big)]}," + header.dropFirst()
            }, size: big, to: path)
            expected = "error: checkpoints/brnn.safetensors holds a tensor extra the model does not have (it expects fW_xh [1, 32], fW_hh [32, 32], fb_h [32], bW_xh [1, 32], …, bb_q [1]: 10 tensors): run Chapter05-Training again with the same options, or pass --retrain\n"
        }
        let start = ContinuousClock.now
        let run = try runRaw("Chapter06-Approximation", ["--epochs", "1", "--no-render"] + (given ? ["--checkpoint", "brnn=mine/brnn.safetensors"] : []),
                             in: folder, through: "ulimit -v 2000000")
        #expect(run.reason == .exit && run.status == 74, "\(run.reason) \(run.status): \(run.standardError.prefix(300))")
        #expect(run.standardError == expected, "\(run.standardError.prefix(300))")
        #expect(ContinuousClock.now - start < .seconds(5))
    }

    @Test("Chapter05-Training's own checkpoints, given with --checkpoint, fit the models the check before any work expects",
          arguments: [["--hidden-size", "4"], ["--hidden-size", "4", "--corrected"]])
    func ownCheckpointsFit(extra: [String]) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let trained = try runChapter("Chapter05-Training", ["--epochs", "1", "--no-render"] + extra, in: folder)
        #expect(trained.status == 0, "\(trained.standardError)")
        let suffix = extra.contains("--corrected") ? "-corrected" : ""
        let given = ["deep-rnn-scratch", "deep-rnn-concise", "brnn"].flatMap {
            ["--checkpoint", "\($0)=checkpoints/\($0)\(suffix).safetensors"]
        }
        let run = try runChapter("Chapter06-Approximation", ["--epochs", "1", "--no-render"] + extra + given, in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.components(separatedBy: "given with --checkpoint").count == 4, "\(run.standardOutput)")
    }
}
