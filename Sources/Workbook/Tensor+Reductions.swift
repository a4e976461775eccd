// Reductions to a scalar: sum and mean, summed in double precision, so that a mean over millions of
// floats keeps float precision, as PyTorch's cascaded summation does.

extension Tensor {
    /// The sum of all elements, as a scalar tensor.
    public func sum() -> Tensor { sumDivided(by: 1) }

    /// The mean of all elements, as a scalar tensor.
    public func mean() -> Tensor { sumDivided(by: count) }

    /// The sum divided by `n`; every element's gradient is the output's divided by `n`.
    private func sumDivided(by n: Int) -> Tensor {
        let out = Tensor.result([], from: self) { out, input, _ in
            guard let input else { return }
            let (g, gx) = (out.gradValues[0] / Float(n), input.gradElements())
            for i in 0..<input.count { gx[i] += g }
        }
        out.elements[0] = Float(sumOfElements() / Double(n))
        return out
    }

    func sumOfElements() -> Double { (0..<count).reduce(0.0) { $0 + Double(elements[$1]) } }
}
