// A whole `nn.RNN` tanh layer over a sequence as ONE node of the graph, as PyTorch's fused RNN (with
// the general operations, T steps would record 5·T nodes); the loops are kernels. Shapes: T, B, X, H.

import Kernels

/// `h_t = tanh(x_t · W_ihᵀ + b_ih + h_{t−1} · W_hhᵀ + b_hh)` for every t, from `h_{−1} = 0`: every
/// state `(T, B, H)` from `x` `(T, B, X)`, `W_ih` `(H, X)`, `W_hh` `(H, H)` and the biases `(H)`.
/// Backward, with `dz_t = (∂L/∂h_t + dz_{t+1} · W_hh) ⊙ (1 − h_t²)`: `dW_ih += Σ dz_tᵀ x_t`,
/// `dW_hh += Σ dz_tᵀ h_{t−1}`, `db_ih = db_hh += Σ dz_t`, `dx_t += dz_t · W_ih`.
func recurrentTanhLayer(_ x: Tensor, inputWeights wIH: Tensor, recurrentWeights wHH: Tensor, inputBias bIH: Tensor,
                        recurrentBias bHH: Tensor) -> Tensor {
    let (steps, batch, inputs, hidden) = (x.shape[0], x.shape[1], x.shape[2], wHH.shape[0])
    // The backward pass reads the inputs, both weights and every state (the output, saved).
    let out = Tensor.result([steps, batch, hidden], from: [x, wIH, wHH, bIH, bHH], savingOutput: true) {
        [recordX = x.record, recordIH = wIH.record, recordHH = wHH.record, biasRecords = [bIH.record, bHH.record].compactMap { $0 }] out, _, _ in
        // dz is computed in place of ∂L/∂h, the output's gradient, which nothing else reads.
        let input = recordX.map { $0.gradientForWriting() }
        recurrentTanhBackward(out.gradElements(), states: out.savedElements, x: x.elements, inputWeights: wIH.elements,
                              recurrentWeights: wHH.elements, steps: steps, batch: batch, inputs: inputs, hidden: hidden,
                              inputWeightsGradient: recordIH?.gradElements(), recurrentWeightsGradient: recordHH?.gradElements(),
                              biasGradients: biasRecords.map { $0.gradElements() },
                              inputGradient: input?.elements, accumulateInput: !(input?.fresh ?? true))
    }
    recurrentTanhForward(x.elements, inputWeights: wIH.elements, recurrentWeights: wHH.elements, inputBias: bIH.elements,
                         recurrentBias: bHH.elements, steps: steps, batch: batch, inputs: inputs, hidden: hidden, into: out.elements)
    return out
}
