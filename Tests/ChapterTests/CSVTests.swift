// Chapter07-Beyond's `--csv FILE`: a learner's own series. A file that cannot be used gets one line
// saying what is wrong and how to fix it, exit 66, and nothing written.

import Foundation
import Testing

@Suite("Your own series: Chapter07-Beyond --csv", .serialized)
struct CSVTests {
    /// Runs Chapter07 with `--csv data.csv` holding `contents` (nil: no such file).
    func run(_ contents: String?, _ extra: [String] = []) throws -> (ChapterRun, URL) {
        let folder = try temporaryFolder()
        if let contents { try Data(contents.utf8).write(to: folder.appendingPathComponent("data.csv")) }
        let run = try runChapter("Chapter07-Beyond", ["--csv", "data.csv", "--epochs", "2", "--no-render"] + extra, in: folder)
        return (run, folder)
    }

    static let numbers = (0..<100).map { "\(Double($0) * 1.5 + Double($0 % 7))" }

    static let badFiles: [(contents: String?, extra: [String], message: String)] = [
        (nil, [], "error: data.csv does not exist: give a file with one number per line, or a CSV file and --column NAME"),
        ("", [], "error: data.csv is empty: give one number per line, or a CSV header line and rows"),
        ("\n\n", [], "error: data.csv is empty"),
        ("1\n2\nabc\n4\n", [], "error: data.csv line 3: 'abc' is not a finite number"),
        ("1\n2\nnan\n4\n", [], "error: data.csv line 3: 'nan' is not a finite number"),
        ("date,close\n1,2\n", ["--column", "price"], "error: data.csv has no column 'price'; its columns are 'date', 'close'"),
        ("date,close\n1,2\n", [], "error: data.csv has 2 columns (date, close): choose one with --column NAME"),
        ("1\n2\n3\n", ["--column", "close"], "error: data.csv has no header line, so no column 'close'"),
        ("date,close\n1,2\n3\n", ["--column", "close"], "error: data.csv line 3 has 1 field, too few for column 'close'"),
        ("date,close\n1,2\n3,x\n", ["--column", "close"], "error: data.csv line 3: 'x' is not a finite number (column 'close')"),
        ((0..<30).map { $0 % 2 == 0 ? "3e38" : "-3e38" }.joined(separator: "\n"), [],
         "error: data.csv: the difference of values 1 and 2 is too large for float32; divide the series by a constant"),
        ((0..<20).map(String.init).joined(separator: "\n"), [],
         "error: data.csv has 20 values; the deep RNN needs at least 21: a window of 19 differences and the one after it (or a shorter --window-length)"),
        // RFC 4180: a quoted field holds its commas, a quoted header name with a comma is one column.
        ("\"a,b\",c\n\"1,5\",2\n", ["--column", "a,b"], "error: data.csv line 2: '1,5' is not a finite number (column 'a,b')"),
        ("a,b\r\n\"x\r\ny\",1\r\n\"z\",q\r\n", ["--column", "b"], "error: data.csv line 4: 'q' is not a finite number (column 'b')"),
        ("v\n1\n\"2\n3\n", [], "error: data.csv line 3: a quoted field is not closed (a quote inside a field is written twice, \"\")"),
        ("v\n\"1\"2\n", [],
         "error: data.csv line 2: a quoted field is followed by '2', not by a comma or the line's end (a quote inside a field is written twice, \"\")"),
        ("a,a\n1,2\n", ["--column", "a"], "error: data.csv has two columns named 'a' (columns 1 and 2): rename one, so that --column names one column"),
        ("a,b,a\n1,2,3\n", ["--column", "b"], "error: data.csv has two columns named 'a' (columns 1 and 3)"),
        ("v\n1,9\n", [], "error: data.csv line 2 has 2 fields, more than the header's 1: quote a field that holds a comma (\"1,5\")"),
        (String(repeating: "\u{0}", count: 1000) + "\n1\n", [],
         "error: data.csv line 1: column 1's name '\\u{0}\\u{0}\\u{0}\\u{0}\\u{0}\\u{0}\\u{0}\\u{0}\\u{0}\\u{0}\\u{0}\\u{0}…' holds control characters: name the columns in plain text, or give one number per line"),
        // What is wrong is quoted, escaped and cut: an escape sequence cannot clear the terminal.
        ("1\n2\n\u{1B}[2Jabc\n", [], "error: data.csv line 3: '\\u{1B}[2Jabc' is not a finite number"),
        ("1\n" + String(repeating: "7", count: 100) + "x\n", [], "error: data.csv line 2: '777777777777777777777777777777777777777777777777777777777777…' is not a finite number"),
        ("a\n1\n", ["--column", "\u{1B}[2J"], "error: data.csv has no column '\\u{1B}[2J'; its columns are 'a'"),
        // A NUL byte ends no value early: the whole field is read.
        ("1\n30\u{0}garbage\n", [], "error: data.csv line 2: '30\\u{0}garbage' is not a finite number"),
        ("5\u{0}x\n1\n2\n", [],
         "error: data.csv line 1: '5\\u{0}x' is not a number, and is no column's name (a name starts with a letter): write the number plainly (1000, 1.5e3), or name the column"),
        // float32's range, by name: too large, or a number that would round to 0.
        ("1e39\n1\n", [], "error: data.csv line 1: '1e39' is too large for float32 (at most about 3.4e38); divide the series by a constant"),
        ("1\n1e-50\n", [], "error: data.csv line 2: '1e-50' rounds to 0 in float32 (the smallest is about 1.4e-45); multiply the series by a constant"),
        ("v\n1\n1e-400\n", [], "error: data.csv line 3: '1e-400' (column 'v') rounds to 0 in float32"),
        // A first line that is a value written wrong is not dropped as a header.
        ("1_000\n1\n2\n", [], "error: data.csv line 1: '1_000' is not a number, and is no column's name (a name starts with a letter): write the number plainly (1000, 1.5e3), or name the column"),
        ("\"1,000\"\n1\n2\n", [], "error: data.csv line 1: '1,000' is not a number, and is no column's name"),
        ("\u{FEFF}\u{FEFF}1\n2\n", [], "error: data.csv line 1: '\\u{FEFF}1' is not a number, and is no column's name"),
        // The character after a closing quote, whole.
        ("v\n\"1\"é\n", [], "error: data.csv line 2: a quoted field is followed by 'é', not by a comma or the line's end"),
        // The caps: read as a stream, refused where the cap is met.
        (String(repeating: "1", count: 70_000) + "\n", [],
         "error: data.csv line 1 starts a row longer than 65536 bytes, the most --csv reads in a row: give one number per line, or fewer columns"),
        (Array(repeating: "1", count: 100_001).joined(separator: "\n"), [],
         "error: data.csv has more than 100000 values: use the last 100000 or fewer"),
        (String(repeating: "\n", count: 1_000_001) + "1\n", [],
         "error: data.csv has more than 1000000 lines, the most --csv reads: keep the last 100000 values or fewer, one a line"),
    ]

