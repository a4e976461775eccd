// The Workbook's tensor: float32 values with a shape, and the record of how they were computed.
// One idea per file: Tensor+Backward (autodiff), +Arithmetic, +Reductions, +Activations,
// +LinearAlgebra, +Shape, +RecurrentLayer. Each operation computes its value and, beside it, says
// how its gradient flows back; the large loops are kernels (the Kernels module), on ``Floats``.

import Kernels

/// A float32 tensor with reverse-mode automatic differentiation, in the manner of `torch.Tensor`.
///
/// Values are row-major and contiguous. A tensor that ``requiresGrad`` records the operations that
/// use it; ``backward()`` on a scalar result then fills ``grad`` of every such tensor, accumulating
/// (`+=`) like PyTorch until ``zeroGrad()``.
public final class Tensor {
    /// The size of each dimension, outermost first (`[]` for a scalar), and the number of elements.
    public let shape: [Int], count: Int
    /// Where the values are: the first element, the others after it.
    let elements: Floats
    /// What keeps the values alive when this tensor does not own them: the tensor a view looks
    /// into, or the ``FloatStorage`` a saved output moved to. Nil: the tensor owns its buffer.
    var owner: AnyObject?
    /// Its gradient and place in the recorded graph, when it requires a gradient.
    var record: GradientRecord?

    /// Whether gradients flow to this tensor (a parameter, or a result computed from one).
    public var requiresGrad: Bool { get { record != nil } set { record = newValue ? (record ?? GradientRecord(shape: shape, count: count)) : nil } }

    /// The accumulated gradient of the last ``backward()`` calls, same shape as the tensor.
    public internal(set) var grad: Tensor? { get { record?.grad } set { record?.grad = newValue } }

    /// A tensor of zeros.
    public convenience init(zeros shape: [Int], requiresGrad: Bool = false) { self.init(shape: shape, zeroed: true, requiresGrad: requiresGrad) }

