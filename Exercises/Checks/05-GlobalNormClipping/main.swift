// Checks exercise 05 against the notebooks' gradientClipping and torch.nn.utils.clip_grad_norm_ run
// by PyTorch (Exercises/Fixtures/05-GlobalNormClipping.json), against the workbook's
// clipGradientsPerParameter and clipGradientsGlobally, and on gradients that are all zero.

import CheckSupport
import Exercise05
import Workbook

/// Parameters whose gradients are `gradients`, for the workbook's clipping functions.
func parameters(withGradients gradients: [[Float]]) -> [Tensor] {
    gradients.map { g in
        let p = Tensor(zeros: [g.count], requiresGrad: true)
        (p * Tensor(g)).sum().backward()   // ∂/∂p Σ p ⊙ g = g
        return p
    }
}

runChecks {
    let fixture = try Fixture("05-GlobalNormClipping")
    for c in fixture.cases {
        let listed = c.list("gradients")
        let gradients = listed.map(\.values)
        let (alpha, maxNorm) = (c.number("alpha"), c.number("max_norm"))
        let names = ["the (3, 4) gradient", "the (4) gradient", "the (2, 2) gradient"]

        let perParameter = clippedPerParameter(gradients, alpha: alpha)
        try require(perParameter.count == gradients.count,
                    "clippedPerParameter returned \(perParameter.count) gradients for \(gradients.count)")
        for (i, expected) in c.list("per_parameter").enumerated() {
            let n = gradients[i].reduce(0) { $0 + $1 * $1 }.squareRoot(), theta = alpha * Float(gradients[i].count)
            try expectClose(perParameter[i], expected.values, shape: expected.shape,
                            "clippedPerParameter, \(names[i]) for \(c.name) (its norm \(show(n)), θ = alpha · numel = \(show(theta)))",
                            against: "PyTorch: the notebooks' gradientClipping(model, alpha=\(show(alpha)))")
        }
        passed("clippedPerParameter for \(c.name), as the notebooks' gradientClipping")

        let (global, norm) = clippedGlobally(gradients, maxNorm: maxNorm)
        try require(global.count == gradients.count, "clippedGlobally returned \(global.count) gradients for \(gradients.count)")
        try naming(mistakes: [([gradients.map { $0.reduce(0) { $0 + $1 * $1 }.squareRoot() }.reduce(0, +)],
                               "the norms of the gradients are added: the global norm is √(Σ g²) over every value of every gradient")],
                   in: [norm]) {
            try expectClose(norm, c.number("global_norm"), "the norm clippedGlobally returns for \(c.name)",
                            against: "PyTorch: torch.nn.utils.clip_grad_norm_(params, max_norm=\(show(maxNorm)))")
        }
        for (i, expected) in c.list("global").enumerated() {
            try naming(mistakes: [(perParameter[i], "each gradient is clipped on its own: one factor, min(1, maxNorm / ‖g‖), scales them all")],
                       in: global[i]) {
                try expectClose(global[i], expected.values, shape: expected.shape,
                                "clippedGlobally, \(names[i]) for \(c.name) (the norm of all of them \(show(c.number("global_norm"))), maxNorm \(show(maxNorm)))",
                                against: "PyTorch: torch.nn.utils.clip_grad_norm_(params, max_norm=\(show(maxNorm)))")
            }
        }
        passed("clippedGlobally for \(c.name), as torch.nn.utils.clip_grad_norm_")

        let engine = parameters(withGradients: gradients)
        clipGradientsPerParameter(engine, alpha: alpha)
        for (i, p) in engine.enumerated() {
            try expectClose(perParameter[i], p.grad?.values ?? [], shape: [gradients[i].count], "clippedPerParameter, \(names[i]) for \(c.name)",
                            against: "the workbook's clipGradientsPerParameter(_:alpha:)")
        }
        let engineGlobal = parameters(withGradients: gradients)
        clipGradientsGlobally(engineGlobal, maxNorm: maxNorm)
        for (i, p) in engineGlobal.enumerated() {
            try expectClose(global[i], p.grad?.values ?? [], shape: [gradients[i].count], "clippedGlobally, \(names[i]) for \(c.name)",
                            against: "the workbook's clipGradientsGlobally(_:maxNorm:)")
        }
    }
    passed("both agree with the workbook's clipGradientsPerParameter and clipGradientsGlobally")

    // Gradients that are all zero: nothing to clip, and no 0 / 0.
    let zeros: [[Float]] = [[0, 0, 0], [0]]
    let perParameter = clippedPerParameter(zeros, alpha: 1)
    try require(perParameter == zeros, "clippedPerParameter of gradients that are all zero returned \(perParameter): "
                + "a gradient no longer than θ stays as it is")
    let (global, norm) = clippedGlobally(zeros, maxNorm: 1)
    try require(global == zeros && norm == 0, "clippedGlobally of gradients that are all zero returned \(global) and norm \(norm), "
                + "not the zeros and norm 0 (is 1 / 0 computed before the norm is compared with maxNorm?)")
    passed("gradients that are all zero stay zero, with norm 0")
}