    @Test("A file that is not UTF-8: the line named, exit 66")
    func notUTF8() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try Data([0x76, 0x0A, 0x31, 0x0A, 0xFF, 0x0A]).write(to: folder.appendingPathComponent("data.csv"))
        let run = try runChapter("Chapter07-Beyond", ["--csv", "data.csv", "--epochs", "2", "--no-render"], in: folder)
        expectFailure(run, status: 66,
                      "error: data.csv line 3 is not UTF-8 text: save it as UTF-8, with one number per line or a CSV header line and rows", in: folder)
    }

    @Test("A 200 MB file is refused at the cap in a fraction of a second and a few MB, not read whole")
    func hugeFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        // 200 MB of one line, and 20 MB of numbers: written in pieces.
        let path = folder.appendingPathComponent("data.csv")
        FileManager.default.createFile(atPath: path.path, contents: nil)
        let handle = try FileHandle(forWritingTo: path)
        let piece = Data(repeating: UInt8(ascii: "7"), count: 1 << 20)
        for _ in 0..<200 { handle.write(piece) }
        try handle.close()
        let start = ContinuousClock.now
        let run = try runChapter("Chapter07-Beyond", ["--csv", "data.csv", "--epochs", "2", "--no-render"], in: folder)
        expectFailure(run, status: 66, "error: data.csv line 1 starts a row longer than 65536 bytes", in: folder)
        #expect(ContinuousClock.now - start < .seconds(10))
        #expect(run.standardError.count < 300)
    }

    @Test("--help gives the caps")
    func helpGivesCaps() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runChapter("Chapter07-Beyond", ["--help"], in: folder)
        #expect(run.status == 0)
        let help = run.standardOutput.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(help.contains("at most 100000 values, rows of at most 65536 bytes, 1000000 lines"), "\(help)")
    }

    @Test("Values around 1e20: the one-step errors are finite (squared in double precision), exit 0")
    func largeValues() throws {
        let contents = Self.numbers.map { "\(Double($0)! * 1e20)" }.joined(separator: "\n")
        let (run, folder) = try run(contents, ["--json"])
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(run.status == 0, "\(run.standardError)")
        #expect(!run.standardOutput.contains("null") && !run.standardOutput.contains("inf"), "\(run.standardOutput)")
        #expect(run.standardOutput.contains("\"csv\":{\"concise\":"), "\(run.standardOutput)")
    }

    @Test("A series whose predictions overflow float32: one line, exit 66")
    func overflowingPredictions() throws {
        // Steps of about 1e37 up to the top of float32's range (about 3.4028e38): the predicted next value cannot be held.
        var values: [Double] = []
        for i in 0..<34 {
            let step: Double = Double(33 - i) * 1e37
            values.append(3.40e38 - step + (i % 2 == 1 ? 0.5e37 : 0))
        }
        (values[32], values[33]) = (3.402e38, 3.4e38)
        let (run, folder) = try run(values.map { "\($0)" }.joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(at: folder) }
        expectFailure(run, status: 66,
                      "error: data.csv: the concise model's prediction of value 34 is too large for float32; divide the series by a constant", in: folder)
    }

    @Test("An empty --csv name: one line saying so, exit 66, nothing written")
    func emptyName() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runChapter("Chapter07-Beyond", ["--csv", "", "--epochs", "2", "--no-render"], in: folder)
        expectFailure(run, status: 66,
                      "error: --csv was given an empty file name: give a file with one number per line, or a CSV file and --column NAME",
                      in: folder)
    }

    @Test("A file that cannot be used: one line, exit 66, nothing written", arguments: badFiles)
    func badFile(_ bad: (contents: String?, extra: [String], message: String)) throws {
        let (run, folder) = try run(bad.contents, bad.extra)
        defer { try? FileManager.default.removeItem(at: folder) }
        expectFailure(run, status: 66, bad.message, in: folder)
        #expect(run.standardError.hasPrefix(bad.message))
        #expect(run.standardOutput.isEmpty)
        #expect(files(under: folder) == (bad.contents == nil ? [] : ["data.csv"]))
    }

    @Test("--column without --csv, and --corrected (this chapter has no corrected run), are refused with exit 64")
    func refusedOptions() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let column = try runChapter("Chapter07-Beyond", ["--column", "close"], in: folder)
        expectFailure(column, status: 64, "error: --column needs --csv FILE: it names a column of that file (see --help)", in: folder)
        let corrected = try runChapter("Chapter07-Beyond", ["--corrected"], in: folder)
        expectFailure(corrected, status: 64, "error: Unknown option '--corrected' (see --help)", in: folder)
        #expect(files(under: folder).isEmpty)
    }

    @Test("A folder instead of a file")
    func folderInsteadOfFile() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try FileManager.default.createDirectory(at: folder.appendingPathComponent("data.csv"), withIntermediateDirectories: true)
        let run = try runChapter("Chapter07-Beyond", ["--csv", "data.csv", "--no-render"], in: folder)
        expectFailure(run, status: 66, "error: data.csv is a folder: give a file with one number per line", in: folder)
    }

    @Test("One number per line, or a named column: trains, scores the last quarter, draws four figures",
          arguments: [(numbers.joined(separator: "\n") + "\n", [String]()),
                      ("day,value\r\n" + numbers.enumerated().map { "\($0.offset),\($0.element)" }.joined(separator: "\r\n"), ["--column", "value"]),
                      ("value\n" + numbers.joined(separator: "\n") + "\n\n", []),
                      ("\u{FEFF}value\r\n" + numbers.joined(separator: "\r\n") + "\r\n", []),
                      ("\"day, of the year\",\"value\"\n" + numbers.enumerated().map { "\"\($0.offset),5\",\"\($0.element)\"" }.joined(separator: "\n"),
                       ["--column", "value"])])
    func goodFile(contents: String, extra: [String]) throws {
        let (run, folder) = try run(contents, extra)
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("data.csv: 100 values, 99 differences"))
        #expect(run.standardOutput.contains("training on the first 74 differences, testing on the last 25"))
        #expect(run.standardOutput.contains("concise: one-step error on the test part"))
        #expect(run.standardOutput.contains("corrected DRNN: one-step error on the test part"))
        #expect(files(under: folder) == ["data.csv", "plots/CSV_fig1.gp", "plots/CSV_fig2.gp", "plots/CSV_fig3.gp", "plots/CSV_fig4.gp"])
    }

    @Test("A series too short to hold out a quarter is trained and scored on all of it")
    func shortSeries() throws {
        let (run, folder) = try run(Self.numbers.prefix(30).joined(separator: "\n"))
        defer { try? FileManager.default.removeItem(at: folder) }
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("too short to hold out a test part with a window of 19: training and scoring on all of it"))
    }

    @Test("Long windows: early stopping holds out less, or nothing, instead of crashing",
          arguments: [["--window-length", "50"], ["--window-length", "120", "--hidden-size", "1"]])
    func longWindows(options: [String]) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runChapter("Chapter07-Beyond", ["--epochs", "1", "--no-render"] + options, in: folder)
        #expect(run.status == 0, "\(run.standardError)")
        #expect(run.standardOutput.contains("cannot hold out a part with a whole window") == (options[1] == "120"))
    }
}
