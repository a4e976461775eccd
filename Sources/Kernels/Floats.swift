// The kernels' one interface type: `Floats`, where a tensor's values live, and the pool of buffers.
//
// The Workbook engine never touches memory itself: a tensor holds a `Floats` (the address of its
// first value) and hands it, with sizes and strides, to the kernels of this module. Element access
// (`x[i]`) and offsets (`x + i * width`) are unchecked, as a pointer's are: the operations check
// shapes before they index.

import Foundation
import KernelRuntime

/// A run of float32 values in memory: the first one's address, nothing more.
///
/// Like a pointer it does not know its length and does not own its memory: whoever allocated it
/// (``allocate(_:)``) gives it back (``deallocate(_:)``), or hands it to a ``FloatStorage`` that
/// gives it back when released.
public struct Floats {
    @usableFromInline let base: UnsafeMutablePointer<Float>

    @inlinable init(_ base: UnsafeMutablePointer<Float>) { self.base = base }

    /// The value `i` places on.
    @inlinable public subscript(i: Int) -> Float {
        get { base[i] }
        nonmutating set { base[i] = newValue }
    }

    /// The values from `offset` places on.
    @inlinable public static func + (x: Floats, offset: Int) -> Floats { Floats(x.base + offset) }

    /// The values from `offset` places before.
    @inlinable public static func - (x: Floats, offset: Int) -> Floats { Floats(x.base - offset) }

    /// Copies `count` values from `source` (the two runs may not overlap).
    @inlinable public func update(from source: Floats, count: Int) { base.update(from: source.base, count: count) }

    /// Sets `count` values to `value`.
    @inlinable public func fill(with value: Float, count: Int) { base.update(repeating: value, count: count) }

    /// Copies `values` in, from the first place on.
    public func update(from values: [Float]) {
        values.withUnsafeBufferPointer { if let v = $0.baseAddress { base.update(from: v, count: values.count) } }
    }

    /// Copies `values.count` values out into `values`.
    public func copy(into values: inout [Float]) {
        values.withUnsafeMutableBufferPointer { if let v = $0.baseAddress { v.update(from: base, count: $0.count) } }
    }

    /// The first `count` values, as an array.
    public func array(count: Int) -> [Float] { Array(UnsafeBufferPointer(start: base, count: count)) }

    /// Room for `count` values (uninitialised), from this thread's pool of released buffers when one
    /// of that size waits there.
    public static func allocate(_ count: Int) -> Floats { Floats(BufferPool.current.pointee.take(count)) }

    /// Gives room for `count` values back to this thread's pool (or to the system when it is full).
    public func deallocate(_ count: Int) { BufferPool.current.pointee.give(base, count) }
}

/// The bytes of a cache line, where every buffer of values starts: a 64-byte vector (AVX-512) or a
/// 32-byte one then never straddles two lines. Buffers from `malloc` start 16 bytes into a line (a
/// large one just after its header): every AVX-512 load and store of them touched two lines.
let cacheLine = 64

/// Values that outlive the tensor they were computed for: an operation's output whose values the
/// backward pass reads (tanh, ReLU, the fused RNN layer) moves its buffer here, into the graph's
/// record. The buffer goes back to the pool when the storage is released.
public final class FloatStorage {
    public let values: Floats
    public let count: Int

    /// Takes over `values`, `count` of them, from their allocator.
    public init(taking values: Floats, count: Int) { (self.values, self.count) = (values, count) }

    deinit { values.deallocate(count) }
}

/// Hands the buffers that released tensors left for reuse on this thread back to the system, as
/// `torch.cuda.empty_cache()` does for PyTorch's cache: for a thread that has finished one kind of
/// work and moves on to tensors of other sizes. Buffers in use are not affected; a thread's pool
/// is emptied when the thread ends, too.
public func releaseCachedBuffers() { BufferPool.current.pointee.releaseAll() }

/// Buffers released by tensors, kept by size for the next tensor of that size: one pool for each
/// thread, so that taking and giving need no lock.
///
/// A training step allocates the same intermediate tensors every epoch (the bidirectional model,
/// about 36 MB of them). Returning each to the system and taking it back costs a page fault per
/// 4 KB; reusing one costs a lookup. Each pool keeps at most ``capacity`` floats, so memory stays
/// bounded.
///
/// The free buffers of one size form a linked list threaded through the buffers themselves (each
/// holds the address of the next in its first bytes), whose head sits in a small open-addressing
/// table keyed by the size: taking and giving are a few instructions, with no hashing of keys or
/// arrays to grow. A size that finds no room in the table (after ``probes`` slots) is not pooled.
///
/// A buffer may be given back on another thread than the one that took it (a tensor made by a
/// training run on the second core, freed after it): it goes to that thread's pool. The pools
/// were once one, behind a `Mutex`; its lock and unlock, two atomic instructions for every
/// buffer taken and every buffer given, cost more than the lookup itself.
struct BufferPool {
    /// At most 16 M floats (64 MB) wait for reuse in each thread's pool.
    static let capacity = 16 << 20
    /// The table's slots (a power of two), and how many a size may try.
    private static let slotCount = 512, probes = 8
    /// Slot `i` holds the free buffers of `sizes[i]` floats (0: a free slot), from `heads[i]` on.
    private let sizes: UnsafeMutablePointer<Int>
    private let heads: UnsafeMutablePointer<UnsafeMutableRawPointer?>
    /// How many floats wait for reuse.
    private var pooled = 0

