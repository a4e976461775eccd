// The fused `nn.RNN` tanh layer over a whole sequence, forward and backward, on buffers and sizes.
//
// Shapes: T steps, B batch, X inputs, H hidden. `x` is (T, B, X), `h` (T, B, H); the weights are
// stored as PyTorch stores them: W_ih (H, X), W_hh (H, H), the biases (H).

/// `h_t = tanh(x_t · W_ihᵀ + b_ih + h_{t−1} · W_hhᵀ + b_hh)` for every t, from `h_{−1} = 0`: one
/// product for every step's input projection, then T small recurrent products.
public func recurrentTanhForward(
    _ x: Floats, inputWeights wIH: Floats, recurrentWeights wHH: Floats, inputBias bIH: Floats, recurrentBias bHH: Floats,
    steps: Int, batch: Int, inputs: Int, hidden: Int, into h: Floats
) {
    let (rows, stepSize) = (steps * batch, batch * hidden)
    // The products read Wᵀ row-major: pack the two small transposes.
    let (wIHt, wHHt) = (Floats.allocate(inputs * hidden), Floats.allocate(hidden * hidden))
    defer { wIHt.deallocate(inputs * hidden); wHHt.deallocate(hidden * hidden) }
    transpose2D(wIH, rows: hidden, columns: inputs, into: wIHt)
    transpose2D(wHH, rows: hidden, columns: hidden, into: wHHt)
    gemm(m: rows, n: hidden, k: inputs, a: x, rowStride: inputs, columnStride: 1, b: wIHt, c: h, accumulate: false)
    addRowVector(h, bIH, into: h, rows: rows, width: hidden)   // (x_t · W_ihᵀ + b_ih) + b_hh
    addRowVector(h, bHH, into: h, rows: rows, width: hidden)
    for step in 0..<steps {
        let ht = h + step * stepSize
        if step > 0 {
            gemm(m: batch, n: hidden, k: hidden, a: ht - stepSize, rowStride: hidden, columnStride: 1,
                 b: wHHt, c: ht, accumulate: true)
        }
        tanh(ht, into: ht, count: stepSize)
    }
}

/// The layer's backward pass, running the recurrence in reverse once, then one product per
/// weight gradient over all steps together.
///
/// `d` holds ∂L/∂h on entry and `dz_t = (∂L/∂h_t + dz_{t+1} · W_hh) ⊙ (1 − h_t²)` on return. Then
/// `dW_ih += Σ dz_tᵀ x_t`, `dW_hh += Σ dz_tᵀ h_{t−1}`, each bias gradient `+= Σ dz_t` (summed in
/// double precision), and `dx = dz · W_ih` (written, or added when `accumulateInput`). A nil
/// gradient is not computed.
public func recurrentTanhBackward(
    _ d: Floats, states h: Floats, x: Floats, inputWeights wIH: Floats, recurrentWeights wHH: Floats,
    steps: Int, batch: Int, inputs: Int, hidden: Int,
    inputWeightsGradient gIH: Floats?, recurrentWeightsGradient gHH: Floats?, biasGradients: [Floats],
    inputGradient gx: Floats?, accumulateInput: Bool
) {
    let (rows, stepSize) = (steps * batch, batch * hidden)
    for step in stride(from: steps - 1, through: 0, by: -1) {
        let (dzt, ht) = (d + step * stepSize, h + step * stepSize)
        if step + 1 < steps {   // h_t also fed z_{t+1}
            gemm(m: batch, n: hidden, k: hidden, a: dzt + stepSize, rowStride: hidden, columnStride: 1,
                 b: wHH, c: dzt, accumulate: true)
        }
        multiplyByTanhDerivative(dzt.base, output: UnsafePointer(ht.base), count: stepSize)
    }
    if let gIH {
        gemm(m: hidden, n: inputs, k: rows, a: d, rowStride: 1, columnStride: hidden, b: x, c: gIH, accumulate: true)
    }
    if let gHH, steps > 1 {
        gemm(m: hidden, n: hidden, k: rows - batch, a: d + stepSize, rowStride: 1, columnStride: hidden,
             b: h, c: gHH, accumulate: true)
    }
    if !biasGradients.isEmpty {
        let sums = columnSumsInDouble(d, rows: rows, width: hidden)   // Σ_t dz_t
        for gb in biasGradients {
            for j in 0..<hidden { gb[j] += Float(sums[j]) }
        }
    }
    if let gx {
        gemm(m: rows, n: inputs, k: hidden, a: d, rowStride: hidden, columnStride: 1, b: wIH, c: gx, accumulate: accumulateInput)
    }
}
