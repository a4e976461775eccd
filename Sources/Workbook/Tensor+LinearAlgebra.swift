// Matrix product and transpose.

import Kernels

extension Tensor {
    /// The matrix product `self · other` (`torch.matmul` on the notebooks' shapes): `(M, K) · (K, N)
    /// → (M, N)`, and `(T, B, K) · (K, N) → (T, B, N)` on `T·B` rows. Gradients: `dA += G · Bᵀ`, `dB += Aᵀ · G`.
    public func matmul(_ other: Tensor) -> Tensor {
        check(rank >= 2 && other.rank == 2 && shape[rank - 1] == other.shape[0],
              "matmul: shapes \(describe(shape: shape)) and \(describe(shape: other.shape)) do not fit (need (…, K) · (K, N))")
        let k = other.shape[0], n = other.shape[1], m = count / Swift.max(k, 1)
        var outShape = shape                                        // (…, K) → (…, N): the same array when N = K
        if n != k { outShape[rank - 1] = n }
        // dA needs B's values and dB needs A's: the graph keeps each operand only for the other's gradient.
        let out = Tensor.result(outShape, from: self, other) { [a = other.requiresGrad ? self : nil, b = requiresGrad ? other : nil]
            out, recordA, recordB in
            let g = out.gradValues
            if let recordA, let b {
                // dA (M, K) += G (M, N) · Bᵀ (N, K).
                let (ga, fresh) = recordA.gradientForWriting()
                gemm(m: m, n: k, k: n, a: g, rowStride: n, columnStride: 1,
                     transposedB: b.elements, c: ga, accumulate: !fresh)
            }
            if let recordB, let a {
                // dB (K, N) += Aᵀ (K, M) · G (M, N): Aᵀ is read through strides, without a copy.
                let (gb, fresh) = recordB.gradientForWriting()
                gemm(m: k, n: n, k: m, a: a.elements, rowStride: 1, columnStride: k,
                     b: g, c: gb, accumulate: !fresh)
            }
        }
        gemm(m: m, n: n, k: k, a: elements, rowStride: k, columnStride: 1,
             b: other.elements, c: out.elements, accumulate: false)
        return out
    }

    /// Swaps two dimensions (`torch.transpose(x, d0, d1)`), copying into row-major order.
    public func transposed(_ d0: Int = 0, _ d1: Int = 1) -> Tensor {
        check(d0 >= 0 && d0 < rank && d1 >= 0 && d1 < rank,
              "transpose: dimensions \(d0), \(d1) do not exist in shape \(describe(shape: shape))")
        let (d0, d1) = (Swift.min(d0, d1), Swift.max(d0, d1))
        if d0 == d1 { return reshaped(shape) }   // nothing to swap: a view
        var outShape = shape
        outShape.swapAt(d0, d1)
        let (outer, middle, inner) = (shape[..<d0].reduce(1, *), shape[(d0 + 1)..<d1].reduce(1, *), shape[(d1 + 1)...].reduce(1, *))
        // Element (o, i, m, j, k) of `from`, with i < n0 and j < n1, goes to (o, j, m, i, k) of `to`.
        func swap(_ from: Floats, into to: Floats, _ n0: Int, _ n1: Int, adding: Bool) {
            for o in 0..<outer { for i in 0..<n0 { for m in 0..<middle { for j in 0..<n1 {
                let src = from + (((o * n0 + i) * middle + m) * n1 + j) * inner
                let dst = to + (((o * n1 + j) * middle + m) * n0 + i) * inner
                for k in 0..<inner { dst[k] = adding ? dst[k] + src[k] : src[k] }
            } } } }
        }
        let (n0, n1) = (shape[d0], shape[d1])
        let out = Tensor.result(outShape, from: self) { out, input, _ in   // the gradient swaps back
            if let input { swap(out.gradValues, into: input.gradElements(), n1, n0, adding: true) }
        }
        if rank == 2 { transpose2D(elements, rows: n0, columns: n1, into: out.elements) }   // a matrix: a kernel
        else { swap(elements, into: out.elements, n0, n1, adding: false) }
        return out
    }
}
