// Measures of tensors that the chapters print: a size and a growth rate.

import Foundation
import Workbook

/// The root mean square of a tensor's values.
public func rootMeanSquare(_ t: Tensor) -> Float {
    Float((t.values.reduce(0.0) { $0 + Double($1) * Double($1) }
          / Double(max(t.count, 1))).squareRoot())
}

/// The spectral radius of a square matrix, the largest modulus of its eigenvalues, by Gelfand's
/// formula `ρ(W) = lim ‖W^k‖^(1/k)`: here `k = 2^8 = 256`, squaring eight times and rescaling each
/// time so that the powers do not overflow.
public func spectralRadius(_ w: Tensor) -> Double {
    let n = w.shape[0]
    var m = (0..<n).map { i in (0..<n).map { j in Double(w[element: i, j]) } }
    var logScale = 0.0                           // W^(2^k) = exp(logScale) · m, with ‖m‖ = 1
    for _ in 0..<8 {
        m = (0..<n).map { i in (0..<n).map { j in (0..<n).reduce(0.0) { $0 + m[i][$1] * m[$1][j] } } }
        let norm = m.joined().reduce(0.0) { $0 + $1 * $1 }.squareRoot()
        m = m.map { $0.map { $0 / norm } }
        logScale = 2 * logScale + log(norm)
    }
    return exp(logScale / 256)
}
