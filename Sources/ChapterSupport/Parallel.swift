// Independent training runs on every core.

import Dispatch
import Kernels
import Workbook

/// `(0..<count).map(job)`, with the jobs spread over the machine's cores.
///
/// Each job must be independent: its own generator, model and data, nothing shared that it changes.
/// Then every result is exactly what the sequential loop computes — the same numbers, in the same
/// order — only sooner. After each job, the buffers it left for reuse in its thread's pool go back
/// to the system (``releaseCachedBuffers()``), and those of the calling thread after them all: the
/// chapter's next work has tensors of other sizes, and the jobs' buffers, several runs' worth,
/// would otherwise stay in the process.
public func parallelMap<T>(_ count: Int, _ job: (Int) -> T) -> [T] {
    defer { releaseCachedBuffers() }
    var results = [T?](repeating: nil, count: count)
    withoutActuallyEscaping(job) { job in
        results.withUnsafeMutableBufferPointer { slots in
            // Each job writes its own slot only; the jobs share nothing else (see above).
            nonisolated(unsafe) let (slots, job) = (slots, job)
            // The jobs fill the cores: each keeps its large operations on its own thread.
            DispatchQueue.concurrentPerform(iterations: count) { i in
                slots[i] = Threads.withCount(1) { defer { releaseCachedBuffers() }; return job(i) }
            }
        }
    }
    return results.compactMap { $0 }
}
