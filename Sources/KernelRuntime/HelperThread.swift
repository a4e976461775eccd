// Two threads for the large operations, as PyTorch's intra-op thread pool does on the CPU.
//
// The bidirectional model's operations run over 3750 rows: a product (3750, 32) · (32, 32), a ReLU
// over 120 000 values. Such an operation is cut into two halves (of C's rows, of the values):
// the calling thread takes the first, a helper thread the second (``sharedParts``). Every
// element is computed by the same code with the same chain of additions whichever thread runs its
// part, so the results are the same bits with one thread or two, on any machine. A sum over the
// rows (a weight or bias gradient) is cut by its rows instead, each thread summing the rows it wrote,
// and the two sums added (`sumInHalves`), with one thread as with two. Small operations
// (the deep RNNs' 180 × 8) stay on one thread: handing work to another core costs about a
// microsecond, more than they take.
//
// This module is what both copies of the loops (Sources/Loops, built portable and for AVX2) share
// at run time: one helper thread, one thread count, the per-thread settings. Its names are
// `package`: the Kernels module's `Threads` is the public face of the thread count.

import Atomics
import Foundation

/// How many threads a large operation may use: 1 or 2 (``Threads/count`` in Kernels).
@usableFromInline package var threadCount: Int {
    get {
        if let scoped = scopedCount.value { return Int(bitPattern: scoped) }
        return allowedThreads.load(ordering: .relaxed)
    }
    set {
        check(newValue >= 1, "Threads.count must be at least 1, not \(newValue)")
        allowedThreads.store(Swift.min(newValue, 2), ordering: .relaxed)
    }
}

/// Runs `body` with ``threadCount`` set to `count` on this thread only (``Threads/withCount(_:_:)`` in Kernels).
package func withThreadCount<T>(_ count: Int, _ body: () throws -> T) rethrows -> T {
    check(count >= 1, "Threads.count must be at least 1, not \(count)")
    return try scopedCount.with(UnsafeRawPointer(bitPattern: Swift.min(count, 2)), body)
}

private let allowedThreads = ManagedAtomic<Int>(ProcessInfo.processInfo.activeProcessorCount >= 2 ? 2 : 1)

/// Set inside ``withThreadCount(_:_:)``, on that thread only (nil: the process's ``threadCount``).
private let scopedCount = ThreadSpecific()

/// Whether a product is large enough to share with the helper: from 65 536 multiply-adds, and only
/// when A, B or C holds ``sharedSize`` values or more, as for the elementwise kernels (the concise
/// deep RNN's (3420, 8) · (8, 8) has the multiply-adds but was written on one core, and handing half
/// of it to the other cost more than it saved: its epoch took 0.22 ms, and 0.16 since).
@inlinable @inline(__always)
package func isShared(m: Int, n: Int, k: Int) -> Bool {
    m * n * k >= 1 << 16 && Swift.max(m * k, k * n, m * n) >= sharedSize
}

/// Whether a product is a weight gradient `Aᵀ · G` over many rows p (A read with `rowStride` 1, K from
/// 512, a C of at most 4096), large enough to share: `gemm` computes it as the sum of two halves of p.
@inlinable @inline(__always)
package func isWeightGradientOverManyRows(m: Int, n: Int, k: Int, rowStride: Int) -> Bool {
    rowStride == 1 && k >= 512 && m * n <= 4096 && isShared(m: m, n: n, k: k)
}

/// Calls `body` with `0 ..< count` (one call), or — when `large` says the work is worth a second
/// core — with the parts `0 ..< size`, `size ..< 2 · size`, …, shared with the helper thread.
///
/// The parts must be independent (each writes its own part of the output) and `body` must compute
/// every element the same way whatever the range, so that the result does not depend on the split.
@inlinable @inline(__always)
package func inParts(_ count: Int, size: Int, if large: Bool = true, _ body: (Range<Int>) -> Void) {
    guard large, size > 0, size < count, threadCount > 1 else { return body(0..<count) }
    HelperThread.shared.share(count, partSize: size, body)
}

