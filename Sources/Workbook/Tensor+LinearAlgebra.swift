// Matrix product and transpose.

import Kernels

extension Tensor {
    /// The matrix product `self · other`, as `torch.matmul` computes it for the notebooks' shapes.
    ///
    /// `(M, K) · (K, N) → (M, N)`; a batch of time steps `(T, B, K) · (K, N) → (T, B, N)` is the
    /// same product on `T·B` rows. The gradients are `dA += G · Bᵀ` and `dB += Aᵀ · G`.
    public func matmul(_ other: Tensor) -> Tensor {
        check(
            rank >= 2 && other.rank == 2 && shape[rank - 1] == other.shape[0],
            "matmul: shapes \(describe(shape: shape)) and \(describe(shape: other.shape)) do not fit "
                + "(need (…, K) · (K, N))")
        let k = other.shape[0], n = other.shape[1], m = count / Swift.max(k, 1)
        let (recordA, recordB) = (record, other.record)
        // dA needs B's values and dB needs A's: the graph keeps each operand only for the other's gradient.
        let (a, b) = (recordB != nil ? self : nil, recordA != nil ? other : nil)
        var outShape = shape                                        // (…, K) → (…, N): the same array when N = K
        if n != k { outShape[rank - 1] = n }
        let out = Tensor.result(outShape, from: self, other) { out in
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
        var outShape = shape
        outShape.swapAt(d0, d1)
        if rank == 2 && d0 != d1 {   // a matrix: no permutation table to build
            let (rows, columns) = (shape[0], shape[1])
            let input = record
            let out = Tensor.result(outShape, from: self) { out in
                guard let input else { return }
                let (g, gx) = (out.gradValues, input.gradElements())
                for r in 0..<rows { for c in 0..<columns { gx[r * columns + c] += g[c * rows + r] } }
            }
            transpose2D(elements, rows: rows, columns: columns, into: out.elements)
            return out
        }
        // Element (…, i, …, j, …) of the input goes to (…, j, …, i, …): a permutation of flat indices.
        let permutation = Tensor.transposePermutation(shape, d0, d1)
        let input = record
        let out = Tensor.result(outShape, from: self) { out in
            guard let input else { return }
            let (g, gx) = (out.gradValues, input.gradElements())
            for (i, o) in permutation.enumerated() { gx[i] += g[o] }
        }
        let (px, po) = (elements, out.elements)
        for (i, o) in permutation.enumerated() { po[o] = px[i] }
        return out
    }

    /// For each flat input index, its flat index after swapping dimensions `d0` and `d1`.
    private static func transposePermutation(_ shape: [Int], _ d0: Int, _ d1: Int) -> [Int] {
        var outShape = shape
        outShape.swapAt(d0, d1)
        var outStrides = [Int](repeating: 1, count: shape.count)
        for d in stride(from: shape.count - 2, through: 0, by: -1) { outStrides[d] = outStrides[d + 1] * outShape[d + 1] }
        var strides = outStrides  // input dimension d moves to output dimension swap(d)
        strides.swapAt(d0, d1)
        var permutation = [Int](repeating: 0, count: shape.reduce(1, *))
        var index = [Int](repeating: 0, count: shape.count)
        for flat in permutation.indices {
            var target = 0
            for d in shape.indices { target += index[d] * strides[d] }
            permutation[flat] = target
            var d = shape.count - 1
            while d >= 0 { index[d] += 1; if index[d] < shape[d] { break }; index[d] = 0; d -= 1 }
        }
        return permutation
    }
}
