// The Workbook's tensor: float32 values with a shape, and the record of how they were computed.
//
// One idea per file, in dependency order:
//   Tensor.swift                  storage, shape, the gradient record and graph node (this file)
//   Tensor+Backward.swift         backward(): reverse-mode automatic differentiation
//   Tensor+Arithmetic.swift       + − × ÷ with a broadcast bias, scalars, square, pow
//   Tensor+Reductions.swift       sum, mean
//   Tensor+Activations.swift      tanh, ReLU
//   Tensor+LinearAlgebra.swift    matmul, transpose
//   Tensor+Shape.swift            reshape, flatten, X[t], concatenation, stack, flip, narrow
//   Tensor+RecurrentLayer.swift   nn.RNN's tanh layer over a whole sequence, as one operation
//
// Every operation computes its value and, right beside it, says how its gradient flows back. The
// loops that make the large ones fast (matrix products, sums of rows, tanh) are kernels, in the
// Kernels module: functions of ``Floats`` (where a tensor's values live) and sizes.

import Kernels

/// A float32 tensor with reverse-mode automatic differentiation, in the manner of `torch.Tensor`.
///
/// Values are stored row-major and contiguous. A tensor that ``requiresGrad`` records the
/// operations that use it; ``backward()`` on a scalar result then fills ``grad`` of every such
/// tensor, accumulating (`+=`) like PyTorch until ``zeroGrad()``.
public final class Tensor {
    /// The size of each dimension, outermost first; `[]` for a scalar.
    public let shape: [Int]
    /// The number of elements (the product of ``shape``).
    public let count: Int
    /// Where the values are: the first element, the others after it.
    let elements: Floats
    /// What keeps the values alive when this tensor does not own them: the tensor whose buffer a
    /// view looks into, or the ``FloatStorage`` a saved output moved its buffer to. Nil: the tensor owns
    /// its buffer and gives it back when released (one object per tensor, not two).
    var owner: AnyObject?

    /// Its gradient and place in the recorded graph, when it requires a gradient.
    var record: GradientRecord?

    /// Whether gradients flow to this tensor (a parameter, or a result computed from one).
    public var requiresGrad: Bool {
        get { record != nil }
        set {
            if newValue && record == nil { record = GradientRecord(shape: shape, count: count) }
            if !newValue { record = nil }
        }
    }

    /// The accumulated gradient of the last ``backward()`` calls, same shape as the tensor.
    public internal(set) var grad: Tensor? {
        get { record?.grad }
        set { record?.grad = newValue }
    }

    /// A tensor of zeros.
    public convenience init(zeros shape: [Int], requiresGrad: Bool = false) {
        self.init(shape: shape, zeroed: true, requiresGrad: requiresGrad)
    }

    /// A tensor whose elements the caller will all write (an operation's result), or zeros.
    init(shape: [Int], zeroed: Bool, requiresGrad: Bool = false) {
        check(shape.allSatisfy { $0 >= 0 }, "negative dimension in shape \(shape)")
        self.shape = shape
        count = shape.reduce(1, *)
        // A buffer that an earlier tensor released, zero-filled unless the caller writes every element.
        elements = .allocate(count)
        if zeroed { elements.fill(with: 0, count: Swift.max(count, 1)) }
        if requiresGrad { record = GradientRecord(shape: shape, count: count) }
    }

    deinit { if owner == nil { elements.deallocate(count) } }

    /// A tensor holding `values` in row-major order.
    public convenience init(_ values: [Float], shape: [Int], requiresGrad: Bool = false) {
        self.init(zeros: shape, requiresGrad: requiresGrad)
        check(values.count == count, "\(values.count) values do not fill shape \(shape)")
        elements.update(from: values)
    }

    /// A one-dimensional tensor.
    public convenience init(_ values: [Float], requiresGrad: Bool = false) {
        self.init(values, shape: [values.count], requiresGrad: requiresGrad)
    }

    /// A scalar tensor (shape `[]`).
    public convenience init(scalar: Float, requiresGrad: Bool = false) {
        self.init([scalar], shape: [], requiresGrad: requiresGrad)
    }

