// Gradient clipping: the notebooks' per-parameter rule, and the standard global norm (d2l 9.5.3).

extension Tensor {
    /// The Euclidean norm of the values (`torch.norm(x.flatten())`). Like PyTorch's float32 norm, it
    /// overflows to infinity above about 1.8e19, and the clipping below then zeroes the gradient.
    public var norm: Float { Float((0..<count).reduce(0.0) { $0 + Double(elements[$1]) * Double(elements[$1]) }).squareRoot() }
}

/// The notebooks' `gradientClipping(model, alpha)`: each parameter's gradient on its own is scaled
/// down to norm `θ = alpha · numel` when longer. d2l's equation (9.5.3), `g ← min(1, θ / ‖g‖) g`, per
/// tensor, with a threshold that grows with its size: an 8 × 8 matrix's gradient may reach norm 64
/// before it is clipped, a bias of 8 elements only 8. A norm that overflows float32 (the
/// bidirectional notebook's first epochs) is `inf`, as in PyTorch: `θ / inf = 0` zeroes that gradient.
public func clipGradientsPerParameter(_ parameters: [Tensor], alpha: Float = 1) {
    for p in parameters {
        guard let grad = p.grad else { continue }
        let norm = grad.norm
        let theta = alpha * Float(p.count)
        if norm > theta { for i in 0..<grad.count { grad.elements[i] *= theta / norm } }
    }
}

/// d2l's equation (9.5.3) as d2l uses it: all gradients together, as one vector, scaled down to
/// norm `θ` when longer (`torch.nn.utils.clip_grad_norm_`). Returns the norm before clipping.
@discardableResult
public func clipGradientsGlobally(_ parameters: [Tensor], maxNorm theta: Float) -> Float {
    let grads = parameters.compactMap(\.grad)
    let norm = Float(grads.reduce(0.0) { $0 + Double($1.norm) * Double($1.norm) }).squareRoot()
    if norm > theta { for grad in grads { for i in 0..<grad.count { grad.elements[i] *= theta / norm } } }
    return norm
}
