// Two threads for the large operations, as PyTorch's intra-op thread pool does on the CPU.
//
// The bidirectional model's operations run over 3750 rows: a product (3750, 32) · (32, 32), a ReLU
// over 120 000 values. Such an operation is cut in two fixed halves (of C's rows, of the values),
// one for the calling thread and one for a helper thread. Every element is computed by the same
// code with the same chain of additions whichever thread runs its half, so the results are the
// same bits with one thread or two, on any machine. Small operations (the deep RNNs' 180 × 8) stay
// on one thread: handing work to another core costs about a microsecond, more than they take.

import Foundation
import Synchronization

extension Tensor {
    /// How many threads a large operation may use: 2 (the default on a machine with two cores or
    /// more) or 1, as `torch.set_num_threads` sets PyTorch's. Every result is the same bits either
    /// way; only the time changes.
    public static var threadCount: Int {
        get {
            if let scoped = pthread_getspecific(scopedThreadCountKey) { return Int(bitPattern: scoped) }
            return allowedThreads.load(ordering: .relaxed)
        }
        set {
            check(newValue >= 1, "threadCount must be at least 1, not \(newValue)")
            allowedThreads.store(Swift.min(newValue, 2), ordering: .relaxed)
        }
    }

    /// Runs `body` with ``threadCount`` set to `count` on this thread only (other threads keep
    /// theirs): for work that runs beside other work, such as independent training runs that
    /// already fill the cores.
    public static func withThreadCount<T>(_ count: Int, _ body: () throws -> T) rethrows -> T {
        check(count >= 1, "threadCount must be at least 1, not \(count)")
        let previous = pthread_getspecific(scopedThreadCountKey)
        pthread_setspecific(scopedThreadCountKey, UnsafeRawPointer(bitPattern: Swift.min(count, 2)))
        defer { pthread_setspecific(scopedThreadCountKey, previous) }
        return try body()
    }
}

private let allowedThreads = Atomic<Int>(ProcessInfo.processInfo.activeProcessorCount >= 2 ? 2 : 1)

/// The thread-specific slot of ``Tensor/withThreadCount(_:_:)`` (nil: the process's ``Tensor/threadCount``).
private let scopedThreadCountKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key, nil)
    return key
}()

/// Calls `body` with `0 ..< count` (one call), or with two halves split at `middle` — the second
/// half on the helper thread — when `large` says the work is worth a second core.
///
/// The halves must be independent (each writes its own part of the output) and `body` must compute
/// every element the same way whatever the range, so that the result does not depend on the split.
@inline(__always)
func inHalves(_ count: Int, at middle: Int, if large: Bool, _ body: (Range<Int>) -> Void) {
    guard large, middle > 0, middle < count, Tensor.threadCount > 1 else { return body(0..<count) }
    HelperThread.shared.split(count, at: middle, body)
}

/// ``inHalves(_:at:if:_:)`` for elementwise work over `count` values: two halves (the first a
/// multiple of eight, for the vector loops) from 32 768 values on, PyTorch's grain size.
@inline(__always)
func inHalves(elements count: Int, _ body: (Range<Int>) -> Void) {
    inHalves(count, at: count / 16 * 8, if: count >= 1 << 15, body)
}

/// The helper thread: it waits for the second half of an operation, runs it, and waits again.
///
/// One caller at a time: a thread that finds the helper taken (Chapter07-Beyond's parallel runs,
/// tests running side by side) runs both halves itself. The caller never waits for a half the
/// helper has not started: after its own half it takes the other one back if the helper has not
/// claimed it yet (the helper may be asleep, or its core busy with another program). So a busy
/// machine costs at most the time of the half the helper is running.
final class HelperThread: @unchecked Sendable {
    static let shared = HelperThread()

    /// Job numbers: the last job offered, the last whose second half a thread claimed (the
    /// helper or the caller, whichever comes first), and the last the helper finished.
    private let posted = Atomic<Int>(0), claimed = Atomic<Int>(0), finished = Atomic<Int>(0)
    /// Set while a caller uses the helper.
    private let taken = Atomic<Bool>(false)
    /// Set by the helper before it sleeps; a caller that finds it set wakes the helper.
    private let sleeping = Atomic<Bool>(false)
    private let wake = DispatchSemaphore(value: 0)
    /// The posted job and its second half: written by the caller before it publishes the job
    /// number (`posted`), read by the helper only after it has claimed that number.
    private var job: ((Range<Int>) -> Void)?
    private var secondHalf = 0..<0
    /// How long the helper keeps watching for work before it sleeps: long enough to span the gaps
    /// between the large operations of a training step, short enough not to hold a core for long.
    private let watchNanoseconds: UInt64 = 200_000

    private init() {
        let thread = Thread { [self] in run() }
        thread.name = "Workbook helper"
        thread.start()
    }

    /// Runs `body(0 ..< middle)` here and `body(middle ..< count)` on the helper, or both here.
    func split(_ count: Int, at middle: Int, _ body: (Range<Int>) -> Void) {
        guard taken.compareExchange(expected: false, desired: true, ordering: .acquiring).exchanged else {
            return body(0..<count)
        }
        defer { taken.store(false, ordering: .releasing) }
        withoutActuallyEscaping(body) { body in
            job = body
            secondHalf = middle..<count
            let number = posted.load(ordering: .relaxed) + 1   // only the caller holding `taken` posts
            posted.store(number, ordering: .sequentiallyConsistent)
            if sleeping.exchange(false, ordering: .sequentiallyConsistent) { wake.signal() }
            body(0..<middle)
            if claimed.compareExchange(expected: number - 1, desired: number, ordering: .acquiringAndReleasing).exchanged {
                body(middle..<count)                           // the helper had not started: do it here
            } else {
                while finished.load(ordering: .acquiring) != number {}
            }
            job = nil
        }
    }

    private func run() {
        var seen = 0
        while true {
            var start: UInt64 = 0, checks = 0
            while posted.load(ordering: .acquiring) == seen {
                checks += 1
                guard checks & 255 == 0 else { continue }
                let now = DispatchTime.now().uptimeNanoseconds
                if start == 0 { start = now; continue }
                guard now - start > watchNanoseconds else { continue }
                // Sleep, unless a job was posted meanwhile; a caller that sees `sleeping` wakes us.
                sleeping.store(true, ordering: .sequentiallyConsistent)
                if posted.load(ordering: .sequentiallyConsistent) == seen { wake.wait() }
                sleeping.store(false, ordering: .sequentiallyConsistent)
                (start, checks) = (0, 0)
            }
            seen = posted.load(ordering: .acquiring)
            if claimed.compareExchange(expected: seen - 1, desired: seen, ordering: .acquiringAndReleasing).exchanged {
                job?(secondHalf)
                finished.store(seen, ordering: .releasing)
            }
        }
    }
}
