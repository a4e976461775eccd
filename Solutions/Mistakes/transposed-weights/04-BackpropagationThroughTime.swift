// Mistake: W_hh not transposed in the gradient carried back, δ_t W_hh.
// (The reference solution of exercise 04 with this one mistake: its check must fail.)

import ExerciseSupport

/// The loss `mean((O_t − Y_t)²)` of the linear recurrence over `T` steps, and its gradients.
public func backpropagationThroughTime(inputs: [Matrix], targets: [Matrix],
                                       weights w: LinearRecurrence) -> (loss: Float, gradients: LinearRecurrence) {
    // Forward: the states and outputs of every step.
    var states: [Matrix] = [], outputs: [Matrix] = []
    for (t, x) in inputs.enumerated() {
        var z = x.matmul(w.inputWeights) + w.bias                              // (B × H)
        if t > 0 { z = z + states[t - 1].matmul(w.recurrentWeights) }
        states.append(z)
        outputs.append(z.matmul(w.outputWeights) + w.outputBias)              // (B × Q)
    }
    let count = Float(outputs.count * outputs[0].rows * outputs[0].columns)   // T · B · Q
    var loss: Float = 0
    for (o, y) in zip(outputs, targets) { loss += (o - y).values.reduce(0) { $0 + $1 * $1 } }
    loss /= count

    // Backward, from the last step: `carry` is the gradient that reaches H_t from H_{t+1}.
    var g = w.zeros()
    var carry = Matrix(zeros: states[0].rows, states[0].columns)
    for t in stride(from: inputs.count - 1, through: 0, by: -1) {
        let dOutput = (2 / count) * (outputs[t] - targets[t])                  // (B × Q)
        g.outputWeights = g.outputWeights + states[t].transposed().matmul(dOutput)
        g.outputBias = zip(g.outputBias, dOutput.columnSums()).map(+)
        let delta = dOutput.matmul(w.outputWeights.transposed()) + carry      // δ_t (B × H)
        g.inputWeights = g.inputWeights + inputs[t].transposed().matmul(delta)
        g.bias = zip(g.bias, delta.columnSums()).map(+)
        if t > 0 { g.recurrentWeights = g.recurrentWeights + states[t - 1].transposed().matmul(delta) }
        carry = delta.matmul(w.recurrentWeights)
    }
    return (loss, g)
}
