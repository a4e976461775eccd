import Foundation
import Kernels

// Elementwise arithmetic: + − × ÷ between tensors (with a broadcast bias), with scalars, square, pow.
// Broadcasting is the notebooks' case, `(B, H) + (H)`: the smaller shape must be a suffix of the
// larger's (a scalar `[]` is a suffix of every shape) and repeats along the leading dimensions. The
// notebook's `(N, 1) − (N,)`, which PyTorch broadcasts to N × N, is on purpose not elementwise
// here: it is ``broadcastMeanSquaredError(_:_:)`` in Loss.swift, in O(N).

extension Tensor {
    /// The shape two operands broadcast to, and how many times the smaller one repeats.
    private static func broadcast(_ a: Tensor, _ b: Tensor, _ op: String) -> (shape: [Int], repeats: Int) {
        // No pair of operands or shapes in a tuple: each would be one more retain and release.
        func fits(_ large: Tensor, _ small: Tensor) -> Bool { large.shape.suffix(small.rank).elementsEqual(small.shape) }
        check(a.rank >= b.rank ? fits(a, b) : fits(b, a), "\(op): shapes \(describe(shape: a.shape)) and "
              + "\(describe(shape: b.shape)) do not broadcast (the smaller must match the trailing dimensions of the larger)")
        let (largeCount, smallCount) = a.rank >= b.rank ? (a.count, b.count) : (b.count, a.count)
        return (a.rank >= b.rank ? a.shape : b.shape, smallCount == 0 ? 0 : largeCount / smallCount)
    }

    /// Applies `f` elementwise over two broadcast operands, and records how the gradient flows back.
    static func binary(_ a: Tensor, _ b: Tensor, _ f: some BinaryFunction, _ op: String) -> Tensor {
        let (shape, repeats) = broadcast(a, b, op)
        // `repeats` blocks: the larger operand advances with them, the smaller restarts at each.
        let outCount = shape.reduce(1, *)
        let block = repeats == 0 ? 0 : outCount / repeats
        let (strideA, strideB) = (a.count == outCount ? block : 0, b.count == outCount ? block : 0)
        // The partial derivatives read both operands' values: the closure keeps both tensors.
        let out = result(shape, from: a, b) { out, recordA, recordB in
            let g = out.gradValues
            // One operand's gradient (`partial` picks its derivative), written into a fresh
            // gradient by the first block, added by the others; a loop per operand vectorises.
            @inline(__always) func send(to record: GradientRecord, stride: Int, _ partial: (Float, Float) -> Float) {
                let (grad, fresh) = record.gradientForWriting()
                for r in 0..<repeats {
                    let (xa, xb, gr, gx) = (a.elements + r * strideA, b.elements + r * strideB, g + r * block, grad + r * stride)
                    if fresh && (r == 0 || stride != 0) { for j in 0..<block { gx[j] = gr[j] * partial(xa[j], xb[j]) } }
                    else { for j in 0..<block { gx[j] += gr[j] * partial(xa[j], xb[j]) } }
                }
            }
            if let recordA { send(to: recordA, stride: strideA) { f.partials($0, $1).0 } }
            // b's gradient is taken after a's is complete: `x * x` passes the same tensor twice.
            if let recordB { send(to: recordB, stride: strideB) { f.partials($0, $1).1 } }
        }
        for r in 0..<repeats {
            let (xa, xb, o) = (a.elements + r * strideA, b.elements + r * strideB, out.elements + r * block)
            for j in 0..<block { o[j] = f.value(xa[j], xb[j]) }
        }
        return out
    }

    /// Applies `f` to every element; the derivative reads the input's values (the closure keeps `x`).
    static func unary(_ x: Tensor, _ f: some UnaryFunction) -> Tensor {
        let out = result(x.shape, from: x) { out, recordX, _ in
            guard let recordX else { return }
            let (g, (gx, fresh), px) = (out.gradValues, recordX.gradientForWriting(), x.elements)
            if fresh { for i in 0..<out.count { gx[i] = g[i] * f.derivative(px[i]) } }
            else { for i in 0..<out.count { gx[i] += g[i] * f.derivative(px[i]) } }
        }
        let (px, py) = (x.elements, out.elements)
        for i in 0..<x.count { py[i] = f.value(px[i]) }
        return out
    }

