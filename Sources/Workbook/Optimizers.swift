// The optimisers: `torch.optim.SGD` without momentum, as the notebooks, and `torch.optim.Adam` (corrections).

import Foundation

/// What a training loop needs of an optimiser: its parameters, and a step that updates every one
/// that has a gradient (`optimizer.step()`).
public protocol Optimizer: AnyObject { var parameters: [Tensor] { get }; func step() }

extension Optimizer {
    /// Forgets the gradients (`optimizer.zero_grad()`).
    public func zeroGrad() { for p in parameters { p.zeroGrad() } }
}

/// Plain SGD: `p ← p − lr · ∇p` for every parameter that has a gradient.
public final class SGD: Optimizer {
    public let parameters: [Tensor]
    /// The step size (`lr`).
    public var learningRate: Float

    public init(_ parameters: [Tensor], learningRate: Float) { (self.parameters, self.learningRate) = (parameters, learningRate) }

    /// Updates every parameter in place, as PyTorch's `p.add_(grad, alpha=-lr)`.
    public func step() {
        let alpha = -learningRate
        for p in parameters {
            guard let grad = p.grad else { continue }
            let (pp, g) = (p.elements, grad.elements)
            for i in 0..<p.count { pp[i] = pp[i] + alpha * g[i] }
        }
    }
}

/// Adam (Kingma and Ba, 2015) with PyTorch's defaults and update rule (`torch.optim.Adam`, single-tensor path).
///
/// For each parameter, with step count `t` from 1:
/// ```
/// m ← m + (1 − β₁)(g − m)                 first moment (exp_avg.lerp_)
/// v ← β₂ v + (1 − β₂) g²                  second moment (exp_avg_sq)
/// p ← p − lr / (1 − β₁ᵗ) · m / (√v / √(1 − β₂ᵗ) + ε)
/// ```
/// The bias corrections are computed in double precision, as PyTorch does from its step count.
/// With a `weightDecay` λ, the gradient is `g + λ p` before the moments, as `Adam(weight_decay=λ)`
/// (L2 regularisation, not AdamW's decoupled decay).
public final class Adam: Optimizer {
    public let parameters: [Tensor]
    public var learningRate: Float   // lr, default 0.001
    /// `betas` (default 0.9, 0.999), `eps` added to the denominator (1e-8), and `weight_decay` λ (0).
    public let beta1: Float, beta2: Float, epsilon: Float, weightDecay: Float
    public private(set) var stepCount = 0   // steps taken so far
    private let firstMoments: [Tensor], secondMoments: [Tensor]

    public init(_ parameters: [Tensor], learningRate: Float = 1e-3, betas: (Float, Float) = (0.9, 0.999),
                epsilon: Float = 1e-8, weightDecay: Float = 0) {
        (self.parameters, self.learningRate, (beta1, beta2), self.epsilon, self.weightDecay) = (parameters, learningRate, betas, epsilon, weightDecay)
        (firstMoments, secondMoments) = (parameters.map { Tensor(zeros: $0.shape) }, parameters.map { Tensor(zeros: $0.shape) })
    }

    public func step() {
        stepCount += 1
        let t = Double(stepCount)
        let stepSize = Float(Double(learningRate) / (1 - pow(Double(beta1), t)))
        let correction2 = Float((1 - pow(Double(beta2), t)).squareRoot())
        // PyTorch computes 1 − β in double precision from Python floats, then rounds to float.
        let (weight1, weight2) = (Float(1 - Double(beta1)), Float(1 - Double(beta2)))
        for (i, p) in parameters.enumerated() {
            guard let grad = p.grad else { continue }
            let (pp, g, m, v, decay) = (p.elements, grad.elements, firstMoments[i].elements, secondMoments[i].elements, weightDecay)
            for j in 0..<p.count {
                let g = decay == 0 ? g[j] : g[j] + decay * pp[j]       // grad.add(param, alpha=weight_decay)
                m[j] = m[j] + weight1 * (g - m[j])
                v[j] = v[j] * beta2 + weight2 * g * g
                pp[j] = pp[j] + (-stepSize * m[j]) / (v[j].squareRoot() / correction2 + epsilon)
            }
        }
    }
}
