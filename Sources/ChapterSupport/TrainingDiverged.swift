// A training run that diverged: what the chapters print and the exit code they end with.

/// A training run whose loss became NaN or infinite: it stopped at that epoch, with the parameters
/// of the epoch before, the last finite ones. Chapters exit with ``ExitCode32/diverged``.
public struct TrainingDiverged: Error, CustomStringConvertible {
    public let run: String
    public let epoch: Int
    public let loss: Float
    public let learningRate: Float
    public let clipped: Bool

    /// Why, when it is known not to be the learning rate.
    public let cause: String?

    public init(run: String, epoch: Int, loss: Float, learningRate: Float, clipped: Bool,
                cause: String? = nil) {
        (self.run, self.epoch, self.loss, self.learningRate, self.clipped, self.cause) =
            (run, epoch, loss, learningRate, clipped, cause)
    }

    /// Throws when the last loss of a run is not finite.
    public static func check(_ losses: [Float], run: String, learningRate: Float, clipped: Bool,
                             cause: String? = nil) throws {
        guard let last = losses.last, !last.isFinite else { return }
        throw TrainingDiverged(run: run, epoch: losses.count - 1, loss: last,
                               learningRate: learningRate, clipped: clipped, cause: cause)
    }

    public var description: String {
        "\(run) diverged at epoch \(epoch) (loss \(loss.isNaN ? "nan" : "\(loss)")); "
            + "it stopped there and kept its last finite parameters, and no "
            + "checkpoint was written. "
            + (cause ?? "The learning rate \(learningRate) is likely too large"
                + (clipped ? "" : " for a run without gradient clipping")
                + ": lower it with --learning-rate.")
    }
}
