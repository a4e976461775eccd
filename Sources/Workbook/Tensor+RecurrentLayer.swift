// A whole `nn.RNN` tanh layer over a sequence as ONE node of the graph, as PyTorch's fused RNN does.
//
// Written with the general operations, a layer of T steps records 5·T nodes, each with its own
// buffers; here the forward pass is one product for every step's input projection, then T small
// recurrent products, and the backward pass runs the recurrence in reverse once, followed by one
// product per weight gradient over all steps together.
//
// Shapes: T time steps, B batch, X input size, H hidden size.

import Kernels

/// `h_t = tanh(x_t · W_ihᵀ + b_ih + h_{t−1} · W_hhᵀ + b_hh)` for every t, from `h_{−1} = 0`.
///
/// - Parameters:
///   - x: `(T, B, X)`.
///   - inputWeights: `W_ih`, `(H, X)`; `recurrentWeights`: `W_hh`, `(H, H)`; the biases `(H)`.
/// - Returns: every state, `(T, B, H)`.
///
/// The backward pass, with `dz_t = (∂L/∂h_t + dz_{t+1} · W_hh) ⊙ (1 − h_t²)`:
/// `dW_ih += Σ dz_tᵀ x_t`, `dW_hh += Σ dz_tᵀ h_{t−1}`, `db_ih = db_hh += Σ dz_t`, `dx_t += dz_t · W_ih`.
func recurrentTanhLayer(
    _ x: Tensor, inputWeights wIH: Tensor, recurrentWeights wHH: Tensor, inputBias bIH: Tensor, recurrentBias bHH: Tensor
) -> Tensor {
    let (steps, batch, inputs, hidden) = (x.shape[0], x.shape[1], x.shape[2], wHH.shape[0])
    let (rows, stepSize) = (steps * batch, batch * hidden)
    // The backward pass reads the inputs, both weights and every state (the output, saved).
    let (recordX, recordIH, recordHH) = (x.record, wIH.record, wHH.record)
    let biasRecords = [bIH.record, bHH.record].compactMap { $0 }
    let out = Tensor.result([steps, batch, hidden], from: [x, wIH, wHH, bIH, bHH], savingOutput: true) { out in
        // dz is computed in place of the output's gradient, ∂L/∂h: the graph releases that buffer
        // after this pass, and nothing else reads it.
        let (d, h) = (out.gradElements(), out.savedElements)
        for step in stride(from: steps - 1, through: 0, by: -1) {
            let (dzt, ht) = (d + step * stepSize, h + step * stepSize)
            if step + 1 < steps {   // h_t also fed z_{t+1}
                gemm(m: batch, n: hidden, k: hidden, a: dzt + stepSize, rowStride: hidden, columnStride: 1,
                     b: wHH.elements, c: dzt, accumulate: true)
            }
            for i in 0..<stepSize { dzt[i] *= 1 - ht[i] * ht[i] }
        }
        if let recordIH {
            gemm(m: hidden, n: inputs, k: rows, a: d, rowStride: 1, columnStride: hidden,
                 b: x.elements, c: recordIH.gradElements(), accumulate: true)
        }
        if let recordHH, steps > 1 {
            gemm(m: hidden, n: hidden, k: rows - batch, a: d + stepSize, rowStride: 1, columnStride: hidden,
                 b: h, c: recordHH.gradElements(), accumulate: true)
        }
        if !biasRecords.isEmpty {
            let sums = columnSumsInDouble(d, rows: rows, width: hidden)   // Σ_t dz_t, in double precision
            for bias in biasRecords {
                let gb = bias.gradElements()
                for j in 0..<hidden { gb[j] += Float(sums[j]) }
            }
        }
        if let recordX {
            let (gx, fresh) = recordX.gradientForWriting()
            gemm(m: rows, n: inputs, k: hidden, a: d, rowStride: hidden, columnStride: 1,
                 b: wIH.elements, c: gx, accumulate: !fresh)
        }
    }
    // The products read Wᵀ row-major: pack the two small transposes.
    let wIHt = Tensor(shape: [inputs, hidden], zeroed: false), wHHt = Tensor(shape: [hidden, hidden], zeroed: false)
    transpose2D(wIH.elements, rows: hidden, columns: inputs, into: wIHt.elements)
    transpose2D(wHH.elements, rows: hidden, columns: hidden, into: wHHt.elements)
    let h = out.elements
    gemm(m: rows, n: hidden, k: inputs, a: x.elements, rowStride: inputs, columnStride: 1,
         b: wIHt.elements, c: h, accumulate: false)
    addRowVector(h, bIH.elements, into: h, rows: rows, width: hidden)   // (x_t · W_ihᵀ + b_ih) + b_hh
    addRowVector(h, bHH.elements, into: h, rows: rows, width: hidden)
    for step in 0..<steps {
        let ht = h + step * stepSize
        if step > 0 {
            gemm(m: batch, n: hidden, k: hidden, a: ht - stepSize, rowStride: hidden, columnStride: 1,
                 b: wHHt.elements, c: ht, accumulate: true)
        }
        tanh(ht, into: ht, count: stepSize)
    }
    return out
}
