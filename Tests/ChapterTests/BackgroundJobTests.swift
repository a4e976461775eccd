// Output.sections: Chapter05's three trainings at the same time, printed as if one after another.

@testable import ChapterSupport
import Foundation
import Testing

@Suite("A chapter's sections on two cores")
struct BackgroundJobTests {
    struct Failure: Error, Equatable { let section: Int }

    /// `--json`: nothing is printed, so the test's own output stays clean; records show the order.
    func output() throws -> Output { var options = ChapterOptions(); options.json = true; return Output(options: options) }

    @Test("Each section's result comes back; what they record comes out in their order, not in the order they ran")
    func orderAndResults() throws {
        let output = try output()
        let secondRan = DispatchSemaphore(value: 0)
        let (a, b, c) = try output.sections(
            { out -> Int in
                // The second section has recorded by now, yet its record must come after this one.
                #expect(secondRan.wait(timeout: .now() + 10) == .success)
                out.record("first", value: .number(1))
                return 1
            },
            { out -> String in out.record("second", value: .number(2)); secondRan.signal(); return "two" },
            { out -> Bool in out.record("third", value: .number(3)); return true })
        #expect(a == 1 && b == "two" && c)
        #expect(output.jsonText == #"{"first":1,"second":2,"third":3}"#)
    }

    @Test("An error ends the sections where it happened: the ones before it are replayed, the ones after it are not")
    func errors() throws {
        let output = try output()
        #expect(throws: Failure(section: 2)) {
            _ = try output.sections(
                { out in out.record("first", value: .number(1)) },
                { out -> Int in out.record("second", value: .number(2)); throw Failure(section: 2) },
                { out in out.record("third", value: .number(3)) })
        }
        #expect(output.jsonText == #"{"first":1,"second":2}"#)
    }

    @Test("The other sections run on another thread, while the first one works")
    func runsConcurrently() throws {
        let output = try output()
        let started = DispatchSemaphore(value: 0), release = DispatchSemaphore(value: 0)
        let (waited, released, _) = try output.sections(
            { _ -> Bool in
                let waited = started.wait(timeout: .now() + 10) == .success   // the second section started meanwhile
                release.signal()
                return waited
            },
            { _ -> Bool in
                started.signal()
                return release.wait(timeout: .now() + 10) == .success        // waits for the first section
            },
            { _ in })
        #expect(waited && released)
    }
}

/// A list the jobs append to from their thread.
final class OrderLog: @unchecked Sendable {
    private let lock = NSLock()
    private var list: [Int] = []
    func append(_ value: Int) { lock.withLock { list.append(value) } }
    var values: [Int] { lock.withLock { list } }
}
