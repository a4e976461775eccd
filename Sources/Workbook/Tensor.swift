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
//   Kernels.swift                 the loops the operations run (matrix product, SIMD)
//
// Every operation computes its value and, right beside it, says how its gradient flows back.

import Foundation
import Synchronization

/// A buffer that outlives the tensor it was made for: an operation's output whose values the
/// backward pass reads (tanh, ReLU, the fused RNN layer) moves its buffer here, into the graph's
/// record, so the values stay when the tensor itself is gone.
final class Storage {
    let pointer: UnsafeMutablePointer<Float>
    let count: Int

    /// Takes over a buffer of `count` floats from the pool; returns it there when released.
    init(taking pointer: UnsafeMutablePointer<Float>, count: Int) { (self.pointer, self.count) = (pointer, count) }

    deinit { BufferPool.shared.give(pointer, count) }
}

/// Buffers released by tensors, kept by size for the next tensor of that size.
///
/// A training step allocates the same intermediate tensors every epoch (the bidirectional model,
/// about 36 MB of them). Returning each to the system and taking it back costs a page fault per
/// 4 KB, which was most of an epoch's time; reusing them costs a lookup. The pool keeps at most
/// ``capacity`` floats, so memory stays bounded.
///
/// The free buffers of one size form a linked list threaded through the buffers themselves (each
/// holds the address of the next in its first bytes), whose head sits in a small open-addressing
/// table keyed by the size: taking and giving are a few instructions, with no hashing of keys or
/// arrays to grow. A size that finds no room in the table (after ``probes`` slots) is not pooled.
///
/// Tensors are created and freed on several threads (tests, Chapter07's parallel runs), so a
/// mutex guards the tables. It is the standard library's `Mutex`, whose uncontended lock and
/// unlock are an atomic instruction each: `NSLock` cost three times the instructions of the
/// table lookup it guarded, twice per tensor.
final class BufferPool: @unchecked Sendable {
    static let shared = BufferPool()
    /// At most 16 M floats (64 MB) wait for reuse.
    let capacity = 16 << 20
    /// The table's slots (a power of two), and how many a size may try.
    private let slotCount = 512, probes = 8
    /// Slot `i` holds the free buffers of `sizes[i]` floats (0: a free slot), from `heads[i]` on.
    private let sizes: UnsafeMutablePointer<Int>
    private let heads: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    /// How many floats wait for reuse; its mutex guards the tables as well.
    private let pooled = Mutex(0)

    private init() {
        sizes = .allocate(capacity: slotCount)
        sizes.initialize(repeating: 0, count: slotCount)
        heads = .allocate(capacity: slotCount)
        heads.initialize(repeating: nil, count: slotCount)
    }

    /// The slot of `count`, claiming a free one when `claim`; nil when there is none.
    private func slot(_ count: Int, claim: Bool) -> Int? {
        var i = Int(truncatingIfNeeded: UInt(bitPattern: count) &* 0x9E37_79B9_7F4A_7C15 >> 32) & (slotCount - 1)
        for _ in 0..<probes {
            if sizes[i] == count { return i }
            if sizes[i] == 0 {
                guard claim else { return nil }
                sizes[i] = count
                return i
            }
            i = (i + 1) & (slotCount - 1)
        }
        return nil
    }

