// A bounded fuzz of the `--csv` reader (ChapterSupport's readSeries), in process: random and
// mutated inputs, served in random pieces, and endless streams. It must never trap or hang, must
// read the same thing however the bytes are cut, and must stop an endless stream at its caps.
//
// The fuzz runs 100,000 inputs by default. For a longer run set CSV_FUZZ_ITERATIONS (and
// optionally CSV_FUZZ_SEED, a decimal UInt64), e.g.
//     CSV_FUZZ_ITERATIONS=10000000 swift test --filter CSVFuzzTests

import AtomicFiles
import ChapterSupport
import Foundation
import Testing

@Suite("The --csv reader under fuzzing")
struct CSVFuzzTests {
    /// Small caps, so that the fuzz meets them often.
    static let (maximumCount, maximumRowBytes, maximumLines) = (20, 64, 40)

    /// What reading `bytes` gives: the values, or the error's message.
    static func outcome(_ bytes: [UInt8], column: String?, minimumCount: Int, piece: @escaping (Int) -> Int) -> Result<[Float], SeriesFileError> {
        var offset = 0
        do {
            let values = try readSeries(named: "data.csv", column: column, minimumCount: minimumCount, maximumCount: maximumCount,
                                        maximumRowBytes: maximumRowBytes, maximumLines: maximumLines) { buffer in
                let count = min(buffer.count, bytes.count - offset, max(1, piece(bytes.count - offset)))
                guard count > 0 else { return 0 }
                bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[offset..<offset + count])) }
                offset += count
                return count
            }
            return .success(values)
        } catch let error as SeriesFileError {
            return .failure(error)
        } catch {
            Issue.record("an error that is not a SeriesFileError: \(error)")
            return .failure(SeriesFileError("\(error)"))
        }
    }

    /// One line, no control character, a readable length.
    static func isReadable(_ message: String) -> Bool {
        message.count < 400 && !message.unicodeScalars.contains { $0.properties.generalCategory == .control }
    }

    @Test("Random and mutated inputs: no trap, the same result in any pieces, readable messages, finite values")
    func fuzz() {
        let environment = ProcessInfo.processInfo.environment
        let iterations = environment["CSV_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 100_000
        let seed = environment["CSV_FUZZ_SEED"].flatMap(UInt64.init) ?? 0xC5F_F022_5EED
        var rng = SplitMix64(seed: seed)
        // The bytes that matter to a CSV reader, and some that must be refused or escaped.
        let alphabet: [UInt8] = Array("0123456789.,-+e\"\" \n\r\tabcxnaif".utf8) + [0x00, 0x1B, 0x7F, 0xC3, 0xA9, 0xEF, 0xBB, 0xBF, 0xFF, 0x80]
        let words = ["1", "-2.5", "3e4", "nan", "inf", "\"1,5\"", "\"a\"\"b\"", "x", "", " 7 ", "\"\"", "1e39", "0x1p3", "\u{1B}[2J"]

        var outcomes: [String: Int] = [:]
        let start = ContinuousClock.now
        for iteration in 0..<iterations {
            var bytes: [UInt8]
            var expected: [Float]?
            var column: String?
            switch rng.below(5) {
            case 0:                                              // random bytes from the alphabet
                bytes = (0..<rng.below(80)).map { _ in alphabet[rng.below(alphabet.count)] }
            case 1:                                              // random bytes
                bytes = rng.bytes(rng.below(80))
            case 2:                                              // rows of words under a header, perhaps the column named
                let columns = 1 + rng.below(3)
                var text = (0..<columns).map { "c\($0)" }.joined(separator: ",")
                for _ in 0..<rng.below(25) {
                    text += ["\n", "\r\n", "\r"][rng.below(3)] + (0..<columns).map { _ in words[rng.below(words.count)] }.joined(separator: ",")
                }
                bytes = Array(text.utf8)
                column = rng.below(4) == 0 ? nil : "c\(rng.below(columns + 1))"
            default:                                             // a valid file, then perhaps mutated
                let values = (0..<(1 + rng.below(24))).map { _ in Float(Int(rng.below(2001)) - 1000) / 8 }
                let quoted = rng.below(2) == 0
                let ending = ["\n", "\r\n", "\r"][rng.below(3)]
                let header = rng.below(2) == 0
                var text = (rng.below(4) == 0 ? "\u{FEFF}" : "") + (header ? (quoted ? "\"the, value\"" : "value") + ending : "")
                text += values.map { quoted ? "\"\($0)\"" : "\($0)" }.joined(separator: ending) + (rng.below(2) == 0 ? ending : "")
                bytes = Array(text.utf8)
                column = header && rng.below(2) == 0 ? (quoted ? "the, value" : "value") : nil
                if rng.below(3) == 0 {
                    expected = values.count <= Self.maximumCount ? values : nil
                } else {
                    for _ in 0...rng.below(3) {
                        switch rng.below(4) {
                        case 0: if !bytes.isEmpty { bytes[rng.below(bytes.count)] = alphabet[rng.below(alphabet.count)] }
                        case 1: bytes.insert(contentsOf: (0..<(1 + rng.below(4))).map { _ in alphabet[rng.below(alphabet.count)] }, at: rng.below(bytes.count + 1))
                        case 2: if !bytes.isEmpty { bytes.remove(at: rng.below(bytes.count)) }
                        default: bytes = Array(bytes.prefix(rng.below(bytes.count + 1)))
                        }
                    }
                }
            }
            let minimumCount = rng.below(4)
            let whole = Self.outcome(bytes, column: column, minimumCount: minimumCount) { $0 }
            var pieces = rng
            let cut = Self.outcome(bytes, column: column, minimumCount: minimumCount) { _ in 1 + pieces.below(7) }
            rng.state &+= 1
            guard whole == cut else {
                Issue.record("iteration \(iteration): \(whole) whole, \(cut) in pieces, for \(bytes)")
                break
            }
            switch whole {
            case .success(let values):
                outcomes["read", default: 0] += 1
                if !(values.allSatisfy(\.isFinite) && values.count >= minimumCount && values.count <= Self.maximumCount) {
                    Issue.record("iteration \(iteration): \(values) from \(bytes)")
                }
                if let expected, minimumCount <= expected.count, values != expected {
                    Issue.record("iteration \(iteration): read \(values), wrote \(expected), as \(bytes)")
                }
            case .failure(let error):
                // The message's kind, without what it quotes.
                let kind = error.message.replacingOccurrences(of: #"'[^']*'|line \d+|\d+"#, with: "#", options: .regularExpression)
                outcomes[String(kind.prefix(48)), default: 0] += 1
                if !Self.isReadable(error.message) { Issue.record("iteration \(iteration): unreadable message \(error.message)") }
                if expected != nil && minimumCount <= expected!.count { Issue.record("iteration \(iteration): a valid file refused: \(error.message)") }
            }
        }
        let elapsed = ContinuousClock.now - start
        print("csv fuzz: \(iterations) inputs in \(elapsed), seed \(seed): \(outcomes.count) outcomes, \(outcomes["read", default: 0]) read")
        #expect(outcomes.values.reduce(0, +) == iterations)
        if iterations >= 10_000 {
            #expect(outcomes["read", default: 0] > iterations / 20, "\(outcomes)")
            #expect(outcomes.count > 10, "\(outcomes)")
        }
    }

    @Test("Endless streams stop at a cap, having read a bounded number of bytes",
          arguments: ["\n", "1\n", "7", "\"", "\"\n", "a,", "\r", "\u{0}", "\"\"", "1,2\n"])
    func endless(pattern: String) {
        let bytes = Array(pattern.utf8)
        var served = 0
        var next = 0
        do {
            _ = try readSeries(named: "stream", column: nil, minimumCount: 1) { buffer in
                guard served < 200_000_000 else { return 0 }       // a runaway reader: stop it, and fail below
                for i in 0..<buffer.count {
                    buffer[i] = bytes[next]
                    next = (next + 1) % bytes.count
                }
                served += buffer.count
                return buffer.count
            }
            Issue.record("an endless stream of \(bytes) was read to an end")
        } catch let error as SeriesFileError {
            #expect(Self.isReadable(error.message), "\(error.message)")
            // The caps: 100,000 values, rows of 65,536 bytes, 1,000,000 lines, read 64 KiB at a time.
            #expect(served <= 1_000_000 * bytes.count + 2 * 65_536, "\(pattern): \(served) bytes read before stopping: \(error.message)")
        } catch {
            Issue.record("\(error)")
        }
    }

    @Test("The messages' excerpts: escaped controls, cut at 60 characters")
    func excerpts() {
        #expect(quoted("abc") == "'abc'")
        #expect(quoted("\u{1B}[2J\n") == "'\\u{1B}[2J\\n'")
        #expect(quoted(String(repeating: "x", count: 61)) == "'" + String(repeating: "x", count: 60) + "…'")
        #expect(quoted(String(repeating: "x", count: 60)) == "'" + String(repeating: "x", count: 60) + "'")
        #expect(excerpt("a\u{202E}b\u{0}") == "a\\u{202E}b\\u{0}")
    }
}

/// A small, fast, seedable generator (SplitMix64), for reproducible fuzzing.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n` (`n > 0`).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}