/// A sum over many rows — a weight gradient `Aᵀ · G`, a bias's gradient — as the sum of its two
/// halves' sums: `sum(firstRow, rows, sums)` writes the sums of `rows` rows from `firstRow` into
/// `sums` (`count` of them), for the first half of the rows on the calling thread and the second on
/// the helper, each over the rows it wrote; then `out (+)= first + second`, element by element.
///
/// The two halves are the rows' halves whatever the number of threads (one thread sums them one
/// after the other), so the bits do not depend on it. They are not those of one chain over all the
/// rows: each element is `(Σ first half) + (Σ second half)`. Before, the helper went on from the
/// caller's running sums, which kept the one chain but made the caller wait for the helper's whole
/// second half; the bidirectional epoch took 8% longer (0.825 against 0.758 ms, five alternated
/// rounds on a 2-core Xeon).
@inlinable
package func sumInHalves(of rows: Int, count: Int, into out: UnsafeMutablePointer<Float>, accumulate: Bool,
                 _ sum: (_ firstRow: Int, _ rows: Int, _ sums: UnsafeMutablePointer<Float>) -> Void) {
    let half = firstHalf(of: rows)
    withUnsafeTemporaryAllocation(of: Float.self, capacity: 2 * count) { buffer in
        guard let sums = buffer.baseAddress else { return }
        inParts(2, size: 1) { halves in
            for h in halves { sum(h == 0 ? 0 : half, h == 0 ? half : rows - half, sums + h * count) }
        }
        for i in 0..<count {
            let total = sums[i] + sums[count + i]
            out[i] = accumulate ? out[i] + total : total
        }
    }
}

/// The rows of ``sumInHalves(of:count:into:accumulate:_:)``'s first half: a multiple of 8 (a few
/// rows: all of them).
@inlinable
package func firstHalf(of rows: Int) -> Int { Swift.min(rows, partSize(rows, parts: 2)) }

/// The size of the parts when `count` rows or values are cut into about `parts` parts, a multiple
/// of 8 (the vector loops' width), so that the parts' vector loops line up with one pass's.
@inlinable @inline(__always)
package func partSize(_ count: Int, parts: Int) -> Int { (count + 8 * parts - 1) / (8 * parts) * 8 }

/// How many values a tensor holds, at least, for the operations on it to be shared with the helper
/// (PyTorch's grain size): every operation on the bidirectional model's (3750, 32) tensors, none on
/// the deep RNNs' (3420, 8), so that each tensor's rows are written and read on the same cores.
@inlinable package var sharedSize: Int { 1 << 15 }

/// How many parts a shared operation is cut into: two halves, one for each thread. Each part taken
/// costs atomic operations on lines the other core holds, and a part the other thread takes moves
/// its rows' lines between the cores: eight parts, taken one at a time, made the bidirectional
/// epoch 3–4% slower than two on a 2-core Xeon (five alternated rounds, 0.866 against 0.834 ms).
@inlinable package var sharedParts: Int { 2 }

/// ``inParts(_:size:if:_:)`` for elementwise work over `count` values: ``sharedParts`` parts from
/// ``sharedSize`` values on.
@inlinable @inline(__always)
package func inParts(elements count: Int, _ body: (Range<Int>) -> Void) {
    inParts(count, size: partSize(count, parts: sharedParts), if: count >= sharedSize, body)
}

