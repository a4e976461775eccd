// The notebooks' training logs: the first and last epochs' losses, and a progress bar.

import Foundation

/// One training run's printed log.
public final class TrainingLog {
    private let output: Output
    private let run: String
    private let epochs: Int
    private let verbose: Bool   // --verbose: every epoch's lines
    private var lastBar = ContinuousClock.now
    /// The last epochs' losses, formatted only when ``finish()`` prints them, not every epoch.
    private var tail: [(epoch: Int, loss: Float)] = []
    private static let shown = 4

    init(output: Output, run: String, epochs: Int) {
        self.output = output
        self.run = run
        self.epochs = epochs
        verbose = output.options.verbose
    }

    /// Reports one epoch: pass it as the training loop's `onEpoch`.
    public func report(_ epoch: Int, _ loss: Float) {
        if verbose || epoch < Self.shown {
            printLines(epoch, loss)
        } else {
            if epoch == Self.shown && epochs > 2 * Self.shown { output.line("...") }
            tail.append((epoch, loss))
            if tail.count > Self.shown { tail.removeFirst() }
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

    /// The notebooks' two lines for an epoch.
    private func printLines(_ epoch: Int, _ loss: Float) {
        output.line("Training loss \(Output.python(loss))")
        output.line("Epoch \(epoch)")
    }

    /// Prints the last epochs and clears the progress bar.
    public func finish() {
        tail.forEach { printLines($0.epoch, $0.loss) }
        tail = []
        output.progressBar("")
    }
}