    /// `a + b` with a broadcast bias, the recurrences' most frequent operation, in kernels. The
    /// gradient passes through unchanged: an intermediate operand of the output's shape with no
    /// gradient yet shares the output's buffer (copied by the first that writes into it); otherwise
    /// it is copied or added; a bias receives the sum of its rows' gradients.
    private static func sum(_ a: Tensor, _ b: Tensor) -> Tensor {
        let (shape, repeats) = broadcast(a, b, "add")
        let outCount = shape.reduce(1, *)
        let block = repeats == 0 ? 0 : outCount / repeats
        // No values are needed: the closure keeps only the operands' records.
        let out = result(shape, from: a, b) { out, recordA, recordB in
            guard let g = out.grad else { return }
            func send(to x: GradientRecord) {
                if x.count == outCount && x.node != nil && x.grad == nil && x.shape == out.shape { x.grad = g; return }   // shared
                let (gx, fresh) = x.gradientForWriting()
                if x.count != outCount { sumRows(g.elements, rows: repeats, width: block, into: gx, accumulate: !fresh) }
                else if fresh { copyVector(g.elements, into: gx, count: outCount) }
                else { addVectors(gx, g.elements, into: gx, count: outCount) }
            }
            if let recordA { send(to: recordA) }
            if let recordB { send(to: recordB) }
        }
        switch (a.count == outCount, b.count == outCount) {
        case (true, true): addVectors(a.elements, b.elements, into: out.elements, count: outCount)
        case (true, false): addRowVector(a.elements, b.elements, into: out.elements, rows: repeats, width: block)
        default: addRowVector(b.elements, a.elements, into: out.elements, rows: repeats, width: block)
        }
        return out
    }

    /// Elementwise sum, difference, product and quotient, broadcasting a bias: `(B, H) + (H)`.
    public static func + (a: Tensor, b: Tensor) -> Tensor { sum(a, b) }
    public static func - (a: Tensor, b: Tensor) -> Tensor { binary(a, b, Subtract(), "subtract") }
    public static func * (a: Tensor, b: Tensor) -> Tensor { binary(a, b, Multiply(), "multiply") }
    public static func / (a: Tensor, b: Tensor) -> Tensor { binary(a, b, Divide(), "divide") }

    // With a scalar: `scale · x + shift` or `x / s`.
    public static func + (x: Tensor, s: Float) -> Tensor { unary(x, AffineMap(scale: 1, shift: s)) }
    public static func + (s: Float, x: Tensor) -> Tensor { x + s }
    public static func - (x: Tensor, s: Float) -> Tensor { unary(x, AffineMap(scale: 1, shift: -s)) }
    public static func - (s: Float, x: Tensor) -> Tensor { unary(x, AffineMap(scale: -1, shift: s)) }
    public static func * (x: Tensor, s: Float) -> Tensor { unary(x, AffineMap(scale: s, shift: 0)) }
    public static func * (s: Float, x: Tensor) -> Tensor { x * s }
    public static func / (x: Tensor, s: Float) -> Tensor { unary(x, Quotient(divisor: s)) }
    public static prefix func - (x: Tensor) -> Tensor { unary(x, AffineMap(scale: -1, shift: 0)) }

    /// Every element squared (`x**2`), or to the power `exponent` (`x**p`).
    public func squared() -> Tensor { Tensor.unary(self, Square()) }
    public func pow(_ exponent: Float) -> Tensor { Tensor.unary(self, Power(exponent: exponent)) }
}

// MARK: The elementwise functions: each value beside its derivative

protocol UnaryFunction { func value(_ x: Float) -> Float; func derivative(_ x: Float) -> Float }
protocol BinaryFunction { func value(_ a: Float, _ b: Float) -> Float; func partials(_ a: Float, _ b: Float) -> (Float, Float) }

struct Subtract: BinaryFunction {
    func value(_ a: Float, _ b: Float) -> Float { a - b }
    func partials(_ a: Float, _ b: Float) -> (Float, Float) { (1, -1) }
}
struct Multiply: BinaryFunction {
    func value(_ a: Float, _ b: Float) -> Float { a * b }
    func partials(_ a: Float, _ b: Float) -> (Float, Float) { (b, a) }
}
struct Divide: BinaryFunction {
    func value(_ a: Float, _ b: Float) -> Float { a / b }
    func partials(_ a: Float, _ b: Float) -> (Float, Float) { (1 / b, -a / (b * b)) }
}
/// `scale · x + shift`: adding, subtracting or multiplying by a scalar, and negation.
struct AffineMap: UnaryFunction {
    let scale: Float, shift: Float
    func value(_ x: Float) -> Float { scale * x + shift }
    func derivative(_ x: Float) -> Float { scale }
}
struct Quotient: UnaryFunction {
    let divisor: Float
    func value(_ x: Float) -> Float { x / divisor }
    func derivative(_ x: Float) -> Float { 1 / divisor }
}
struct Square: UnaryFunction {
    func value(_ x: Float) -> Float { x * x }
    func derivative(_ x: Float) -> Float { 2 * x }
}
struct Power: UnaryFunction {
    let exponent: Float
    func value(_ x: Float) -> Float { powf(x, exponent) }
    func derivative(_ x: Float) -> Float { exponent * powf(x, exponent - 1) }
}