/// The helper thread: it waits for an operation's parts, takes them one at a time alongside the
/// caller, and waits again.
///
/// One caller at a time: a thread that finds the helper taken (tests running side by side) runs
/// every part itself. Parts are taken, not assigned: if the helper is late (asleep, or its core
/// busy with another program) the caller takes the parts it has not started, and waits at most
/// for the one the helper is running. The caller takes parts from the first on, the helper from
/// the last back: so from one operation to the next (a product, then its bias, then ReLU, over
/// the same rows) each core gets the rows it has just written, still in its own cache.
@usableFromInline package final class HelperThread: @unchecked Sendable {
    @usableFromInline package static let shared = HelperThread()

    /// The operation being shared and the parts not yet taken, `next ..< end`, in one word
    /// (`job << 20 | end << 10 | next`): taking a part is one compare-and-swap of a snapshot
    /// that says both that the job is still the current one and that a part is left, so the
    /// helper cannot take a part of a job that is over, or of one still being set up.
    private let state = ManagedAtomic<Int>(0)
    /// How many parts of the current job are done (both threads count theirs).
    private let done = ManagedAtomic<Int>(0)
    /// Set while a caller uses the helper.
    private let taken = ManagedAtomic<Bool>(false)
    /// Set by the helper before it sleeps; a caller that finds it set wakes the helper.
    private let sleeping = ManagedAtomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    /// The current job: written by the caller before it publishes the job in `state`, read by
    /// the helper only after it has taken one of the job's parts.
    private var job: ((Range<Int>) -> Void)?
    private var count = 0, partSize = 1
    /// How long the helper keeps watching for work before it sleeps: long enough to span the gaps
    /// between the large operations of a training step, short enough not to hold a core for long.
    private let watchNanoseconds: UInt64 = 200_000

    private init() {
        let thread = Thread { [self] in run() }
        thread.name = "Workbook helper"
        thread.start()
    }

    /// Runs `body` over `0 ..< count` in parts of `partSize`, here and on the helper.
    @usableFromInline package func share(_ count: Int, partSize: Int, _ body: (Range<Int>) -> Void) {
        guard taken.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return body(0..<count)
        }
        defer { taken.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            (job, self.count, self.partSize) = (body, count, partSize)
            let parts = (count + partSize - 1) / partSize
            check(parts < 1024, "HelperThread: \(parts) parts; at most 1023 fit the job word")
            done.store(0, ordering: .relaxed)
            let number = state.load(ordering: .relaxed) >> 20 + 1    // only the caller holding `taken` posts
            state.store(number << 20 | parts << 10, ordering: .sequentiallyConsistent)
            if sleeping.exchange(false, ordering: .sequentiallyConsistent) { wake.signal() }
            runParts(of: number, fromTheEnd: false)
            // The part the helper is finishing. On a busy machine the helper may have lost its core
            // mid-part: after a short spin, give the core up so that it can finish.
            var spins = 0
            while done.load(ordering: .acquiring) != parts {
                spins += 1
                if spins > 2000 { sched_yield() }
            }
            job = nil
        }
    }

    /// Takes and runs parts of job `number` until none is left: the first left, or the last.
    private func runParts(of number: Int, fromTheEnd: Bool) {
        while true {
            let current = state.load(ordering: .relaxed)
            let (next, end) = (current & 1023, current >> 10 & 1023)
            guard current >> 20 == number, next < end else { return }
            let (part, taken) = fromTheEnd ? (end - 1, current - 1 << 10) : (next, current + 1)
            guard state.compareExchange(expected: current, desired: taken, ordering: .acquiring).exchanged else { continue }
            let start = part * partSize
            job?(start..<Swift.min(start + partSize, count))
            done.wrappingIncrement(by: 1, ordering: .releasing)
        }
    }

    private func run() {
        var seen = 0
        while true {
            var start: UInt64 = 0, checks = 0
            while state.load(ordering: .acquiring) >> 20 == seen {
                checks += 1
                guard checks & 255 == 0 else { continue }
                sched_yield()   // a thread waiting for a core (a busy machine) gets this one
                let now = DispatchTime.now().uptimeNanoseconds
                if start == 0 { start = now; continue }
                guard now - start > watchNanoseconds else { continue }
                // Sleep, unless a job was posted meanwhile; a caller that sees `sleeping` wakes us.
                sleeping.store(true, ordering: .sequentiallyConsistent)
                if state.load(ordering: .sequentiallyConsistent) >> 20 == seen { wake.wait() }
                sleeping.store(false, ordering: .sequentiallyConsistent)
                (start, checks) = (0, 0)
            }
            seen = state.load(ordering: .acquiring) >> 20
            runParts(of: seen, fromTheEnd: true)
        }
    }
}

/// Stops the program with `message` when `condition` is false: a `precondition` whose message
/// survives optimised builds. For programming errors (a shape the kernels cannot take), never for
/// user input.
@inlinable @inline(__always)
package func check(
    _ condition: @autoclosure () -> Bool, _ message: @autoclosure () -> String,
    file: StaticString = #fileID, line: UInt = #line
) {
    if !condition() { fatalError(message(), file: file, line: line) }
}
