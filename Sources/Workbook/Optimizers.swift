// Stochastic gradient descent, as `torch.optim.SGD` without momentum.

/// Plain SGD: `p ← p − lr · ∇p` for every parameter that has a gradient.
public final class SGD {
    public let parameters: [Tensor]
    /// The step size (`lr`).
    public var learningRate: Float

    public init(_ parameters: [Tensor], learningRate: Float) {
        self.parameters = parameters
        self.learningRate = learningRate
    }

    /// Updates every parameter in place (`optimizer.step()`), as PyTorch's `p.add_(grad, alpha=-lr)`.
    public func step() {
        let alpha = -learningRate
        for p in parameters {
            guard let grad = p.grad else { continue }
            let (pp, g) = (p.pointer, grad.pointer)
            for i in 0..<p.count { pp[i] = pp[i] + alpha * g[i] }
        }
    }

    /// Forgets the gradients (`optimizer.zero_grad()`).
    public func zeroGrad() {
        for p in parameters { p.zeroGrad() }
    }
}
