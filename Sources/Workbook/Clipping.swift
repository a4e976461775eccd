// Gradient clipping: the notebooks' per-parameter rule, and the standard global norm (d2l 9.5.3).

extension Tensor {
    /// The Euclidean norm of the values (`torch.norm(x.flatten())`).
    ///
    /// Like PyTorch's float32 norm, it overflows to infinity when the sum of squares exceeds the
    /// float range (a norm above about 1.8e19), and the clipping below then scales the gradient to zero.
    public var norm: Float {
        var total = 0.0
        for i in 0..<count { total += Double(elements[i]) * Double(elements[i]) }
        return Float(total).squareRoot()
    }
}

/// The notebooks' `gradientClipping(model, alpha)`: each parameter's gradient on its own is
/// scaled down to norm `θ = alpha · numel` when it is longer.
///
/// This is d2l's equation (9.5.3), `g ← min(1, θ / ‖g‖) g`, applied to each tensor separately,
/// with a threshold that grows with the tensor's size: an 8 × 8 matrix may have a gradient of norm
/// 64 before it is clipped, a bias of 8 elements only 8.
///
/// A gradient whose norm overflows float32 (above about 1.8e19, which the bidirectional notebook
/// reaches in its first epochs) has norm `inf` in PyTorch: `θ / inf = 0`, so the gradient becomes
/// zero and that parameter is not updated in that step. This function does the same.
public func clipGradientsPerParameter(_ parameters: [Tensor], alpha: Float = 1) {
    for p in parameters {
        guard let grad = p.grad else { continue }
        let norm = grad.norm
        let theta = alpha * Float(p.count)
        if norm > theta {
            let scale = theta / norm
            for i in 0..<grad.count { grad.elements[i] *= scale }
        }
    }
}

/// d2l's equation (9.5.3) as d2l uses it: all gradients together, as one vector, scaled down to
/// norm `θ` when longer (`torch.nn.utils.clip_grad_norm_`). Returns the norm before clipping.
@discardableResult
public func clipGradientsGlobally(_ parameters: [Tensor], maxNorm theta: Float) -> Float {
    let grads = parameters.compactMap(\.grad)
    let norm = Float(grads.reduce(0.0) { $0 + Double($1.norm) * Double($1.norm) }).squareRoot()
    if norm > theta {
        let scale = theta / norm
        for grad in grads { for i in 0..<grad.count { grad.elements[i] *= scale } }
    }
    return norm
}
