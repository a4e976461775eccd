// The notebooks' training logs: the first and last epochs' losses, and a progress bar.

import Foundation

/// One training run's printed log.
public final class TrainingLog {
    private let output: Output
    private let run: String
    private let epochs: Int
    private var lastBar = ContinuousClock.now
    private var tail: [String] = []
    private static let shown = 4

    init(output: Output, run: String, epochs: Int) {
        self.output = output
        self.run = run
        self.epochs = epochs
    }

    /// Reports one epoch: pass it as the training loop's `onEpoch`.
    public func report(_ epoch: Int, _ loss: Float) {
        let lines = ["Training loss \(Output.python(loss))", "Epoch \(epoch)"]
        if output.options.verbose || epoch < Self.shown {
            lines.forEach { output.line($0) }
        } else {
            if epoch == Self.shown && epochs > 2 * Self.shown { output.line("...") }
            tail += lines
            if tail.count > 2 * Self.shown { tail.removeFirst(2) }
        }
        let now = ContinuousClock.now
        if now - lastBar > .milliseconds(50) || epoch + 1 == epochs {
            lastBar = now
            let width = 30, done = width * (epoch + 1) / Swift.max(epochs, 1)
            output.progressBar("\(run) [\(String(repeating: "#", count: done))"
                               + "\(String(repeating: " ", count: width - done))] "
                               + "epoch \(epoch + 1)/\(epochs) loss \(Output.python(loss))")
        }
    }

    /// Prints the last epochs and clears the progress bar.
    public func finish() {
        tail.forEach { output.line($0) }
        tail = []
        output.progressBar("")
    }
}
