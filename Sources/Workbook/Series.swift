// The deep RNN notebook's data: a noisy line and its first differences.

/// `data = B_0 + B_1 · x + Normal(0, 10)` for `x = 0, 1, …, n − 1`, and `data_trans`, its first differences.
public struct NoisyLine {
    /// `x` `(n)`: 0, 1, …, n − 1; `data` `(n)`; and `data_trans = data[1:] − data[:-1]` `(n − 1)`,
    /// about `B_1` plus the difference of two noises.
    public let x: Tensor, data: Tensor, differences: Tensor

    /// Draws the noise as `torch.distributions.Normal(0, noise).sample((n,))` does.
    public init(count: Int = 200, intercept: Float = 5, slope: Float = 7, noise: Float = 10,
                using generator: inout TorchGenerator) {
        check(count >= 2, "NoisyLine: need at least 2 points, got \(count)")
        let x = Tensor((0..<count).map(Float.init))
        self.init(x: x, data: Tensor(x.values.map { intercept + slope * $0 }) + Tensor.normal([count], mean: 0, std: noise, using: &generator))
    }

    /// A series given as values (a user's own data).
    public init(values: [Float]) {
        check(values.count >= 2, "NoisyLine: need at least 2 points, got \(values.count)")
        self.init(x: Tensor((0..<values.count).map(Float.init)), data: Tensor(values))
    }

    private init(x: Tensor, data: Tensor) {
        (self.x, self.data) = (x, data.detached())
        differences = Tensor((1..<data.count).map { data.elements[$0] - data.elements[$0 - 1] })
    }
}
