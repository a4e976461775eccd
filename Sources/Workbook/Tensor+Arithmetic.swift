import Foundation

// Elementwise arithmetic: + − × ÷ between tensors (with a broadcast bias), with scalars, square and pow.
//
// Broadcasting is the case the notebooks use, `(B, H) + (H)`: the smaller operand's shape must be
// a suffix of the larger's (a scalar `[]` is a suffix of every shape), and it repeats along the
// leading dimensions. Any other mismatch stops with both shapes named. The notebook's
// `(N, 1) − (N,)`, which PyTorch broadcasts to N × N, is not an elementwise operation here: it is
// ``broadcastSquaredErrorMean(_:_:)`` in Loss.swift, on purpose and in O(N).

extension Tensor {
    /// The shape two operands broadcast to, and how many times the smaller one repeats.
    private static func broadcast(_ a: Tensor, _ b: Tensor, _ op: String) -> (shape: [Int], repeats: Int) {
        let (large, small) = a.rank >= b.rank ? (a.shape, b.shape) : (b.shape, a.shape)
        check(
            Array(large.suffix(small.count)) == small,
            "\(op): shapes \(describe(shape: a.shape)) and \(describe(shape: b.shape)) do not broadcast "
                + "(the smaller must match the trailing dimensions of the larger)")
        let smallCount = small.reduce(1, *)
        return (large, smallCount == 0 ? 0 : large.reduce(1, *) / smallCount)
    }

    /// Applies `forward` elementwise over two broadcast operands; `partials` gives ∂out/∂a and ∂out/∂b.
    @inline(__always)
    static func binary(
        _ a: Tensor, _ b: Tensor, _ op: String,
        forward: @escaping (Float, Float) -> Float,
        partials: @escaping (_ a: Float, _ b: Float) -> (Float, Float)
    ) -> Tensor {
        let (shape, repeats) = broadcast(a, b, op)
        // The output is `repeats` blocks; the larger operand advances with the blocks, the
        // smaller one restarts at each (when both have the output's size, there is one block).
        let outCount = shape.reduce(1, *)
        let block = repeats == 0 ? 0 : outCount / repeats
        let (strideA, strideB) = (a.count == outCount ? block : 0, b.count == outCount ? block : 0)
        let out = result(shape, from: [a, b]) { out in
            let g = out.gradPointer()
            let ga = a.requiresGrad ? a.gradPointer() : nil
            let gb = b.requiresGrad ? b.gradPointer() : nil
            let (pa, pb) = (a.pointer, b.pointer)
            for r in 0..<repeats {
                let (oa, ob, og) = (r * strideA, r * strideB, r * block)
                for j in 0..<block {
                    let (da, db) = partials(pa[oa + j], pb[ob + j])
                    ga?[oa + j] += g[og + j] * da
                    gb?[ob + j] += g[og + j] * db
                }
            }
        }
        let (pa, pb, po) = (a.pointer, b.pointer, out.pointer)
        for r in 0..<repeats {
            let (oa, ob, oo) = (r * strideA, r * strideB, r * block)
            for j in 0..<block { po[oo + j] = forward(pa[oa + j], pb[ob + j]) }
        }
        return out
    }

    /// Applies `forward` to every element; `derivative(x, y)` gives ∂y/∂x from the input and output.
    @inline(__always)
    static func unary(
        _ x: Tensor, forward: (Float) -> Float, derivative: @escaping (_ x: Float, _ y: Float) -> Float
    ) -> Tensor {
        let out = result(x.shape, from: [x]) { out in
            let (g, gx, px, py) = (out.gradPointer(), x.gradPointer(), x.pointer, out.pointer)
            for i in 0..<out.count { gx[i] += g[i] * derivative(px[i], py[i]) }
        }
        let (px, py) = (x.pointer, out.pointer)
        for i in 0..<x.count { py[i] = forward(px[i]) }
        return out
    }

    // MARK: Tensor with tensor

    /// Elementwise sum, broadcasting a bias: `(B, H) + (H)`.
    public static func + (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, "add", forward: +, partials: { _, _ in (1, 1) })
    }

    /// Elementwise difference, broadcasting like `+`.
    public static func - (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, "subtract", forward: -, partials: { _, _ in (1, -1) })
    }

    /// Elementwise product, broadcasting like `+`.
    public static func * (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, "multiply", forward: *, partials: { a, b in (b, a) })
    }

    /// Elementwise quotient, broadcasting like `+`.
    public static func / (a: Tensor, b: Tensor) -> Tensor {
        binary(a, b, "divide", forward: /, partials: { a, b in (1 / b, -a / (b * b)) })
    }

    // MARK: Tensor with scalar

    public static func + (x: Tensor, s: Float) -> Tensor { unary(x, forward: { $0 + s }, derivative: { _, _ in 1 }) }
    public static func + (s: Float, x: Tensor) -> Tensor { x + s }
    public static func - (x: Tensor, s: Float) -> Tensor { unary(x, forward: { $0 - s }, derivative: { _, _ in 1 }) }
    public static func - (s: Float, x: Tensor) -> Tensor { unary(x, forward: { s - $0 }, derivative: { _, _ in -1 }) }
    public static func * (x: Tensor, s: Float) -> Tensor { unary(x, forward: { $0 * s }, derivative: { _, _ in s }) }
    public static func * (s: Float, x: Tensor) -> Tensor { x * s }
    public static func / (x: Tensor, s: Float) -> Tensor { unary(x, forward: { $0 / s }, derivative: { _, _ in 1 / s }) }
    public static prefix func - (x: Tensor) -> Tensor { unary(x, forward: { -$0 }, derivative: { _, _ in -1 }) }

    // MARK: Powers

    /// Every element squared (`x**2`).
    public func squared() -> Tensor { Tensor.unary(self, forward: { $0 * $0 }, derivative: { x, _ in 2 * x }) }

    /// Every element to the power `exponent` (`x**p`).
    public func pow(_ exponent: Float) -> Tensor {
        Tensor.unary(
            self, forward: { powf($0, exponent) },
            derivative: { x, _ in exponent * powf(x, exponent - 1) })
    }
}
