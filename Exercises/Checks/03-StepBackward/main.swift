// Checks exercise 03: every gradient against a central finite difference of the loss
// L = Σ dH ⊙ H_t (in double precision), against PyTorch's (Exercises/Fixtures/03-StepBackward.json)
// and against the workbook's autodiff; a batch of one and a zero upstream gradient included.

import CheckSupport
import ExerciseSupport
import Exercise03
import Foundation
import Workbook

/// `L = Σ upstream ⊙ tanh(x W_xh + h W_hh + b)` in double precision, from the five inputs' values.
func loss(_ v: [[Double]], upstream: [Double], b: Int, x: Int, h: Int) -> Double {
    let z = addingRow(zip(product(v[0], v[2], b, x, h), product(v[1], v[3], b, h, h)).map(+), v[4])
    return zip(z, upstream).reduce(0) { $0 + Foundation.tanh($1.0) * $1.1 }
}

runChecks {
    let fixture = try Fixture("03-StepBackward")
    for c in fixture.cases {
        let (x, h, wxh, whh, b) = (c.matrix("x"), c.matrix("previous_state"), c.matrix("W_xh"), c.matrix("W_hh"), c.values("b_h"))
        let (state, upstream) = (c.matrix("state"), c.matrix("upstream"))
        let got = rnnStepBackward(upstream, state: state, x: x, previousState: h, inputWeights: wxh, recurrentWeights: whh)
        let names = ["dX_t", "dH_{t-1}", "dW_xh", "dW_hh", "db_h"]
        let gotValues = [got.x.values, got.previousState.values, got.inputWeights.values, got.recurrentWeights.values, got.bias]
        let shapes = [[x.rows, x.columns], [h.rows, h.columns], [wxh.rows, wxh.columns], [whh.rows, whh.columns], [b.count]]
        let keys = ["x", "previous_state", "W_xh", "W_hh", "b_h"]

        // What some mistakes compute: the gradient without tanh's derivative, and transposed weights' gradients.
        let dz = upstream * state.map { 1 - $0 * $0 }
        let mistakes: [[([Float], String)]] = [
            [(upstream.matmul(wxh.transposed()).values, "the gradient does not pass through tanh: dZ = dH_t ⊙ (1 − H_t²) first")],
            [(upstream.matmul(whh.transposed()).values, "the gradient does not pass through tanh: dZ = dH_t ⊙ (1 − H_t²) first"),
             (dz.matmul(whh).values, "W_hh is not transposed: dH_{t-1} = dZ W_hhᵀ")],
            [(x.transposed().matmul(upstream).values, "the gradient does not pass through tanh: dZ = dH_t ⊙ (1 − H_t²) first")],
            [(dz.transposed().matmul(h).values, "the product is the wrong way round: dW_hh = H_{t-1}ᵀ dZ, (H × B) · (B × H)"),
             (h.transposed().matmul(upstream).values, "the gradient does not pass through tanh: dZ = dH_t ⊙ (1 − H_t²) first")],
            [(upstream.columnSums(), "the gradient does not pass through tanh: dZ = dH_t ⊙ (1 − H_t²) first"),
             ([Float](repeating: 0, count: b.count), "db_h is zero: b_h is added to every row of Z, so its gradient is "
              + "the sum of dZ's rows, dz.columnSums()")],
        ]

        // 1. A finite difference of the loss, in double precision: what the gradient is, measured.
        let inputs = [x.values, h.values, wxh.values, whh.values, b].map(\.doubles)
        for i in 0..<5 {
            let measured = numericalGradient(at: inputs[i]) { moved in
                var v = inputs
                v[i] = moved
                return loss(v, upstream: upstream.values.doubles, b: x.rows, x: x.columns, h: h.columns)
            }
            try naming(mistakes: mistakes[i], in: gotValues[i]) {
                try expectClose(gotValues[i], measured.floats, shape: shapes[i], "\(names[i]) for \(c.name)",
                                against: "a central finite difference of L = Σ dH_t ⊙ H_t", tolerance: 1e-4)
            }
        }
        passed("\(c.name): the five gradients agree with finite differences")

        // 2. PyTorch's own gradients.
        for i in 0..<5 {
            try expectClose(gotValues[i], c.values("grads", keys[i]), shape: shapes[i], "\(names[i]) for \(c.name)",
                            against: "PyTorch: (torch.tanh(X @ W_xh + H @ W_hh + b_h) * dH).sum().backward()")
        }
        passed("\(c.name): the five gradients are PyTorch's")

        // 3. The workbook's autodiff on the same step.
        let tensors = [x, h, wxh, whh].map { Tensor($0.values, shape: [$0.rows, $0.columns], requiresGrad: true) }
            + [Tensor(b, requiresGrad: true)]
        let out = (tensors[0].matmul(tensors[2]) + tensors[1].matmul(tensors[3]) + tensors[4]).tanh()
        (out * Tensor(upstream.values, shape: [upstream.rows, upstream.columns])).sum().backward()
        for i in 0..<5 {
            try expectClose(gotValues[i], try gradient(of: tensors[i], names[i]).values, shape: shapes[i], "\(names[i]) for \(c.name)",
                            against: "the workbook's autodiff: (x.matmul(W_xh) + h.matmul(W_hh) + b_h).tanh(), backward()")
        }
        passed("\(c.name): the five gradients are the workbook's autodiff's")
    }
}