    /// A view: `base`'s values from `offset` on, kept alive by whatever keeps `base`'s.
    init(viewing base: Tensor, offset: Int, shape: [Int], requiresGrad: Bool) {
        self.shape = shape
        count = shape.reduce(1, *)
        elements = base.elements + offset
        owner = base.owner ?? base
        if requiresGrad { record = GradientRecord(shape: shape, count: count) }
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The values, row-major.
    public var values: [Float] { elements.array(count: count) }

    /// The value of a one-element tensor (`loss.item()` in PyTorch).
    public var item: Float {
        check(count == 1, "item needs a one-element tensor, not shape \(shape)")
        return elements[0]
    }

    /// The element at a full index, such as `x[element: 2, 0]`.
    public subscript(element index: Int...) -> Float {
        get { elements[flatIndex(index)] }
        set { elements[flatIndex(index)] = newValue }
    }

    private func flatIndex(_ index: [Int]) -> Int {
        check(index.count == rank, "index \(index) does not fit shape \(shape)")
        var flat = 0
        for (i, n) in zip(index, shape) {
            check(i >= 0 && i < n, "index \(index) is out of range for shape \(shape)")
            flat = flat * n + i
        }
        return flat
    }

    /// A new tensor with the same values that is not part of any graph (`detach().clone()`).
    public func detached() -> Tensor {
        let copy = Tensor(zeros: shape)
        copy.elements.update(from: elements, count: count)
        return copy
    }

    /// Overwrites the values with `source`'s (same shape), outside the graph.
    public func assign(_ source: Tensor) {
        check(source.shape == shape, "cannot assign shape \(source.shape) to shape \(shape)")
        elements.update(from: source.elements, count: count)
    }

    /// Sets the gradient to nothing, as `optimizer.zero_grad()` does.
    public func zeroGrad() { grad = nil }

    // MARK: Building results

    /// A fresh result of `shape` computed from `inputs`; records `backward` when any input needs a
    /// gradient. The closure should capture the records of the inputs it sends gradients to
    /// (`a.record`), and the input tensors themselves only when it reads their values: what it
    /// captures stays alive until the backward pass. With `savingOutput`, the result's values are
    /// kept for `backward` as the output record's ``GradientRecord/savedElements``.
    static func result(
        _ shape: [Int], from inputs: [Tensor], savingOutput: Bool = false,
        backward: @escaping (_ output: GradientRecord) -> Void
    ) -> Tensor {
        result(shape, recording: inputs.contains { $0.requiresGrad }, savingOutput: savingOutput) {
            Node(inputs: inputs, backward: backward)
        }
    }

    /// ``result(_:from:savingOutput:backward:)`` for the operations of one or two inputs, which
    /// are most of them: no array of inputs to build.
    static func result(
        _ shape: [Int], from a: Tensor, _ b: Tensor? = nil, savingOutput: Bool = false,
        backward: @escaping (_ output: GradientRecord) -> Void
    ) -> Tensor {
        result(shape, recording: a.record != nil || b?.record != nil, savingOutput: savingOutput) {
            Node(a.record, b?.record, backward: backward)
        }
    }

    /// A fresh result (every operation writes all of it); its node when an input needs a gradient.
    @inline(__always)
    private static func result(_ shape: [Int], recording: Bool, savingOutput: Bool, node: () -> Node) -> Tensor {
        let needsGrad = isRecording && recording
        let out = Tensor(shape: shape, zeroed: false, requiresGrad: needsGrad)
        if let record = out.record {
            record.node = node()
            if savingOutput { record.savedValues = out.movedToStorage() }
        }
        return out
    }

    /// Moves a fresh result's buffer into a ``FloatStorage`` that the graph can keep after the tensor is gone.
    private func movedToStorage() -> FloatStorage {
        let storage = FloatStorage(taking: elements, count: count)
        owner = storage
        return storage
    }

    /// Whether operations are recorded for ``backward()`` on this thread; see ``withoutGradients(_:)``.
    ///
    /// Per thread, as PyTorch's grad mode is: a `withoutGradients` on one thread (a printed loss)
    /// must not stop another thread's forward pass from recording (tests run in parallel, and so can
    /// independent training runs).
    static var isRecording: Bool { !notRecording.isSet }

    /// Runs `body` without recording its operations for ``backward()``, as PyTorch's
    /// `with torch.no_grad():` does: results need no gradient, and no graph is built. For losses
    /// that are only printed, and for predictions.
    public static func withoutGradients<T>(_ body: () throws -> T) rethrows -> T {
        try notRecording.with(body)
    }
}

/// Set inside ``Tensor/withoutGradients(_:)``, on that thread only.
private let notRecording = ThreadFlag()

extension Tensor: CustomStringConvertible {
    /// A short description: the shape and the first values.
    public var description: String {
        let shown = values.prefix(8).map { "\($0)" }.joined(separator: ", ")
        return "Tensor(shape: \(shape), values: [\(shown)\(count > 8 ? ", …" : "")])"
    }
}

/// Describes a shape the way PyTorch prints it: `torch.Size([180])` becomes `[180]`.
public func describe(shape: [Int]) -> String { "[" + shape.map(String.init).joined(separator: ", ") + "]" }

/// Stops the program with `message` when `condition` is false: a `precondition` whose message
/// survives optimised builds (the Workbook library is always optimised, and `precondition` then
/// drops its message). For programming errors such as mismatched shapes, never for user input.
@inline(__always)
func check(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError(message(), file: file, line: line) }
}

