// Numbers in a chapter's prose come from the run: a loss, an accuracy, a variance or an optimum is
// written as `{{key.path}}` and filled in by `Pages` from what the chapter recorded. This test fails
// when a chapter's prose holds a number typed by hand, unless it is a setting (a number the
// notebooks' cells or the chapter's own code write) or on the short list below.

import Foundation
import Testing
@testable import PageGenerator

/// Numbers the prose may type, each with its reason.
let typedNumbersAllowed: [String: String] = [
    "199": "the number of differences of the 200 points",
    "180": "the number of windows, (200 - 1) - 19, the notebooks' batch size",
    "3420": "180 windows of 19 steps, the deep RNN loss's rows",
    "3750": "the training rows, int(np.floor(5000 * 0.75))",
    "1250": "the test rows, 5000 - 3750",
    "18": "the steps from a window's first output to its last",
    "64": "the elements of an 8 x 8 matrix, the clipping threshold of W_hh",
    "9.5.3": "the equation number of d2l's clipping rule",
    "14.1": "10 · √2, the spread of a difference of two noises of standard deviation 10",
    "1.8e19": "the square root of float32's largest value: a norm above it overflows",
    "1.63": "√(8/3), the circular law's spectral radius for 8 × 8 entries uniform in [−1, 1]",
    "0.5": "the threshold at which a prediction counts as 1",
    "300": "the notebook's 100 + 200 epochs",
    "1980": "the windows of a 2000-point series, 2000 - 1 - 19",
    "1e-4": "a relative tolerance of the parity tests, and a threshold of scripts/concise_rounding_sensitivity.py",
    "1e-5": "the relative tolerance of PyTorchCheckpointTests",
]

@Suite("No hand-typed numbers in the prose")
struct TypedNumberTests {
    static let root = NotebookCoverageTests.root

    /// Number literals written in code: the notebooks' cells, or Swift code (prose and comments left out).
    static func literals(in code: String) -> Set<String> {
        Set(numbers(in: code.replacingOccurrences(of: #"(?m)//.*$"#, with: "", options: .regularExpression)))
    }

    /// The numbers of a text, normalised: `10⁶` is `1e6`, `1.8 · 10¹⁹` is `1.8e19`, `1e-4` stays.
    static func numbers(in text: String) -> [String] {
        let superscripts: [Character: Character] = ["⁰": "0", "¹": "1", "²": "2", "³": "3", "⁴": "4", "⁵": "5",
                                                    "⁶": "6", "⁷": "7", "⁸": "8", "⁹": "9", "⁻": "-"]
        let pattern = #"(?<![\p{L}\p{N}_.])(\d+(?:\.\d+)*(?:e[+-]?\d+)?)(?:\s?·\s?10([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+))?([⁰¹²³⁴⁵⁶⁷⁸⁹⁻]+)?(?![\p{L}\p{N}_])"#
        let regex = try! NSRegularExpression(pattern: pattern)
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { match in
            var number = ns.substring(with: match.range(at: 1))
            let mantissaExponent = match.range(at: 2), exponent = match.range(at: 3)
            if mantissaExponent.location != NSNotFound {
                number += "e" + String(ns.substring(with: mantissaExponent).compactMap { superscripts[$0] })
            } else if exponent.location != NSNotFound, number == "10" {
                number = "1e" + String(ns.substring(with: exponent).compactMap { superscripts[$0] })
            }
            return number
        }
    }

    /// The prose of a chapter with what is not a claim taken out: references to the run, quotes of
    /// files, link targets, and the names of chapters, figures, seeds and exercises.
    static func claims(in prose: String) -> String {
        var text = prose
        let removals = [
            #"\{\{[^}]*\}\}"#,                                    // {{key.path}}: filled in from the run
            #"(?m)^\s*@(Code|Notebook)\(.*\)\s*$"#,               // quoted files
            #"\]\([^)]*\)"#,                                       // link targets
            #"Chapter ?\d\d"#,                                     // chapter names
            #"[Ff]igures? \d+(?:(?:, | and |–| to )\d+)*"#,        // figure numbers
            #"(?:--)?[Ss]eeds? \d+(?:(?: to |–|, | and )\d+)*"#,   // seeds
            #"(?m)^\s*\d+\. "#,                                    // the exercises' numbers
            #"`scripts/[^`]*`"#,                                   // script names
            #"`(?:swift|python) [^`]*`"#,                          // commands, with the reader's settings
        ]
        for pattern in removals {
            text = text.replacingOccurrences(of: pattern, with: " ", options: .regularExpression)
        }
        return text
    }

    @Test("Every number in the chapters' prose comes from the run, or is a setting or on the allow-list")
    func noTypedNumbers() throws {
        let notebooks = try ["deep-rnn", "bidirectional-rnn"].flatMap { try NotebookCoverageTests.cells($0) }.joined(separator: "\n")
        let settingsInNotebooks = Self.literals(in: notebooks)
        let chapters = Self.root.appendingPathComponent("Chapters")
        let names = try FileManager.default.contentsOfDirectory(atPath: chapters.path).filter { $0.hasPrefix("Chapter") }.sorted()
        #expect(names.count >= 8)
        for name in names {
            let folder = chapters.appendingPathComponent(name)
            let file = folder.appendingPathComponent(String(name.prefix(9)) + ".swift")
            let source = try ChapterSource(parsing: try String(contentsOf: file, encoding: .utf8))
            var prose = [source.introduction, source.closing], code: [String] = []
            for piece in source.sections.flatMap(\.pieces) {
                switch piece {
                case .prose(let text): prose.append(text)
                case .code(let text): code.append(text)
                }
            }
            // The chapter's own settings: the literals of its code and of the Swift files beside it.
            let others = try FileManager.default.subpathsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".swift") && $0 != file.lastPathComponent }
            for other in others { code.append(try String(contentsOf: folder.appendingPathComponent(other), encoding: .utf8)) }
            let settings = settingsInNotebooks.union(Self.literals(in: code.joined(separator: "\n")))
            let typed = Self.numbers(in: Self.claims(in: prose.joined(separator: "\n")))
                .filter { !settings.contains($0) && typedNumbersAllowed[$0] == nil }
            #expect(typed.isEmpty, "\(name)'s prose types \(typed.joined(separator: ", ")): write {{key.path}} for a number the run records")
        }
    }

    @Test("The number finder sees decimals, powers of ten and percentages, not names")
    func finder() {
        #expect(Self.numbers(in: "a loss of 113.7, 10⁶ to 10¹¹, 1.8 · 10¹⁹, 95% and 1e20") == ["113.7", "1e6", "1e11", "1.8e19", "95", "1e20"])
        #expect(Self.numbers(in: "W_hh, fig3, l0, x2 and Chapter07").isEmpty)
        #expect(Self.numbers(in: Self.claims(in: "Chapter 05 draws figures 3 and 4 for seeds 0 to 4: {{deep_rnn.loss}}")).isEmpty)
    }
}
