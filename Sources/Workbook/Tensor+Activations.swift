// Activations: tanh (the concise `nn.RNN`) and ReLU (the bidirectional notebook's cells).

import Foundation

extension Tensor {
    /// The hyperbolic tangent of every element; its derivative is `1 − y²`.
    public func tanh() -> Tensor {
        Tensor.unary(self, forward: { tanhf($0) }, derivative: { _, y in 1 - y * y })
    }

    /// `max(0, x)` for every element; the gradient passes where `x > 0`.
    public func relu() -> Tensor {
        Tensor.unary(self, forward: { Swift.max($0, 0) }, derivative: { x, _ in x > 0 ? 1 : 0 })
    }
}