// MARK: - The recorded graph

/// What automatic differentiation keeps of a tensor that requires a gradient: the gradient, how
/// the tensor was computed, and its values only when that computation's backward pass needs them.
///
/// The recorded graph links these records, not the tensors, as PyTorch's autograd does: a result
/// that no one refers to any more frees its values at once, unless an operation saved them for its
/// backward pass. In `h = (x · W + h · U + b).relu()`, the two products and the sums are freed as
/// soon as the next operation has read them; the graph keeps only what `backward()` will read
/// (`x` and `h` for the products' gradients, the ReLU's output).
final class GradientRecord {
    let shape: [Int]
    let count: Int
    /// The accumulated gradient, same shape as the tensor.
    var grad: Tensor?
    /// How the tensor was computed; nil for a leaf (a parameter, an input).
    var node: Node?
    /// The tensor's values, when the operation that made them needs them for its gradient (tanh, ReLU).
    var savedValues: FloatStorage?
    /// Set while `backward()` orders the graph: this record has been reached.
    var visited = false

    init(shape: [Int], count: Int) { (self.shape, self.count) = (shape, count) }

    /// The saved values' first element (see ``savedValues``).
    var savedElements: Floats {
        guard let savedValues else { fatalError("GradientRecord: the operation did not save its output") }
        return savedValues.values
    }

    /// The gradient's values, for a backward pass that only reads them (its output's gradient):
    /// never a copy, even of a buffer shared with another record (see ``ownedGradient()``).
    var gradValues: Floats {
        if let grad { return grad.elements }
        return gradElements()
    }

    /// The gradient buffer, created as zeros on first use; operations add into it.
    func gradElements() -> Floats {
        if let grad = ownedGradient() { return grad.elements }
        let fresh = Tensor(zeros: shape)
        grad = fresh
        return fresh.elements
    }

    /// The gradient buffer for a contribution that writes every element: `fresh` when it was just
    /// created and holds no values yet, so the contribution is written instead of added (no zero
    /// fill). Views, which add into a part of their base's gradient, use ``gradElements()``.
    func gradientForWriting() -> (elements: Floats, fresh: Bool) {
        if let grad = ownedGradient() { return (grad.elements, false) }
        let fresh = Tensor(shape: shape, zeroed: false)
        grad = fresh
        return (fresh.elements, true)
    }

    /// The gradient, made this record's own before anything is written into it.
    ///
    /// A sum passes its output's gradient on unchanged to both operands, so they can share one
    /// buffer instead of a copy (Tensor+Arithmetic.swift): the first record that writes into a
    /// shared buffer copies it (copy on write). Only intermediate results share; a leaf (a
    /// parameter) always owns its gradient, which the optimiser and clipping change in place.
    private func ownedGradient() -> Tensor? {
        // No binding of `grad` before the check: it would be a second reference.
        if grad == nil { return nil }
        if node == nil || isKnownUniquelyReferenced(&grad) { return grad }
        guard let shared = grad else { return nil }
        let copy = Tensor(shape: shape, zeroed: false)
        copy.elements.update(from: shared.elements, count: count)
        grad = copy
        return copy
    }
}

/// How a tensor was computed: the records of the inputs that need a gradient, and how to send the
/// output's gradient back to them.
struct Node {
    /// The inputs' records: most operations have one or two, kept without an array of their own.
    private let first: GradientRecord?, second: GradientRecord?, others: [GradientRecord]
    /// Called with the output's record once its gradient is complete; adds into the inputs' gradients.
    let backward: (_ output: GradientRecord) -> Void

    /// A node over the records of those `inputs` that require a gradient.
    init(inputs: [Tensor], backward: @escaping (_ output: GradientRecord) -> Void) {
        var records = inputs.lazy.compactMap(\.record).makeIterator()
        (first, second) = (records.next(), records.next())
        others = Array(IteratorSequence(records))
        self.backward = backward
    }

    /// A node over one or two inputs' records (nil: that input needs no gradient).
    init(_ a: GradientRecord?, _ b: GradientRecord?, backward: @escaping (_ output: GradientRecord) -> Void) {
        (first, second, others) = (a, b, [])
        self.backward = backward
    }

    /// Calls `body` with each input's record.
    func forEachInput(_ body: (GradientRecord) -> Void) {
        if let first { body(first) }
        if let second { body(second) }
        others.forEach(body)
    }
}
