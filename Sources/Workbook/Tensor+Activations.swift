// Activations: tanh (the concise `nn.RNN`) and ReLU (the bidirectional notebook's cells).

import Kernels

extension Tensor {
    /// The hyperbolic tangent of every element; its derivative `1 − y²` reads the output, which the graph keeps.
    public func tanh() -> Tensor {
        let out = Tensor.result(shape, from: self, savingOutput: true) { out, input, _ in
            guard let input else { return }
            let (g, gx, py) = (out.gradValues, input.gradElements(), out.savedElements)
            for i in 0..<out.count { gx[i] += g[i] * (1 - py[i] * py[i]) }
        }
        Kernels.tanh(elements, into: out.elements, count: count)   // eight at a time, within 1 ulp
        return out
    }

    /// `max(0, x)` for every element; the gradient passes where the output is positive (the graph keeps it).
    public func relu() -> Tensor {
        let out = Tensor.result(shape, from: self, savingOutput: true) { out, input, _ in
            guard let input else { return }
            let (gx, fresh) = input.gradientForWriting()
            reluGradient(out.gradValues, output: out.savedElements, into: gx, count: out.count, accumulate: !fresh)
        }
        Kernels.relu(elements, into: out.elements, count: count)
        return out
    }
}
