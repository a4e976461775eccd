// Models a PyTorch user saves with safetensors.torch.save_file(model.state_dict(), path): no
// metadata, no checksum (Fixtures/pytorch-plain, made by scripts/load_in_pytorch.py --plain, with
// PyTorch's own outputs beside them). A file with the model's names, shapes and float32 dtype is
// that model: Chapter06 loads it from --checkpoints-dir or from --checkpoint NAME=FILE and
// computes PyTorch's numbers; anything else is refused with one line and exit 74. A model given
// with --checkpoint is never trained in its place.

import Foundation
import Testing

@Suite("Plain PyTorch files and --checkpoint NAME=FILE", .serialized)
struct PlainPyTorchFileTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let plain = fixtures.appendingPathComponent("pytorch-plain")
    /// The workbook-format files PyTorch saved after 3 epochs a round (metadata `epochs` 3).
    static let withMetadata = fixtures.appendingPathComponent("pytorch-checkpoints")

    static func file(_ folder: URL, _ name: String) -> String { folder.appendingPathComponent(name).path }

    /// PyTorch's one-step errors and test loss on the models of `folder`.
    static func pytorchOutputs(_ folder: URL) throws -> [String: Double] {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: folder.appendingPathComponent("pytorch-outputs.json")))
                                as? [String: Any])
        return json.compactMapValues { $0 as? Double }
    }

    /// Chapter06's `--json` numbers, named as in pytorch-outputs.json.
    static func chapterOutputs(_ arguments: [String], in folder: URL) throws -> [String: Double] {
        let run = try runChapter("Chapter06-Approximation", arguments + ["--json", "--no-render"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        let deep = try #require(json["deep_rnn"] as? [String: Any]), bidirectional = try #require(json["bidirectional_rnn"] as? [String: Any])
        return ["scratch_one_step_error": try #require(deep["scratch_one_step_error"] as? Double),
                "concise_one_step_error": try #require(deep["concise_one_step_error"] as? Double),
                "test_loss": try #require(bidirectional["test_loss"] as? Double)]
    }

    static func expectPyTorch(_ ours: [String: Double], _ pytorch: [String: Double], names: [String],
                              sourceLocation: SourceLocation = #_sourceLocation) throws {
        for name in names {
            let value = try #require(ours[name]), expected = try #require(pytorch[name])
            #expect(abs(value - expected) <= 1e-5 * abs(expected), "\(name): the workbook computes \(value), PyTorch \(expected)",
                    sourceLocation: sourceLocation)
        }
    }

    static let allNames = ["scratch_one_step_error", "concise_one_step_error", "test_loss"]

    // With --epochs 1 a model trained here instead of loaded gives other numbers than PyTorch's.

    @Test("Plain state_dicts in --checkpoints-dir are loaded as they are and give PyTorch's numbers")
    func plainFolder() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["--checkpoints-dir", Self.plain.path, "--epochs", "1"]
        let run = try runChapter("Chapter06-Approximation", arguments + ["--no-render"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        let path = { Self.file(Self.plain, $0) }
        #expect(run.standardOutput.contains("from-scratch DRNN: loaded \(path("deep-rnn-scratch.safetensors")) (without the workbook's metadata: "
                                            + "used as it is; layer 0 is seed 0's initial one, as the notebook's state_dict leaves it out and never trains it)\n"),
                "\(run.standardOutput)")
        #expect(run.standardOutput.contains("concise model: loaded \(path("deep-rnn-concise.safetensors")) (without the workbook's metadata: used as it is)\n"))
        #expect(run.standardOutput.contains("bidirectional model: loaded \(path("brnn.safetensors")) (without the workbook's metadata: used as it is)\n"))
        #expect(!run.standardOutput.contains("training it here"))
        try Self.expectPyTorch(try Self.chapterOutputs(arguments, in: folder), try Self.pytorchOutputs(Self.plain), names: Self.allNames)
    }

    @Test("Plain files given with --checkpoint NAME=FILE give PyTorch's numbers; the concise model also under nn.RNN's own names",
          arguments: ["deep-rnn-concise.safetensors", "deep-rnn-concise-bare.safetensors"])
    func plainGiven(concise: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let arguments = ["--epochs", "1",
                         "--checkpoint", "deep-rnn-scratch=" + Self.file(Self.plain, "deep-rnn-scratch.safetensors"),
                         "--checkpoint", "deep-rnn-concise=" + Self.file(Self.plain, concise),
                         "--checkpoint", "brnn=" + Self.file(Self.plain, "brnn.safetensors")]
        let run = try runChapter("Chapter06-Approximation", arguments + ["--no-render"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        let names = concise.contains("bare") ? "; nn.RNN's own names" : ""
        #expect(run.standardOutput.contains("concise model: loaded \(Self.file(Self.plain, concise)) (given with --checkpoint\(names))\n"),
                "\(run.standardOutput)")
        #expect(run.standardOutput.contains("bidirectional model: loaded \(Self.file(Self.plain, "brnn.safetensors")) (given with --checkpoint)\n"))
        #expect(!run.standardOutput.contains("training it here"))
        try Self.expectPyTorch(try Self.chapterOutputs(arguments, in: folder), try Self.pytorchOutputs(Self.plain), names: Self.allNames)
    }

    /// The plain concise file with `change` made to its header (which stays well-formed).
    static func concise(_ change: (String) -> String) throws -> Data {
        let (header, data) = safetensorsParts([UInt8](try Data(contentsOf: plain.appendingPathComponent("deep-rnn-concise.safetensors"))))
        let changed = change(header)
        #expect(changed != header)
        return safetensorsFile(header: changed, data: data)
    }

    @Test("A file with a wrong name, a wrong shape, in float16 or float64, or whose crc32 is wrong: one line naming the mismatch, exit 74")
    func refusals() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let checkpoints = folder.appendingPathComponent("checkpoints")
        try FileManager.default.createDirectory(at: checkpoints, withIntermediateDirectories: true)
        for name in ["deep-rnn-scratch.safetensors", "deep-rnn-concise.safetensors", "brnn.safetensors"] {
            try FileManager.default.copyItem(at: Self.plain.appendingPathComponent(name), to: checkpoints.appendingPathComponent(name))
        }
        let wrongName = folder.appendingPathComponent("wrong-name.safetensors")
        try Self.concise { $0.replacingOccurrences(of: "\"0.weight_hh_l1\"", with: "\"0.weight_hh_l9\"") }.write(to: wrongName)
        // The same values under the workbook's checksum, one byte of the data changed after.
        let (brnnHeader, brnnData) = safetensorsParts([UInt8](try Data(contentsOf: Self.plain.appendingPathComponent("brnn.safetensors"))))
        var badChecksum = [UInt8](safetensorsFile(header: "{\"__metadata__\":{\"crc32\":\"00000000\"}," + brnnHeader.dropFirst(), data: brnnData))
        badChecksum[badChecksum.count - 5] ^= 0x01
        let badChecksumFile = folder.appendingPathComponent("bad-checksum.safetensors")
        try Data(badChecksum).write(to: badChecksumFile)

        // The README's table quotes these messages: they are written out whole.
        let expects = "(it expects 0.weight_ih_l0 [8, 1], 0.weight_hh_l0 [8, 8], 0.bias_ih_l0 [8], 0.bias_hh_l0 [8], …, 1.b_q [1]: 10 tensors, "
            + "or the same names without 0. and 1.)"
        let givenConcise = "give --checkpoint deep-rnn-concise another file, or leave that option out"
        // What is printed before: nothing when a file given with --checkpoint cannot be read or
        // does not fit its model (every one is read, and its header checked against its model,
        // before any work); the models loaded before, and the deep RNN's results before the
        // bidirectional model, when a file in the folder is refused as its model loads.
        let nothing = "", models = "from-scratch DRNN: loaded", results = "Deep RNN: one-step-ahead predictions"
        // (what, a file to write in checkpoints/ first, the arguments, the message, what is printed before)
        let cases: [(String, (String, Data)?, [String], String, String)] = [
            ("a wrong name, given", nil, ["--checkpoint", "deep-rnn-concise=" + wrongName.path],
             "error: \(wrongName.path) holds no tensor 0.weight_hh_l1, which the model needs \(expects): \(givenConcise)", nothing),
            ("a wrong name, in the folder", ("deep-rnn-concise.safetensors", try Data(contentsOf: wrongName)), [],
             "error: checkpoints/deep-rnn-concise.safetensors holds no tensor 0.weight_hh_l1, which the model needs (it expects 0.weight_ih_l0 [8, 1], "
                + "0.weight_hh_l0 [8, 8], 0.bias_ih_l0 [8], 0.bias_hh_l0 [8], …, 1.b_q [1]: 10 tensors, or the same names without 0. and 1.): "
                + "run Chapter05-Training again with the same options, or pass --retrain", models),
            ("a wrong shape, in the folder",
             ("deep-rnn-concise.safetensors", try Self.concise { $0.replacingOccurrences(of: "\"0.weight_hh_l1\":{\"dtype\":\"F32\",\"shape\":[8,8]",
                                                                                      with: "\"0.weight_hh_l1\":{\"dtype\":\"F32\",\"shape\":[4,16]") }), [],
             "error: checkpoints/deep-rnn-concise.safetensors holds 0.weight_hh_l1 of shape [4, 16], not [8, 8]: run Chapter05-Training again with the same options, or pass --retrain", models),
            ("float16, given", nil, ["--checkpoint", "deep-rnn-concise=" + Self.file(Self.plain, "deep-rnn-concise-f16.safetensors")],
             "error: \(Self.file(Self.plain, "deep-rnn-concise-f16.safetensors")) holds 0.bias_hh_l0 as F16, not F32: the workbook reads float32 "
                + "tensors only (in PyTorch, save model.float().state_dict()); \(givenConcise)", nothing),
            ("float64, in the folder", ("brnn.safetensors", try Data(contentsOf: Self.plain.appendingPathComponent("brnn-f64.safetensors"))), [],
             "error: checkpoints/brnn.safetensors holds bW_hh as F64, not F32: the workbook reads float32 tensors only (in PyTorch, save model.float().state_dict()); run Chapter05-Training again with the same options, or pass --retrain", results),
            ("a crc32 that does not match, given", nil, ["--checkpoint", "brnn=" + badChecksumFile.path],
             "error: \(badChecksumFile.path) is damaged (the checksum does not match: the file changed after it was written): give --checkpoint brnn another file, or leave that option out", nothing),
            ("a crc32 that does not match, in the folder", ("brnn.safetensors", Data(badChecksum)), [],
             "error: checkpoints/brnn.safetensors is damaged (the checksum does not match: the file changed after it was written): "
                + "delete it and run Chapter05-Training again, or pass --retrain", results),
        ]
        for (what, write, arguments, message, before) in cases {
            var restore: (URL, Data)?
            if let (name, bytes) = write {
                let target = checkpoints.appendingPathComponent(name)
                restore = (target, try Data(contentsOf: target))
                try bytes.write(to: target)
            }
            let run = try runChapter("Chapter06-Approximation", ["--epochs", "1", "--no-render"] + arguments, in: folder)
            expectFailure(run, status: 74, message, in: folder)
            #expect(run.standardError == message + "\n", "\(what)")
            #expect(!run.standardOutput.contains("training it here"), "\(what): \(run.standardOutput)")
            #expect(!run.standardOutput.contains("accuracy"), "\(what): results printed from an unusable file")
            #expect(before.isEmpty ? run.standardOutput.isEmpty : run.standardOutput.contains(before), "\(what): \(run.standardOutput)")
            #expect(run.standardOutput.contains(results) == (before == results), "\(what): \(run.standardOutput)")
            if let (target, bytes) = restore { try bytes.write(to: target) }
        }
    }

    @Test("--checkpoint NAME=FILE with a missing file fails at once, exit 74, instead of training", arguments: ["Chapter06-Approximation", "Chapter07-Beyond"])
    func missingGivenFile(chapter: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runChapter(chapter, ["--epochs", "1", "--no-render", "--checkpoint", "deep-rnn-concise=mine/concise.safetensors"], in: folder)
        let message = "error: no checkpoint at mine/concise.safetensors: check the path given to --checkpoint deep-rnn-concise, or leave that option out"
        expectFailure(run, status: 74, message, in: folder)
        #expect(run.standardError == message + "\n")
        #expect(run.standardOutput.isEmpty, "\(run.standardOutput)")
    }

    @Test("--checkpoint NAME=FILE loads a workbook checkpoint made with other settings, says so, and gives its numbers; the folder's own is retrained")
    func otherSettingsGiven() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let concise = Self.file(Self.withMetadata, "deep-rnn-concise.safetensors")
        let arguments = ["--epochs", "2", "--checkpoints-dir", Self.withMetadata.path, "--checkpoint", "deep-rnn-concise=" + concise]
        let run = try runChapter("Chapter06-Approximation", arguments + ["--no-render"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("concise model: loaded \(concise) (given with --checkpoint; its settings differ from this run's: epochs 3 (here 2))\n"),
                "\(run.standardOutput)")
        #expect(run.standardOutput.contains("from-scratch DRNN: training it here (\(Self.file(Self.withMetadata, "deep-rnn-scratch.safetensors")) "
                                            + "was made with other settings (corrected false, epochs 3, seed 0))"), "\(run.standardOutput)")
        let pytorch = try Self.pytorchOutputs(Self.withMetadata)
        let ours = try Self.chapterOutputs(arguments, in: folder)
        try Self.expectPyTorch(ours, pytorch, names: ["concise_one_step_error"])
        let scratch = try #require(ours["scratch_one_step_error"]), theirs = try #require(pytorch["scratch_one_step_error"])
        #expect(abs(scratch - theirs) > 1e-3 * abs(theirs), "the from-scratch DRNN was trained here for 2 epochs, not loaded")

        // Another writer's metadata, as safetensors.torch.save_model writes it, records no settings.
        let (header, data) = safetensorsParts([UInt8](try Data(contentsOf: Self.plain.appendingPathComponent("brnn.safetensors"))))
        let saved = folder.appendingPathComponent("brnn-save-model.safetensors")
        try safetensorsFile(header: "{\"__metadata__\":{\"format\":\"pt\"}," + header.dropFirst(), data: data).write(to: saved)
        let other = try runChapter("Chapter06-Approximation", ["--epochs", "2", "--no-render", "--checkpoint", "brnn=" + saved.path], in: folder)
        #expect(other.status == 0, "\(other.standardError)")
        #expect(other.standardOutput.contains("bidirectional model: loaded \(saved.path) (given with --checkpoint)\n"), "\(other.standardOutput)")
    }

    @Test("Chapter07 loads the concise model given with --checkpoint, and the notebook's DRNN, not the corrected one, from deep-rnn-scratch")
    func chapter07() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let scratch = Self.file(Self.plain, "deep-rnn-scratch.safetensors"), concise = Self.file(Self.plain, "deep-rnn-concise-bare.safetensors")
        let run = try runChapter("Chapter07-Beyond", ["--epochs", "2", "--no-render", "--checkpoint", "deep-rnn-scratch=" + scratch,
                                                      "--checkpoint", "deep-rnn-concise=" + concise], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("from-scratch DRNN (notebook): loaded \(scratch) (given with --checkpoint; layer 0 is seed 0's initial one"),
                "\(run.standardOutput)")
        #expect(run.standardOutput.contains("from-scratch DRNN (corrected): training it here (no checkpoint at checkpoints/deep-rnn-scratch-corrected.safetensors)"))
        #expect(run.standardOutput.contains("concise model (nn.RNN): loaded \(concise) (given with --checkpoint; nn.RNN's own names)\n"))
    }
}
