// Output.startOnSecondCore: the jobs Chapter05 runs beside its from-scratch model.

import ChapterSupport
import Foundation
import Testing

@Suite("Jobs on the second core")
struct BackgroundJobTests {
    struct Failure: Error, Equatable { let job: Int }

    /// `--json`: nothing is printed, so the test's own output stays clean.
    func output() throws -> Output { Output(options: try ChapterOptions.parse(["--json"])) }

    @Test("Jobs run one after another in the order started, each result or error returned by collect()")
    func orderAndErrors() throws {
        let output = try output()
        let order = OrderLog()
        let first = output.startOnSecondCore { _ -> Int in order.append(1); Thread.sleep(forTimeInterval: 0.05); return 10 }
        let second = output.startOnSecondCore { _ -> Int in order.append(2); throw Failure(job: 2) }
        let third = output.startOnSecondCore { _ -> Int in order.append(3); return 30 }
        #expect(try third.collect() == 30)          // collected out of order: each waits for its own job
        #expect(throws: Failure(job: 2)) { try second.collect() }
        #expect(try first.collect() == 10)
        #expect(try first.collect() == 10, "a second collect() returns the same result at once")
        #expect(order.values == [1, 2, 3])
    }

    @Test("A job runs on another thread, so the chapter's own work goes on meanwhile")
    func runsConcurrently() throws {
        let output = try output()
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let job = output.startOnSecondCore { _ -> Bool in
            started.signal()
            return release.wait(timeout: .now() + 10) == .success   // waits for this thread
        }
        #expect(started.wait(timeout: .now() + 10) == .success)
        release.signal()
        #expect(try job.collect())
    }
}

/// A list the jobs append to from their thread.
final class OrderLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Int] = []
    func append(_ value: Int) { lock.withLock { list.append(value) } }
    var values: [Int] { lock.withLock { list } }
}
