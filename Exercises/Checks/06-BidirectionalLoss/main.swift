// Checks exercise 06: both losses and their gradients, with respect to the predictions and to
// the labels, against PyTorch (Exercises/Fixtures/06-BidirectionalLoss.json) and central finite
// differences in double precision; six rows, one row, five rows.

import CheckSupport
import Exercise06
import Workbook

/// The two losses in double precision, from the predictions' and labels' values.
func fixed(_ p: [Double], _ y: [Double]) -> Double { zip(p, y).reduce(0) { $0 + ($1.0 - $1.1) * ($1.0 - $1.1) } / Double(p.count) }
func broadcast(_ p: [Double], _ y: [Double]) -> Double {
    p.reduce(0) { sum, pi in sum + y.reduce(0) { $0 + (pi - $1) * (pi - $1) } } / Double(p.count * y.count)
}

runChecks {
    let fixture = try Fixture("06-BidirectionalLoss")
    for c in fixture.cases {
        let (p, y) = (c.values("prediction"), c.values("labels"))
        let n = p.count
        let losses: [(name: String, key: String, python: String, f: (Tensor, Tensor) -> Tensor, reference: ([Double], [Double]) -> Double)] = [
            ("fixedBidirectionalLoss", "fixed", "((Y_hat.flatten() - Y)**2).mean()", fixedBidirectionalLoss, fixed),
            ("notebookBidirectionalLoss", "broadcast", "((Y_hat - Y)**2).mean() with Y_hat (N, 1) and Y (N,)",
             notebookBidirectionalLoss, broadcast),
        ]
        for loss in losses {
            let prediction = Tensor(p, shape: [n, 1], requiresGrad: true), labels = Tensor(y, requiresGrad: true)
            let value = loss.f(prediction, labels)
            try require(value.count == 1, "\(loss.name) for \(c.name) has shape \(describe(shape: value.shape)); a loss is one number")
            let mistakes: [([Float], String)] = loss.key == "broadcast"
                ? [([Float(fixed(p.doubles, y.doubles))], "each prediction is compared with its own label: that is the fixed loss, "
                    + "not the notebook's, which compares every prediction with every label")]
                : [([Float(broadcast(p.doubles, y.doubles))], "every prediction is compared with every label: that is the notebook's N × N loss")]
            try naming(mistakes: mistakes, in: [value.item]) {
                try expectClose(value.item, c.number(loss.key), "\(loss.name) for \(c.name)", against: "PyTorch: \(loss.python)")
            }
            try require(value.requiresGrad, "\(loss.name) for \(c.name) is right, but backward() cannot reach the predictions from it: "
                        + "compute it with the engine's operations on the tensors you are given, not from their .values")
            value.backward()
            for (name, tensor, values, other) in [("the predictions", prediction, p, y), ("the labels", labels, y, p)] {
                let isPrediction = tensor === prediction
                let measured = numericalGradient(at: values.doubles) { moved in
                    isPrediction ? loss.reference(moved, other.doubles) : loss.reference(other.doubles, moved)
                }
                let got = try gradient(of: tensor, "\(name) (\(loss.name))").values
                try expectClose(got, measured.floats, shape: [values.count], "the gradient of \(loss.name) with respect to \(name), \(c.name)",
                                against: "a central finite difference", tolerance: 1e-4)
                try expectClose(got, c.values("\(loss.key)_grads", isPrediction ? "prediction" : "labels"), shape: [values.count],
                                "the gradient of \(loss.name) with respect to \(name), \(c.name)", against: "PyTorch: loss.backward()")
            }
            passed("\(loss.name) for \(c.name): the loss and both gradients, as PyTorch and finite differences")
        }
    }
}
