// Shapes: reshape and X[t] are views of the same storage; concatenation, stack, flip and narrow copy.

extension Tensor {
    /// The same values seen with another shape; one dimension may be `-1` and is inferred.
    ///
    /// A view: no copy. Its gradient is added back into this tensor's.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        var newShape = newShape
        let known = newShape.filter { $0 != -1 }.reduce(1, *)
        if let inferred = newShape.firstIndex(of: -1) {
            check(known > 0 && count % known == 0 && newShape.filter({ $0 == -1 }).count == 1,
                         "reshape: cannot view shape \(describe(shape: shape)) as \(describe(shape: newShape))")
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
        check(rank >= 1 && t >= 0 && t < shape[0],
                     "index \(t) is out of range for shape \(describe(shape: shape))")
        let inner = Array(shape.dropFirst())
        return view(offset: t * inner.reduce(1, *), shape: inner)
    }

    /// A view of `shape` starting `offset` elements in; its gradient flows back into this tensor's.
    private func view(offset start: Int, shape viewShape: [Int]) -> Tensor {
        let tracked = requiresGrad && Tensor.isRecording
        let view = Tensor(viewing: storage, offset: offset + start, shape: viewShape, requiresGrad: tracked)
        if tracked {
            view.node = Node(inputs: [self]) { view in
                let gx = self.gradPointer() + start
                addVectors(gx, view.gradPointer(), into: gx, count: view.count)
            }
        }
        return view
    }

    /// Joins tensors along the first dimension (`torch.cat(xs, dim=0)`).
    public static func concatenate(_ tensors: [Tensor]) -> Tensor {
        check(!tensors.isEmpty, "concatenate: no tensors")
        let inner = Array(tensors[0].shape.dropFirst())
        for t in tensors {
            check(t.rank >= 1 && Array(t.shape.dropFirst()) == inner,
                         "concatenate: shapes \(describe(shape: tensors[0].shape)) and \(describe(shape: t.shape)) differ after the first dimension")
        }
        return joined(tensors, shape: [tensors.reduce(0) { $0 + $1.shape[0] }] + inner)
    }

    /// Stacks equal-shaped tensors along a new first dimension (`torch.stack(xs)`).
    public static func stack(_ tensors: [Tensor]) -> Tensor {
        check(!tensors.isEmpty, "stack: no tensors")
        for t in tensors {
            check(t.shape == tensors[0].shape,
                         "stack: shapes \(describe(shape: tensors[0].shape)) and \(describe(shape: t.shape)) differ")
        }
        return joined(tensors, shape: [tensors.count] + tensors[0].shape)
    }

    /// The tensors' values one after the other, in a tensor of `shape`.
    private static func joined(_ tensors: [Tensor], shape: [Int]) -> Tensor {
        let out = result(shape, from: tensors) { out in
            var start = 0
            let g = out.gradPointer()
            for t in tensors {
                if t.requiresGrad {
                    let (gt, fresh) = t.gradientForWriting()
                    if fresh { gt.update(from: g + start, count: t.count) } else { addVectors(gt, g + start, into: gt, count: t.count) }
                }
                start += t.count
            }
        }
        var start = 0
        for t in tensors {
            (out.pointer + start).update(from: t.pointer, count: t.count)
            start += t.count
        }
        return out
    }

    /// Reverses the order along dimension `dim` (`torch.flip(x, dims=(dim,))`).
    public func flipped(along dim: Int) -> Tensor {
        check(dim >= 0 && dim < rank, "flip: dimension \(dim) does not exist in shape \(describe(shape: shape))")
        let n = shape[dim]
        let inner = shape[(dim + 1)...].reduce(1, *)
        let outer = shape[..<dim].reduce(1, *)
        // Flipping is its own inverse: the gradient is the output's gradient flipped back.
        func flip(_ from: UnsafeMutablePointer<Float>, into to: UnsafeMutablePointer<Float>, adding: Bool) {
            for o in 0..<outer {
                for i in 0..<n {
                    let src = from + (o * n + i) * inner, dst = to + (o * n + (n - 1 - i)) * inner
                    for j in 0..<inner { dst[j] = adding ? dst[j] + src[j] : src[j] }
                }
            }
        }
        let out = Tensor.result(shape, from: [self]) { out in flip(out.gradPointer(), into: self.gradPointer(), adding: true) }
        flip(pointer, into: out.pointer, adding: false)
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
        let out = Tensor.result(outShape, from: [self]) { out in
            let (g, gx) = (out.gradPointer(), self.gradPointer())
            for o in 0..<outer {
                let src = g + o * width, dst = gx + (o * n + range.lowerBound) * inner
                for j in 0..<width { dst[j] += src[j] }
            }
        }
        for o in 0..<outer {
            (out.pointer + o * width).update(from: pointer + (o * n + range.lowerBound) * inner, count: width)
        }
        return out
    }
}
