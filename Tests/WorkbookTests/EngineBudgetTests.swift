// The engine a learner reads stays readable: within its line budget, and free of the speed
// machinery, which lives in Sources/Kernels (and of the chapters, which live in Chapters/).

import Foundation
import Testing

@Suite("The engine stays a learner's")
struct EngineBudgetTests {
    /// Sources/Workbook, from this file's place in the package.
    static let engine = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Workbook")

    /// At most this many lines in Sources/Workbook's Swift files, comments and blank lines included:
    /// what a learner reads in one sitting.
    static let budget = 1600

    static func sources() throws -> [(name: String, text: String)] {
        let names = try FileManager.default.contentsOfDirectory(atPath: engine.path).filter { $0.hasSuffix(".swift") }.sorted()
        return try names.map { ($0, try String(contentsOf: engine.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// The lines of a file, as `wc -l` counts them (its newlines).
    static func lines(_ text: String) -> Int { text.utf8.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 } }

    @Test("Sources/Workbook holds at most 1600 lines, comments and blank lines included")
    func withinBudget() throws {
        let files = try Self.sources()
        #expect(files.count >= 15, "found only \(files.count) files in \(Self.engine.path)")
        let total = files.reduce(0) { $0 + Self.lines($1.text) }
        #expect(total <= Self.budget, "Sources/Workbook has \(total) lines, over its budget of \(Self.budget)")
    }

    @Test("No pointers, threads, buffer pools or SIMD in the engine; no chapter or command-line flag named")
    func noSpeedMachinery() throws {
        let forbidden = ["Unsafe", "SIMD", "pthread", "Thread.", "Dispatch", "Atomic", "Mutex", "BufferPool",
                         "withoutActuallyEscaping", "loadUnaligned", "Chapter0", "--"]
        for (name, text) in try Self.sources() {
            for (number, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                for word in forbidden where line.contains(word) {
                    Issue.record("Sources/Workbook/\(name):\(number + 1) holds \(word): \(line.trimmingCharacters(in: .whitespaces))")
                }
            }
        }
    }
}
