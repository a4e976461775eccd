// Shapes: reshape and X[t] are views of the same storage; concatenation, stack, flip and narrow copy.

import Kernels

extension Tensor {
    /// The same values seen with another shape (a view, no copy); one dimension may be `-1`, inferred.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var newShape = newShape
        let known = newShape.filter { $0 != -1 }.reduce(1, *)
        if let inferred = newShape.firstIndex(of: -1), known > 0, count % known == 0, newShape.filter({ $0 == -1 }).count == 1 {
            newShape[inferred] = count / known
        }
        check(newShape.reduce(1, *) == count && newShape.allSatisfy { $0 >= 0 },
              "reshape: cannot view shape \(describe(shape: shape)) as \(describe(shape: newShape))")
        return view(offset: 0, shape: newShape)
    }

    /// The values as one dimension (`x.flatten()`), a view.
    public func flattened() -> Tensor { reshaped([count]) }

    /// Time step `t` of a time-major tensor, `X[t]`: a view of the rows of step `t`, no copy.
    public subscript(_ t: Int) -> Tensor {
        check(rank >= 1 && t >= 0 && t < shape[0], "index \(t) is out of range for shape \(describe(shape: shape))")
        return view(offset: t * (count / shape[0]), shape: Array(shape[1...]))
    }

    /// A view of `shape` starting `offset` elements in; its gradient flows back into this tensor's.
    private func view(offset start: Int, shape viewShape: consuming [Int]) -> Tensor {
        let base = Tensor.isRecording ? record : nil
        let view = Tensor(viewing: self, offset: start, shape: viewShape, requiresGrad: base != nil)
        if let base {
            view.record?.node = Node(base, nil) { view, _, _ in   // the one input: the viewed tensor's record
                let gx = base.gradElements() + start
                addVectors(gx, view.gradValues, into: gx, count: view.count)
            }
        }
        return view
    }

    /// Joins tensors along dimension `dim` (`torch.cat(xs, dim=dim)`); the other dimensions must agree.
    public static func concatenate(_ tensors: [Tensor], along dim: Int = 0) -> Tensor {
        check(!tensors.isEmpty, "concatenate: no tensors")
        let first = tensors[0].shape
        check(dim >= 0 && dim < first.count, "concatenate: dimension \(dim) does not exist in shape \(describe(shape: first))")
        for t in tensors {
            check(t.rank == first.count && t.shape.indices.allSatisfy { $0 == dim || t.shape[$0] == first[$0] },
                  "concatenate: shapes \(describe(shape: first)) and \(describe(shape: t.shape)) differ outside dimension \(dim)")
        }
        var shape = first
        shape[dim] = tensors.reduce(0) { $0 + $1.shape[dim] }
        return joined(tensors, shape: shape, blocks: first[..<dim].reduce(1, *))
    }

    /// Stacks equal-shaped tensors along a new first dimension (`torch.stack(xs)`).
    public static func stack(_ tensors: [Tensor]) -> Tensor {
        check(!tensors.isEmpty, "stack: no tensors")
        for t in tensors {
            check(t.shape == tensors[0].shape, "stack: shapes \(describe(shape: tensors[0].shape)) and \(describe(shape: t.shape)) differ")
        }
        return joined(tensors, shape: [tensors.count] + tensors[0].shape, blocks: 1)
    }

    /// The tensors' values in a tensor of `shape`, each cut into `blocks` equal runs: run 0 of every
    /// tensor in turn, then run 1 of every tensor, …; along the first dimension, one block.
    private static func joined(_ tensors: [Tensor], shape: [Int], blocks: Int) -> Tensor {
        let widths = tensors.map { $0.count / Swift.max(blocks, 1) }
        let row = widths.reduce(0, +)                               // one block of the result
        let out = result(shape, from: tensors) { [records = tensors.map(\.record)] out, _, _ in
            let g = out.gradValues
            var start = 0
            for (t, width) in zip(records, widths) {
                if let t {
                    let (gt, fresh) = t.gradientForWriting()
                    for b in 0..<blocks {
                        let (src, dst) = (g + b * row + start, gt + b * width)
                        if fresh { dst.update(from: src, count: width) } else { addVectors(dst, src, into: dst, count: width) }
                    }
                }
                start += width
            }
        }
        var start = 0
        for (t, width) in zip(tensors, widths) {
            for b in 0..<blocks { (out.elements + b * row + start).update(from: t.elements + b * width, count: width) }
            start += width
        }
        return out
    }

    /// Reverses the order along dimension `dim` (`torch.flip(x, dims=(dim,))`).
    public func flipped(along dim: Int) -> Tensor {
        check(dim >= 0 && dim < rank, "flip: dimension \(dim) does not exist in shape \(describe(shape: shape))")
        let (n, inner, outer) = (shape[dim], shape[(dim + 1)...].reduce(1, *), shape[..<dim].reduce(1, *))
        // Flipping is its own inverse: the gradient is the output's gradient flipped back.
        func flip(_ from: Floats, into to: Floats, adding: Bool) {
            for o in 0..<outer {
                for i in 0..<n {
                    let src = from + (o * n + i) * inner, dst = to + (o * n + (n - 1 - i)) * inner
                    for j in 0..<inner { dst[j] = adding ? dst[j] + src[j] : src[j] }
                }
            }
        }
        let out = Tensor.result(shape, from: self) { out, input, _ in
            if let input { flip(out.gradValues, into: input.gradElements(), adding: true) }
        }
        flip(elements, into: out.elements, adding: false)
        return out
    }

    /// The elements whose index along `dim` lies in `range` (`x[:, 0:3]` is `narrowed(along: 1, to: 0..<3)`).
    public func narrowed(along dim: Int, to range: Range<Int>) -> Tensor {
        check(dim >= 0 && dim < rank && range.lowerBound >= 0 && range.upperBound <= shape[dim],
              "narrow: range \(range) along dimension \(dim) does not fit shape \(describe(shape: shape))")
        var outShape = shape
        outShape[dim] = range.count
        let n = shape[dim], inner = shape[(dim + 1)...].reduce(1, *), outer = shape[..<dim].reduce(1, *)
        let width = range.count * inner
        let out = Tensor.result(outShape, from: self) { out, input, _ in
            guard let input else { return }
            let (g, gx) = (out.gradValues, input.gradElements())
            for o in 0..<outer {
                let src = g + o * width, dst = gx + (o * n + range.lowerBound) * inner
                for j in 0..<width { dst[j] += src[j] }
            }
        }
        for o in 0..<outer { (out.elements + o * width).update(from: elements + (o * n + range.lowerBound) * inner, count: width) }
        return out
    }
}
