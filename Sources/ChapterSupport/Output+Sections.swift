// A chapter's independent sections, run at the same time on the machine's two cores and printed in
// order, as if each ran after the one before.

import Dispatch
import Kernels

extension Output {
    /// Runs a chapter's three sections: the first on this thread, the other two meanwhile, one
    /// after the other, on the machine's second core. Each section's lines, records and saved
    /// models wait until the sections before it are done, so the text and the files are those of
    /// running the sections in order, only sooner.
    ///
    /// Each section must be independent of the others (its own generator, model and data). The
    /// sections on the second core run their large operations on one thread
    /// (``Threads/withCount(_:_:)``): the first section has the other core. Their figures are
    /// rendered as soon as they are drawn, while the first section trains (``draw(_:caption:sourceFile:sourceLine:)``).
    /// An error ends the chapter where it happened: the sections before it are printed, the ones
    /// after it are not. But every section runs to its end first, so that the same command always
    /// leaves the same files (and no gnuplot is cut short by the program's exit).
    /// - Returns: what each section returned.
    public func sections<A, B, C>(
        _ first: (Output) throws -> A, _ second: @escaping (Output) throws -> B,
        _ third: @escaping (Output) throws -> C
    ) throws -> (A, B, C) {
        let (b, c) = (start(second), start(third))
        let a = Result { try first(self) }
        b.wait()
        c.wait()
        return (try a.get(), try b.finish(on: self), try c.finish(on: self))
    }

    /// Starts `section` on the second core, into an output that defers what it does.
    private func start<T>(_ section: @escaping (Output) throws -> T) -> BackgroundSection<T> {
        let job = BackgroundSection<T>(output: Output(deferringFor: options))
        nonisolated(unsafe) let section = section   // runs on the second core only, once
        sectionQueue.async { job.run(section) }
        return job
    }
}

/// Where the sections run, one after another.
private let sectionQueue = DispatchQueue(label: "workbook.sections")

/// A section running on the second core (``Output/sections(_:_:_:)``).
private final class BackgroundSection<T>: @unchecked Sendable {
    // `outcome` is written once by the section's thread before `finished` is signalled, and read
    // by `finish(on:)` after waiting for that signal.
    private let output: Output
    private var outcome: Result<T, any Error>?
    private let finished = DispatchSemaphore(value: 0)

    init(output: Output) { self.output = output }

    func run(_ section: (Output) throws -> T) {
        outcome = Result { try Threads.withCount(1) { try section(output) } }
        finished.signal()
    }

    /// Waits until the section has ended.
    func wait() {
        finished.wait()
        finished.signal()   // and leaves the signal for `finish(on:)`
    }

    /// Waits for the section, does on `parent` what it did, and returns its result or throws its error.
    func finish(on parent: Output) throws -> T {
        finished.wait()
        try output.replay(on: parent)
        guard let outcome else {
            fatalError("BackgroundSection: no outcome after the section finished")
        }
        return try outcome.get()
    }
}
