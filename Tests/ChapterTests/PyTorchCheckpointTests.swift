// Checkpoints made by PyTorch: the notebooks' models trained in PyTorch for 3 epochs and saved
// with safetensors.torch.save_file by scripts/load_in_pytorch.py (Fixtures/pytorch-checkpoints,
// with PyTorch's own outputs beside them). The workbook loads them and computes PyTorch's numbers.

import Foundation
import Testing

@Suite("Checkpoints made by PyTorch")
struct PyTorchCheckpointTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/pytorch-checkpoints")

    @Test("Chapter06-Approximation loads PyTorch's safetensors files and reproduces PyTorch's one-step errors and test loss")
    func pytorchCheckpoints() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let pytorch = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: Self.fixtures.appendingPathComponent("pytorch-outputs.json")))
                                   as? [String: Double])
        let arguments = ["--checkpoints-dir", Self.fixtures.path, "--epochs", "3", "--no-render"]
        let text = try runChapter("Chapter06-Approximation", arguments, in: folder)
        #expect(text.status == 0, "\(text.standardError)")
        for name in ["deep-rnn-scratch", "deep-rnn-concise", "brnn"] {
            #expect(text.standardOutput.contains("loaded \(Self.fixtures.path)/\(name).safetensors"), "\(text.standardOutput)")
        }
        let run = try runChapter("Chapter06-Approximation", arguments + ["--json"], in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
        let deep = try #require(json["deep_rnn"] as? [String: Any]), bidirectional = try #require(json["bidirectional_rnn"] as? [String: Any])
        let ours: [String: Double] = [
            "scratch_one_step_error": try #require(deep["scratch_one_step_error"] as? Double),
            "concise_one_step_error": try #require(deep["concise_one_step_error"] as? Double),
            "test_loss": try #require(bidirectional["test_loss"] as? Double),
        ]
        for (name, value) in ours {
            let expected = try #require(pytorch[name])
            #expect(abs(value - expected) <= 1e-5 * abs(expected), "\(name): the workbook computes \(value), PyTorch \(expected)")
        }
    }
}