    /// A tensor of zeros, or one whose elements the caller will all write (an operation's result).
    init(shape: [Int], zeroed: Bool, requiresGrad: Bool = false) {
        check(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        count = shape.reduce(1, *)
        self.shape = shape   // its last use: the array moves in, without a retain and a release
        elements = .allocate(count)   // a buffer an earlier tensor released, if one fits
        if zeroed { elements.fill(with: 0, count: Swift.max(count, 1)) }
        if requiresGrad { record = GradientRecord(shape: self.shape, count: count) }
    }

    deinit { if owner == nil { elements.deallocate(count) } }

    /// A tensor holding `values` in row-major order (one-dimensional without a `shape`).
    public convenience init(_ values: [Float], shape: [Int]? = nil, requiresGrad: Bool = false) {
        self.init(zeros: shape ?? [values.count], requiresGrad: requiresGrad)
        check(values.count == count, "\(values.count) values do not fill shape \(self.shape)")
        elements.update(from: values)
    }

    /// A scalar tensor (shape `[]`).
    public convenience init(scalar: Float, requiresGrad: Bool = false) { self.init([scalar], shape: [], requiresGrad: requiresGrad) }

    /// A view: `base`'s values from `offset` on, kept alive by whatever keeps `base`'s.
    init(viewing base: Tensor, offset: Int, shape: [Int], requiresGrad: Bool) {
        count = shape.reduce(1, *)
        self.shape = shape   // moves in, as above
        (elements, owner) = (base.elements + offset, base.owner ?? base)
        if requiresGrad { record = GradientRecord(shape: self.shape, count: count) }
    }

    /// The number of dimensions, and the values in row-major order.
    public var rank: Int { shape.count }
    public var values: [Float] { elements.array(count: count) }

    /// The value of a one-element tensor (`loss.item()` in PyTorch).
    public var item: Float { check(count == 1, "item needs a one-element tensor, not shape \(shape)"); return elements[0] }

    /// The element at a full index, such as `x[element: 2, 0]`.
    public subscript(element index: Int...) -> Float { get { elements[flatIndex(index)] } set { elements[flatIndex(index)] = newValue } }

    private func flatIndex(_ index: [Int]) -> Int {
        check(index.count == rank && zip(index, shape).allSatisfy { $0 >= 0 && $0 < $1 },
              "index \(index) is out of range for shape \(shape)")
        return zip(index, shape).reduce(0) { $0 * $1.1 + $1.0 }
    }

    /// A new tensor with the same values that is not part of any graph (`detach().clone()`).
    public func detached() -> Tensor {
        let copy = Tensor(shape: shape, zeroed: false)
        copy.assign(self)
        return copy
    }

    /// Overwrites the values with `source`'s (same shape), outside the graph.
    public func assign(_ source: Tensor) {
        check(source.shape == shape, "cannot assign shape \(source.shape) to shape \(shape)")
        elements.update(from: source.elements, count: count)
    }

    /// Sets the gradient to nothing, as `optimizer.zero_grad()` does.
    public func zeroGrad() { grad = nil }

    /// A fresh result of `shape` computed from `inputs`, recording `backward` when an input needs a
    /// gradient; an autoclosure, the closure is made only then (none under ``withoutGradients(_:)``).
    /// It is given the inputs' records (``Backward``) and captures the inputs only when it reads their
    /// values (`[a = …]`, read only when the closure is made); all of it lives until the backward
    /// pass. `savingOutput` keeps the values (``GradientRecord/savedElements``). The shape is
    /// `consuming`: the caller's array moves into the result, with no retain and release.
    static func result(_ shape: consuming [Int], from inputs: [Tensor], savingOutput: Bool = false,
                       backward: @autoclosure () -> Backward) -> Tensor {
        result(shape, recording: inputs.contains { $0.requiresGrad }, savingOutput: savingOutput) {
            Node(inputs: inputs, backward: backward())
        }
    }

    /// The same for one or two inputs, most operations: no array of inputs to build.
    static func result(_ shape: consuming [Int], from a: Tensor, _ b: Tensor? = nil, savingOutput: Bool = false,
                       backward: @autoclosure () -> Backward) -> Tensor {
        result(shape, recording: a.record != nil || b?.record != nil, savingOutput: savingOutput) {
            Node(a.record, b?.record, backward: backward())
        }
    }

    @inline(__always) private static func result(_ shape: consuming [Int], recording: Bool, savingOutput: Bool, node: () -> Node) -> Tensor {
        let out = Tensor(shape: shape, zeroed: false, requiresGrad: isRecording && recording)
        if let record = out.record {
            record.node = node()
            if savingOutput {   // the buffer moves to storage the graph keeps after the tensor is gone
                record.savedValues = FloatStorage(taking: out.elements, count: out.count)
                out.owner = record.savedValues
            }
        }
        return out
    }

    /// Whether operations are recorded for ``backward()`` on this thread (per thread, as PyTorch's
    /// grad mode: a printed loss on one thread must not stop another's forward pass recording).
    static var isRecording: Bool { !notRecording.isSet }

    /// Runs `body` without recording its operations, as PyTorch's `with torch.no_grad():`: results
    /// need no gradient and no graph is built. For losses that are only printed, and predictions.
    public static func withoutGradients<T>(_ body: () throws -> T) rethrows -> T { try notRecording.with(body) }
}

private let notRecording = ThreadFlag()   // set inside withoutGradients, on that thread only

extension Tensor: CustomStringConvertible {
    /// A short description: the shape and the first values.
    public var description: String {
        "Tensor(shape: \(shape), values: [\((values.prefix(8).map { "\($0)" } + (count > 8 ? ["…"] : [])).joined(separator: ", "))])"
    }
}

/// Describes a shape the way PyTorch prints it: `torch.Size([180])` becomes `[180]`.
public func describe(shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

/// Stops the program with `message` when `condition` is false: a `precondition` whose message
/// survives optimised builds. For programming errors such as mismatched shapes, never user input.
@inline(__always)
func check(_ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String, file: StaticString = #fileID, line: UInt = #line) {
    if !condition() { fatalError(message(), file: file, line: line) }
}

/// What autodiff keeps of a tensor that requires a gradient: the gradient, how the tensor was
/// computed, and its values only when that computation's backward pass needs them.
///
/// The graph links these records, not the tensors, as PyTorch's autograd does: a result no one
/// refers to frees its values at once unless an operation saved them. In `(x · W + h · U + b).relu()`
/// the products and sums are freed as soon as the next operation has read them.
final class GradientRecord {
    let shape: [Int], count: Int
    /// The accumulated gradient, same shape as the tensor.
    var grad: Tensor?
    /// How the tensor was computed; nil for a leaf (a parameter, an input).
    var node: Node?
    /// The tensor's values, when its operation needs them for the gradient (tanh, ReLU).
    var savedValues: FloatStorage?
    var visited = false   // set while `backward()` orders the graph

    init(shape: [Int], count: Int) { (self.shape, self.count) = (shape, count) }

    /// The saved values' first element (see ``savedValues``).
    var savedElements: Floats {
        guard let savedValues else { fatalError("GradientRecord: the operation did not save its output") }
        return savedValues.values
    }

    /// The gradient's values for a backward pass that only reads them: never a copy.
    var gradValues: Floats { grad?.elements ?? gradElements() }

    /// The gradient buffer, created on first use: as zeros for ``gradElements()``, which operations
    /// add into; unfilled for ``gradientForWriting()`` when `fresh`, where the caller writes every element.
    func gradElements() -> Floats { gradient(zeroed: true).elements }
    func gradientForWriting() -> (elements: Floats, fresh: Bool) { gradient(zeroed: false) }

    private func gradient(zeroed: Bool) -> (elements: Floats, fresh: Bool) {
        if let elements = ownedGradient() { return (elements, false) }
        let fresh = Tensor(shape: shape, zeroed: zeroed), elements = fresh.elements
        grad = fresh   // its last use: it moves in
        return (elements, true)
    }

    /// The gradient's values, made this record's own before anything is written into them. A sum
    /// passes its output's gradient to both operands as one shared buffer (Tensor+Arithmetic.swift);
    /// the first that writes copies it (copy on write). A leaf always owns its gradient. Its values,
    /// not the tensor: returning the tensor would cost a retain and a release.
    private func ownedGradient() -> Floats? {
        if grad == nil { return nil }   // no binding of `grad` before the check: a second reference
        if node == nil || isKnownUniquelyReferenced(&grad) { return grad?.elements }
        guard let shared = grad?.elements else { return nil }
        let copy = Tensor(shape: shape, zeroed: false), elements = copy.elements
        elements.update(from: shared, count: count)
        grad = copy
        return elements
    }
}

/// How an operation sends its output's gradient back into its inputs' (adding into theirs): given
/// the output's record and its two inputs' records, `a` and `b` (nil for an input that needs no
/// gradient). An operation on an array of tensors gets nil for both and captures its records.
typealias Backward = (_ output: GradientRecord, _ a: GradientRecord?, _ b: GradientRecord?) -> Void

/// How a tensor was computed: the records of the inputs that need a gradient, and how to send the
/// output's gradient back to them, once the output's is complete.
struct Node {
    /// Most operations have one or two inputs, `a` and `b` (nil when one needs no gradient), kept
    /// without an array; an operation on an array of tensors keeps the records that need one in `others`.
    let first: GradientRecord?, second: GradientRecord?, others: [GradientRecord]
    let backward: Backward

    init(inputs: [Tensor], backward: @escaping Backward) {
        (first, second, others, self.backward) = (nil, nil, inputs.compactMap(\.record), backward)
    }

    init(_ a: GradientRecord?, _ b: GradientRecord?, backward: @escaping Backward) {
        (first, second, others, self.backward) = (a, b, [], backward)
    }
}