    private init() {
        sizes = .allocate(capacity: Self.slotCount)
        sizes.initialize(repeating: 0, count: Self.slotCount)
        heads = .allocate(capacity: Self.slotCount)
        heads.initialize(repeating: nil, count: Self.slotCount)
    }

    /// This thread's pool, made on its first use; when the thread ends, its buffers and tables are
    /// freed (``poolKey``'s destructor).
    static var current: UnsafeMutablePointer<BufferPool> {
        if let pool = pthread_getspecific(poolKey) { return pool.assumingMemoryBound(to: BufferPool.self) }
        let pool = UnsafeMutablePointer<BufferPool>.allocate(capacity: 1)
        pool.initialize(to: BufferPool())
        pthread_setspecific(poolKey, pool)
        return pool
    }

    /// Frees a thread's pool, its buffers and its tables.
    fileprivate static func destroy(_ pool: UnsafeMutablePointer<BufferPool>) {
        pool.pointee.releaseAll()
        pool.pointee.sizes.deallocate()
        pool.pointee.heads.deallocate()
        pool.deinitialize(count: 1)
        pool.deallocate()
    }

    /// The slot of `count`, claiming a free one when `claim`; nil when there is none.
    private func slot(_ count: Int, claim: Bool) -> Int? {
        var i = Int(truncatingIfNeeded: UInt(bitPattern: count) &* 0x9E37_79B9_7F4A_7C15 >> 32) & (Self.slotCount - 1)
        for _ in 0..<Self.probes {
            if sizes[i] == count { return i }
            if sizes[i] == 0 {
                guard claim else { return nil }
                sizes[i] = count
                return i
            }
            i = (i + 1) & (Self.slotCount - 1)
        }
        return nil
    }

    /// A buffer for `count` floats (uninitialised). Every buffer has room for at least two
    /// floats, so that a free one can hold the address of the next.
    mutating func take(_ count: Int) -> UnsafeMutablePointer<Float> {
        guard let i = slot(count, claim: false), let buffer = heads[i] else {
            return UnsafeMutableRawPointer.allocate(byteCount: Swift.max(count, 2) * MemoryLayout<Float>.stride, alignment: cacheLine)
                .bindMemory(to: Float.self, capacity: Swift.max(count, 2))
        }
        heads[i] = buffer.assumingMemoryBound(to: UnsafeMutableRawPointer?.self).pointee
        pooled -= count
        return buffer.bindMemory(to: Float.self, capacity: count)
    }

    /// Frees every buffer waiting for reuse.
    mutating func releaseAll() {
        for i in 0..<Self.slotCount {
            while let buffer = heads[i] {
                heads[i] = buffer.assumingMemoryBound(to: UnsafeMutableRawPointer?.self).pointee
                buffer.deallocate()
            }
            sizes[i] = 0
        }
        pooled = 0
    }

    mutating func give(_ buffer: UnsafeMutablePointer<Float>, _ count: Int) {
        guard count > 0, pooled + count <= Self.capacity, let i = slot(count, claim: true) else { return buffer.deallocate() }
        let link = UnsafeMutableRawPointer(buffer)
        link.bindMemory(to: UnsafeMutableRawPointer?.self, capacity: 1).pointee = heads[i]
        heads[i] = link
        pooled += count
    }
}

/// The key of each thread's ``BufferPool``, whose destructor frees the pool when the thread ends.
private let poolKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, destroyPool)
    return key
}()

/// ``poolKey``'s destructor, which the system calls with the thread's pool when the thread ends
/// (never with nil: its parameter is optional on Linux only, as Glibc declares it).
#if canImport(Darwin)
private func destroyPool(_ pool: UnsafeMutableRawPointer) {
    BufferPool.destroy(pool.assumingMemoryBound(to: BufferPool.self))
}
#else
private func destroyPool(_ pool: UnsafeMutableRawPointer?) {
    if let pool { BufferPool.destroy(pool.assumingMemoryBound(to: BufferPool.self)) }
}
#endif

/// A flag for each thread, off until ``with(_:_:)`` on that thread sets it: for settings that hold
/// on one thread only, as PyTorch's grad mode does (the engine's `Tensor.withoutGradients`).
public struct ThreadFlag: @unchecked Sendable {
    private let flag = ThreadSpecific()

    public init() {}

    /// Whether the flag is set on this thread.
    @inline(__always) public var isSet: Bool { flag.value != nil }

    /// Runs `body` with the flag set on this thread, then restores it.
    @inline(__always) public func with<T>(_ body: () throws -> T) rethrows -> T {
        try flag.with(UnsafeRawPointer(bitPattern: 1), body)   // any non-nil value
    }
}
