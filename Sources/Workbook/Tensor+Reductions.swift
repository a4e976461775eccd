// Reductions to a scalar: sum and mean.
//
// Sums run in double precision, so a mean over millions of floats keeps float precision, as
// PyTorch's cascaded summation does.

extension Tensor {
    /// The sum of all elements, as a scalar tensor.
    public func sum() -> Tensor {
        let input = record
        let out = Tensor.result([], from: self) { out in
            guard let input else { return }
            let (g, gx) = (out.gradValues[0], input.gradElements())
            for i in 0..<input.count { gx[i] += g }
        }
        out.elements[0] = Float(sumOfElements())
        return out
    }

    /// The mean of all elements, as a scalar tensor.
    public func mean() -> Tensor {
        let n = Float(count)
        let input = record
        let out = Tensor.result([], from: self) { out in
            guard let input else { return }
            let (g, gx) = (out.gradValues[0] / n, input.gradElements())
            for i in 0..<input.count { gx[i] += g }
        }
        out.elements[0] = Float(sumOfElements() / Double(count))
        return out
    }

    func sumOfElements() -> Double {
        var total = 0.0
        let p = elements
        for i in 0..<count { total += Double(p[i]) }
        return total
    }
}
