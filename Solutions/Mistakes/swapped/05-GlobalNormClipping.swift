// Mistake: every gradient scaled by θ / ‖g‖, even one shorter than θ.
// (The reference solution of exercise 05 with this one mistake: its check must fail.)

/// The Euclidean norm of some values.
func norm(_ values: [Float]) -> Float { values.reduce(0) { $0 + $1 * $1 }.squareRoot() }

/// The notebooks' rule: each gradient scaled down to norm `θ = alpha · numel` when longer.
public func clippedPerParameter(_ gradients: [[Float]], alpha: Float) -> [[Float]] {
    gradients.map { g in
        let (n, theta) = (norm(g), alpha * Float(g.count))
        return n > 0 ? g.map { $0 * theta / n } : g
    }
}

/// d2l's rule: every gradient scaled by `min(1, maxNorm / ‖g‖)`, `‖g‖` the norm of them all.
public func clippedGlobally(_ gradients: [[Float]], maxNorm: Float) -> (gradients: [[Float]], norm: Float) {
    let total = norm(gradients.flatMap { $0 })
    guard total > maxNorm else { return (gradients, total) }
    return (gradients.map { g in g.map { $0 * maxNorm / total } }, total)
}
