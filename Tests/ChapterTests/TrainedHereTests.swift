// The chapters after Chapter05-Training train its models themselves when its checkpoints are not
// there (Sources/Experiments/NotebookTraining.swift, with the settings Chapter05.swift writes in its
// cells): what they compute must be the same either way.

import Foundation
import Testing

@Suite("A model trained by a later chapter is the one Chapter05 saves", .serialized)
struct TrainedHereTests {
    /// A run's lines without those that say where its models came from.
    func results(_ text: String) -> [Substring] {
        text.split(separator: "\n").filter { !$0.contains(": loaded ") && !$0.contains(": training it here") }
    }

    @Test("Chapter06 prints the same on Chapter05's checkpoints as when it trains the models itself",
          arguments: [false, true])
    func sameEitherWay(corrected: Bool) throws {
        let variant = corrected ? ["--corrected"] : []
        let (saved, fresh) = (try temporaryFolder(), try temporaryFolder())
        defer { for folder in [saved, fresh] { try? FileManager.default.removeItem(at: folder) } }
        let training = try runChapter("Chapter05-Training", ["--epochs", "2", "--no-render"] + variant, in: saved)
        #expect(training.status == 0, "\(training.standardError)")
        let loaded = try runChapter("Chapter06-Approximation", ["--epochs", "2", "--no-render"] + variant, in: saved)
        let trainedHere = try runChapter("Chapter06-Approximation", ["--epochs", "2", "--no-render"] + variant, in: fresh)
        #expect(loaded.status == 0 && trainedHere.status == 0, "\(loaded.standardError)\(trainedHere.standardError)")
        #expect(loaded.standardOutput.contains(": loaded "))
        #expect(trainedHere.standardOutput.contains(": training it here"))
        #expect(results(loaded.standardOutput) == results(trainedHere.standardOutput))
    }
}
