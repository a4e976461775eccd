// Activations: tanh (the concise `nn.RNN`) and ReLU (the bidirectional notebook's cells).

import Foundation

extension Tensor {
    /// The hyperbolic tangent of every element; its derivative is `1 − y²`, from the output, which
    /// the graph keeps (the input's values are not needed).
    public func tanh() -> Tensor {
        let input = record
        let out = Tensor.result(shape, from: self, savingOutput: true) { out in
            guard let input else { return }
            let (g, gx, py) = (out.gradValues, input.gradPointer(), out.savedPointer)
            for i in 0..<out.count { gx[i] += g[i] * (1 - py[i] * py[i]) }
        }
        Workbook.tanh(pointer, into: out.pointer, count: count)   // vectorised, FastMath.swift
        return out
    }

    /// `max(0, x)` for every element; the gradient passes where the output is positive (where
    /// `x > 0`), so the graph keeps the output and not the input.
    public func relu() -> Tensor {
        let input = record
        let out = Tensor.result(shape, from: self, savingOutput: true) { out in
            guard let input else { return }
            let (g, (gx, fresh), py) = (out.gradValues, input.gradientForWriting(), out.savedPointer)
            inParts(elements: out.count) { part in   // two threads for a large tensor (Threads.swift)
                if fresh {
                    for i in part { gx[i] = py[i] > 0 ? g[i] : 0 }
                } else {
                    for i in part { gx[i] += py[i] > 0 ? g[i] : 0 }
                }
            }
        }
        let (px, py) = (pointer, out.pointer)
        inParts(elements: count) { part in
            for i in part { py[i] = Swift.max(px[i], 0) }
        }
        return out
    }
}
