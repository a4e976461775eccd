// The notebooks' training logs: the first and last epochs' losses, and a progress bar.

import Foundation

/// One training run's printed log.
public final class TrainingLog {
    private let output: Output
    private let run: String
    private let epochs: Int
    private let verbose: Bool   // --verbose: every epoch's lines
    private let started = ContinuousClock.now
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
            output.progressBar(Self.bar(run, epoch + 1, of: epochs, loss: loss, after: now - started))
        }
    }

    /// The progress bar's line after `done` of `epochs` epochs in `elapsed`: the run, a bar, the
    /// epochs, the last loss, the rate and the time left, in plain ASCII, under 80 columns for the
    /// notebooks' runs: `DRNN [#######.........] 2250/5000 loss 1.235e+05 1500 epochs/s 0:02 left`.
    static func bar(_ run: String, _ done: Int, of epochs: Int, loss: Float,
                    after elapsed: Duration) -> String {
        let width = 16, filled = width * done / Swift.max(epochs, 1)
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        let rate = seconds > 0 ? Double(done) / seconds : 0
        let left = rate > 0 ? Double(epochs - done) / rate : 0
        return "\(run) [\(String(repeating: "#", count: filled))"
            + "\(String(repeating: ".", count: width - filled))] \(done)/\(epochs) "
            + "loss \(String(format: "%.4g", Double(loss))) "
            + (rate >= 100 ? "\(Int(rate.rounded()))" : String(format: "%.3g", rate)) + " epochs/s "
            + (done == epochs ? "done" : clock(left) + " left")
    }

    /// Seconds as `m:ss`, or `h:mm:ss` from an hour on.
    static func clock(_ seconds: Double) -> String {
        let total = Int(seconds.rounded(.up)), (h, m, s) = (total / 3600, total / 60 % 60, total % 60)
        return h > 0 ? String(format: "%d:%02d:%02d", h, m, s) : String(format: "%d:%02d", m, s)
    }

    /// The notebooks' two lines for an epoch.
    private func printLines(_ epoch: Int, _ loss: Float) {
        output.line("Training loss \(Output.python(loss))")
        output.line("Epoch \(epoch)")
    }

    /// Clears the progress bar and prints the last epochs.
    public func finish() {
        output.progressBar("")
        tail.forEach { printLines($0.epoch, $0.loss) }
        tail = []
    }
}
