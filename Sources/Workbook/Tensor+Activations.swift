// Activations: tanh (the concise `nn.RNN`) and ReLU (the bidirectional notebook's cells).

import Foundation

extension Tensor {
    /// The hyperbolic tangent of every element; its derivative is `1 − y²`.
    public func tanh() -> Tensor {
        Tensor.unary(self, HyperbolicTangent())
    }

    /// `max(0, x)` for every element; the gradient passes where `x > 0`.
    public func relu() -> Tensor {
        Tensor.unary(self, RectifiedLinear())
    }
}

struct HyperbolicTangent: UnaryFunction {
    func value(_ x: Float) -> Float { tanhf(x) }
    func derivative(_ x: Float, _ y: Float) -> Float { 1 - y * y }
}

struct RectifiedLinear: UnaryFunction {
    func value(_ x: Float) -> Float { Swift.max(x, 0) }
    func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : 0 }
}
