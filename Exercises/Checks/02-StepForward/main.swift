// Checks exercise 02 against PyTorch (Exercises/Fixtures/02-StepForward.json): non-square weights
// (X = 3, H = 4), a bias and a previous state that are not zero, each activation, a batch of one.

import CheckSupport
import ExerciseSupport
import Exercise02
import Foundation

runChecks {
    let fixture = try Fixture("02-StepForward")
    for c in fixture.cases {
        guard let activation = Activation(rawValue: c.string("activation")) else { throw CheckFailure("unknown activation") }
        let x = c.matrix("x"), h = c.matrix("previous_state")
        let (wxh, whh, b) = (c.matrix("W_xh"), c.matrix("W_hh"), c.values("b_h"))
        let got = rnnStepForward(x, previousState: h, inputWeights: wxh, recurrentWeights: whh, bias: b, activation: activation)
        let formula = ["identity": "X @ W_xh + H @ W_hh + b_h", "tanh": "torch.tanh(X @ W_xh + H @ W_hh + b_h)",
                       "relu": "torch.relu(X @ W_xh + H @ W_hh + b_h)"][activation.rawValue] ?? ""
        func phi(_ m: Matrix) -> Matrix {
            switch activation { case .identity: m; case .tanh: m.map { tanh($0) }; case .relu: m.map { max(0, $0) } }
        }
        let z = x.matmul(wxh) + h.matmul(whh)
        var mistakes = [(phi(z).values, "the bias b_h is missing"),
                        (phi(x.matmul(wxh) + h.matmul(whh.transposed()) + b).values,
                         "W_hh is used transposed: the rows of H_{t-1} multiply W_hh, H_{t-1} W_hh"),
                        (phi(x.matmul(wxh) + b).values, "the previous state's term H_{t-1} W_hh is missing")]
        if activation != .identity { mistakes.append(((z + b).values, "φ (\(activation.rawValue)) is not applied")) }
        try naming(mistakes: mistakes, in: got.values) {
            try expectClose(got, c.matrix("state"), "H_t for \(c.name)", against: "PyTorch: \(formula)")
        }
        passed("H_t for \(c.name), as PyTorch")
    }
}
