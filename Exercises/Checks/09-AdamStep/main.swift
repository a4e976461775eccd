// Checks exercise 09 against torch.optim.Adam step by step (Exercises/Fixtures/09-AdamStep.json):
// the parameter and both moments after each step, given PyTorch's gradient of that step; the
// default betas and other ones, a zero first gradient; then the workbook's Adam on the same steps.

import CheckSupport
import Exercise09
import Foundation
import Workbook

runChecks {
    let fixture = try Fixture("09-AdamStep")
    for c in fixture.cases {
        let (lr, betas, epsilon) = (c.number("learning_rate"), c.numbers("betas"), c.number("epsilon"))
        let python = "torch.optim.Adam(lr=\(show(lr)), betas=(\(show(betas[0])), \(show(betas[1]))), eps=\(show(epsilon)))"
        var p = c.values("start")
        var m = [Float](repeating: 0, count: p.count), v = m
        for (k, step) in c.cases("steps").enumerated() {
            let g = step.values("gradient")
            let before = p
            adamStep(&p, gradient: g, firstMoment: &m, secondMoment: &v, step: k + 1, learningRate: lr,
                     betas: (betas[0], betas[1]), epsilon: epsilon)
            try expectClose(m, step.values("first_moment"), shape: [m.count], "m (exp_avg) after step \(k + 1), \(c.name)",
                            against: "PyTorch: \(python)", tolerance: 1e-4)
            try expectClose(v, step.values("second_moment"), shape: [v.count], "v (exp_avg_sq) after step \(k + 1), \(c.name)",
                            against: "PyTorch: \(python)", tolerance: 1e-4)
            // The step without the bias correction: lr · m / (√v + ε).
            let uncorrected = zip(before, zip(step.values("first_moment"), step.values("second_moment"))).map { p, mv in
                p - lr * mv.0 / (mv.1.squareRoot() + epsilon)
            }
            try naming(mistakes: [(uncorrected, "the step is lr · m / (√v + ε): without the bias correction; divide m by "
                                   + "1 − β₁ᵗ and v by 1 − β₂ᵗ, t = \(k + 1) (at step 1, m is only (1 − β₁) g)"),
                                  (before, "the parameter did not move")], in: p) {
                try expectClose(p, step.values("after"), shape: [p.count], "the parameter after step \(k + 1), \(c.name)",
                                against: "PyTorch: \(python)", tolerance: 1e-5)
            }
        }
        passed("\(c.name): the parameter and both moments after each of \(c.cases("steps").count) steps, as \(python)")

        // The workbook's Adam, given the same gradients (as the gradient of Σ p ⊙ g).
        let parameter = Tensor.parameter(Tensor(c.values("start")))
        let adam = Adam([parameter], learningRate: lr, betas: (betas[0], betas[1]), epsilon: epsilon)
        for step in c.cases("steps") {
            (parameter * Tensor(step.values("gradient"))).sum().backward()
            adam.step()
            adam.zeroGrad()
        }
        try expectClose(p, parameter.values, shape: [p.count], "the parameter after the last step, \(c.name)",
                        against: "the workbook's Adam", tolerance: 1e-5)
    }
    passed("the same parameters as the workbook's Adam")
}
