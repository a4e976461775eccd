// Exercise 05 of the RNN workbook. Write the bodies of the two functions below, then check them
// with `swift run Exercises 5` (`swift run Exercises hint 5` prints a hint).

/// Exercise 05 — global-norm clipping (d2l), beside the notebooks' per-parameter rule.
///
/// Page: [Chapter 04 — Gradient clipping › Per parameter or global: the direction of the step](../docs/Chapter04-Clipping.md#per-parameter-or-global-the-direction-of-the-step)
///
/// d2l's equation (9.5.3) scales a gradient `g` down to norm `θ` when it is longer:
/// `g ← min(1, θ / ‖g‖) g`. The notebooks' `gradientClipping(model, alpha)` applies it to each
/// parameter's gradient on its own, with `θ = alpha · numel` (the parameter's number of elements);
/// d2l (and `torch.nn.utils.clip_grad_norm_`) applies it once to all the gradients together, as one
/// long vector, so that every gradient is scaled by the same factor and the step keeps its direction.
///
/// **Task.** `clippedPerParameter`: the notebooks' rule, tensor by tensor. `clippedGlobally`: the
/// global rule, returning the clipped gradients and the norm before clipping (what
/// `clip_grad_norm_` returns). A gradient already short enough stays as it is; an all-zero one too.
///
/// **You may use** Swift's arrays and `Float` (`x.squareRoot()`, `min`, `map`, `reduce`); nothing
/// from the engine (`clipGradientsPerParameter` and `clipGradientsGlobally` are what you are writing).
///
/// - Parameter gradients: each parameter's gradient, flattened (`param.grad.flatten()`).
public func clippedPerParameter(_ gradients: [[Float]], alpha: Float) -> [[Float]] {
    // Your code here.
    return gradients
}

/// d2l's rule on all `gradients` together: scaled by `min(1, maxNorm / ‖g‖)`, `‖g‖` the norm of
/// every gradient's values joined into one vector. Returns the clipped gradients and `‖g‖`.
public func clippedGlobally(_ gradients: [[Float]], maxNorm: Float) -> (gradients: [[Float]], norm: Float) {
    // Your code here.
    return (gradients: gradients, norm: 0)
}
