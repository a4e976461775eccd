// Mistake: the step counted from 0 in the bias correction (t − 1 for t).
// (The reference solution of exercise 09 with this one mistake: its check must fail.)

import Foundation

/// One step of `torch.optim.Adam` on one parameter, with the bias correction.
public func adamStep(_ parameter: inout [Float], gradient: [Float], firstMoment: inout [Float],
                     secondMoment: inout [Float], step: Int, learningRate: Float,
                     betas: (Float, Float) = (0.9, 0.999), epsilon: Float = 1e-8) {
    let (beta1, beta2) = betas
    let correction1 = 1 - pow(beta1, Float(step + 1)), correction2 = 1 - pow(beta2, Float(step + 1))
    for i in parameter.indices {
        firstMoment[i] = beta1 * firstMoment[i] + (1 - beta1) * gradient[i]
        secondMoment[i] = beta2 * secondMoment[i] + (1 - beta2) * gradient[i] * gradient[i]
        let mHat = firstMoment[i] / correction1, vHat = secondMoment[i] / correction2
        parameter[i] -= learningRate * mHat / (vHat.squareRoot() + epsilon)
    }
}
