// Activations: tanh (the concise `nn.RNN`) and ReLU (the bidirectional notebook's cells).

import Foundation

extension Tensor {
    /// The hyperbolic tangent of every element; its derivative is `1 − y²`.
    public func tanh() -> Tensor {
        let out = Tensor.result(shape, from: [self]) { out in
            let (g, gx, py) = (out.gradPointer(), self.gradPointer(), out.pointer)
            for i in 0..<out.count { gx[i] += g[i] * (1 - py[i] * py[i]) }
        }
        Workbook.tanh(pointer, into: out.pointer, count: count)   // vectorised, FastMath.swift
        return out
    }

    /// `max(0, x)` for every element; the gradient passes where `x > 0`.
    public func relu() -> Tensor {
        Tensor.unary(self, RectifiedLinear())
    }
}

struct RectifiedLinear: UnaryFunction {
    func value(_ x: Float) -> Float { Swift.max(x, 0) }
    func derivative(_ x: Float, _ y: Float) -> Float { x > 0 ? 1 : 0 }
}
