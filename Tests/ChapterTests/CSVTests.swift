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
    ]

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

    @Test("--column without --csv, and --corrected, are refused with exit 64")
    func refusedOptions() throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let column = try runChapter("Chapter07-Beyond", ["--column", "close"], in: folder)
        expectFailure(column, status: 64, "error: --column needs --csv FILE: it names a column of that file (see --help)", in: folder)
        let corrected = try runChapter("Chapter07-Beyond", ["--corrected"], in: folder)
        expectFailure(corrected, status: 64, "error: --corrected has no effect here", in: folder)
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
                      ("value\n" + numbers.joined(separator: "\n") + "\n\n", [])])
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