    /// A buffer for `count` floats (uninitialised). Every buffer has room for at least two
    /// floats, so that a free one can hold the address of the next.
    func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        let reused = pooled.withLock { pooled -> UnsafeMutableRawPointer? in
            guard let i = slot(count, claim: false), let buffer = heads[i] else { return nil }
            heads[i] = buffer.assumingMemoryBound(to: UnsafeMutableRawPointer?.self).pointee
            pooled -= count
            return buffer
        }
        guard let reused else { return .allocate(capacity: Swift.max(count, 2)) }
        return reused.bindMemory(to: Float.self, capacity: count)
    }

    /// Frees every buffer waiting for reuse.
    func releaseAll() {
        pooled.withLock { pooled in
            for i in 0..<slotCount {
                while let buffer = heads[i] {
                    heads[i] = buffer.assumingMemoryBound(to: UnsafeMutableRawPointer?.self).pointee
                    buffer.deallocate()
                }
                sizes[i] = 0
            }
            pooled = 0
        }
    }

    func give(_ buffer: UnsafeMutablePointer<Float>, _ count: Int) {
        let kept = pooled.withLock { pooled -> Bool in
            guard count > 0, pooled + count <= capacity, let i = slot(count, claim: true) else { return false }
            let link = UnsafeMutableRawPointer(buffer)
            link.bindMemory(to: UnsafeMutableRawPointer?.self, capacity: 1).pointee = heads[i]
            heads[i] = link
            pooled += count
            return true
        }
        if !kept { buffer.deallocate() }
    }
}

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
    var savedValues: Storage?
    /// Set while `backward()` orders the graph: this record has been reached.
    var visited = false

    init(shape: [Int], count: Int) { (self.shape, self.count) = (shape, count) }

    /// The saved values' first element (see ``savedValues``).
    var savedPointer: UnsafeMutablePointer<Float> {
        guard let savedValues else { fatalError("GradientRecord: the operation did not save its output") }
        return savedValues.pointer
    }

    /// The gradient's values, for a backward pass that only reads them (its output's gradient):
    /// never a copy, even of a buffer shared with another record (see ``ownedGradient()``).
    var gradValues: UnsafePointer<Float> {
        if let grad { return UnsafePointer(grad.pointer) }
        return UnsafePointer(gradPointer())
    }

    /// The gradient buffer, created as zeros on first use; operations add into it.
    func gradPointer() -> UnsafeMutablePointer<Float> {
        if let grad = ownedGradient() { return grad.pointer }
        let fresh = Tensor(zeros: shape)
        grad = fresh
        return fresh.pointer
    }

    /// The gradient buffer for a contribution that writes every element: `fresh` when it was just
    /// created and holds no values yet, so the contribution is written instead of added (no zero
    /// fill). Views, which add into a part of their base's gradient, use ``gradPointer()``.
    func gradientForWriting() -> (pointer: UnsafeMutablePointer<Float>, fresh: Bool) {
        if let grad = ownedGradient() { return (grad.pointer, false) }
        let fresh = Tensor(shape: shape, zeroed: false)
        grad = fresh
        return (fresh.pointer, true)
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
        let copy = Tensor(shape: shape, zeroed: false)
        copy.pointer.update(from: grad.unsafelyUnwrapped.pointer, count: count)
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
    /// The first element's address; elements follow contiguously.
    let pointer: UnsafeMutablePointer<Float>
    /// What keeps the values alive when this tensor does not own them: the tensor whose buffer a
    /// view looks into, or the ``Storage`` a saved output moved its buffer to. Nil: the tensor owns
    /// its buffer and returns it to the pool when released (one object per tensor, not two).
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
        pointer = BufferPool.shared.take(count)
        if zeroed { pointer.initialize(repeating: 0, count: Swift.max(count, 1)) }
        if requiresGrad { record = GradientRecord(shape: shape, count: count) }
    }

    deinit { if owner == nil { BufferPool.shared.give(pointer, count) } }

    /// A tensor holding `values` in row-major order.
    public convenience init(_ values: [Float], shape: [Int], requiresGrad: Bool = false) {
        self.init(zeros: shape, requiresGrad: requiresGrad)
        check(values.count == count, "\(values.count) values do not fill shape \(shape)")
        values.withUnsafeBufferPointer { buffer in
            if let base = buffer.baseAddress { pointer.update(from: base, count: count) }
        }
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
        pointer = base.pointer + offset
        owner = base.owner ?? base
        if requiresGrad { record = GradientRecord(shape: shape, count: count) }
    }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The values, row-major.
    public var values: [Float] { Array(UnsafeBufferPointer(start: pointer, count: count)) }

    /// The value of a one-element tensor (`loss.item()` in PyTorch).
    public var item: Float {
        check(count == 1, "item needs a one-element tensor, not shape \(shape)")
        return pointer[0]
    }

    /// The element at a full index, such as `x[element: 2, 0]`.
    public subscript(element index: Int...) -> Float {
        get { pointer[flatIndex(index)] }
        set { pointer[flatIndex(index)] = newValue }
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
        copy.pointer.update(from: pointer, count: count)
        return copy
    }

    /// Overwrites the values with `source`'s (same shape), outside the graph.
    public func assign(_ source: Tensor) {
        check(source.shape == shape, "cannot assign shape \(source.shape) to shape \(shape)")
        pointer.update(from: source.pointer, count: count)
    }

    /// Sets the gradient to nothing, as `optimizer.zero_grad()` does.
    public func zeroGrad() { grad = nil }

    // MARK: Building results

    /// A fresh result of `shape` computed from `inputs`; records `backward` when any input needs a
    /// gradient. The closure should capture the records of the inputs it sends gradients to
    /// (`a.record`), and the input tensors themselves only when it reads their values: what it
    /// captures stays alive until the backward pass. With `savingOutput`, the result's values are
    /// kept for `backward` as the output record's ``GradientRecord/savedPointer``.
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

    /// Moves a fresh result's buffer into a ``Storage`` that the graph can keep after the tensor is gone.
    private func movedToStorage() -> Storage {
        let storage = Storage(taking: pointer, count: count)
        owner = storage
        return storage
    }

    /// Whether operations are recorded for ``backward()`` on this thread; see ``withoutGradients(_:)``.
    ///
    /// Per thread, as PyTorch's grad mode is: a `withoutGradients` on one thread (a printed loss)
    /// must not stop another thread's forward pass from recording (tests run in parallel, and so do
    /// Chapter07-Beyond's independent training runs).
    static var isRecording: Bool { notRecording.value == nil }

    /// Runs `body` without recording its operations for ``backward()``, as PyTorch's
    /// `with torch.no_grad():` does: results need no gradient, and no graph is built. For losses
    /// that are only printed, and for predictions.
    public static func withoutGradients<T>(_ body: () throws -> T) rethrows -> T {
        try notRecording.with(UnsafeRawPointer(bitPattern: 1), body)   // any non-nil value
    }
}

extension Tensor {
    /// Hands the buffers that released tensors left for reuse back to the system, as
    /// `torch.cuda.empty_cache()` does for PyTorch's cache: for a program that has finished one
    /// kind of work and moves on to tensors of other sizes, so that it does not keep memory it will
    /// not reuse. Tensors still alive are not affected.
    public static func releaseCachedBuffers() { BufferPool.shared.releaseAll() }
}

/// Set (non-nil) inside ``Tensor/withoutGradients(_:)``, on that thread only.
private let notRecording = ThreadSpecific()

/// A value for each thread, nil until a ``with(_:_:)`` on that thread sets it: for settings that
/// hold on one thread only, as PyTorch's grad mode does (``Tensor/withoutGradients(_:)``,
/// ``Tensor/withThreadCount(_:_:)``).
struct ThreadSpecific: @unchecked Sendable {
    private let key: pthread_key_t

    init() {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        self.key = key
    }

    /// This thread's value.
    var value: UnsafeRawPointer? { pthread_getspecific(key).map(UnsafeRawPointer.init) }

    /// Runs `body` with this thread's value set to `value`, then restores the one before.
    func with<T>(_ value: UnsafeRawPointer?, _ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, value)
        defer { pthread_setspecific(key, previous) }
        return try body()
    }
}

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
