// A learner's own series for Chapter07-Beyond's `--csv FILE`: one number per line, or one column
// of a CSV file with a header line.

import Foundation

/// A `--csv` file that cannot be used: missing, empty, not numbers, no such column, too short.
/// Chapters print its message on one line and exit with ``ExitCode32/input``.
public struct SeriesFileError: Error, CustomStringConvertible, Equatable {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Reads a series from `path`.
///
/// The file holds either one number per line, or comma-separated rows under a header line naming
/// the columns; `column` picks a column by its name (a file with a single column needs none).
/// Blank lines are ignored; every other value must be a finite number.
/// - Parameter minimumCount: the fewest values the caller can use.
/// - Throws: ``SeriesFileError`` with one line that says what is wrong and how to fix it.
public func readSeries(path: String, column: String?, minimumCount: Int, maximumCount: Int = 100_000) throws -> [Float] {
    guard !path.isEmpty else {
        throw SeriesFileError("--csv was given an empty file name: give a file with one number per line, or a CSV file and --column NAME")
    }
    guard let data = FileManager.default.contents(atPath: path) else {
        var isFolder: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isFolder)
        throw SeriesFileError(exists ? (isFolder.boolValue ? "\(path) is a folder: give a file with one number per line"
                                                           : "cannot read \(path): check its permissions")
                                     : "\(path) does not exist: give a file with one number per line, or a CSV file and --column NAME")
    }
    guard let text = String(data: data, encoding: .utf8) else {
        throw SeriesFileError("\(path) is not UTF-8 text: give a file with one number per line, or a CSV file and --column NAME")
    }
    // Line numbers count every line, blank or not, as an editor shows them.
    // "\r\n" is one Character in Swift: split where any newline is, not at "\n" only.
    let lines = text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated().map { i, line in
        (number: i + 1, fields: line.trimmingCharacters(in: CharacterSet(charactersIn: "\r\u{FEFF}")).split(separator: ",", omittingEmptySubsequences: false)
            .map { $0.trimmingCharacters(in: .whitespaces).trimmingCharacters(in: CharacterSet(charactersIn: "\"")) })
    }.filter { !($0.fields.count == 1 && $0.fields[0].isEmpty) }
    guard let first = lines.first else {
        throw SeriesFileError("\(path) is empty: give one number per line, or a CSV header line and rows")
    }

    // A header is a first line that is not all numbers.
    let hasHeader = first.fields.contains { Float($0) == nil }
    var index = 0
    var columnName: String?
    if hasHeader {
        if let column {
            guard let found = first.fields.firstIndex(of: column) else {
                throw SeriesFileError("\(path) has no column '\(column)'; its columns are \(listed(first.fields.map { "'\($0)'" }))")
            }
            index = found
        } else if first.fields.count > 1 {
            throw SeriesFileError("\(path) has \(first.fields.count) columns (\(listed(first.fields))): choose one with --column NAME")
        }
        columnName = first.fields[index]
    } else if let column {
        throw SeriesFileError("\(path) has no header line, so no column '\(column)': drop --column, or add a header line naming the columns")
    } else if first.fields.count > 1 {
        throw SeriesFileError("\(path) line \(first.number) has \(first.fields.count) values: give one number per line, or a header line and --column NAME")
    }

    var values: [Float] = []
    for line in lines.dropFirst(hasHeader ? 1 : 0) {
        let place = "\(path) line \(line.number)"
        guard line.fields.count > index else {
            throw SeriesFileError("\(place) has \(line.fields.count) field\(line.fields.count == 1 ? "" : "s"), too few for column '\(columnName ?? "")'")
        }
        if !hasHeader && line.fields.count > 1 {
            throw SeriesFileError("\(place) has \(line.fields.count) values: give one number per line")
        }
        let field = line.fields[index]
        guard let value = Float(field), value.isFinite else {
            throw SeriesFileError("\(place): '\(field)' is not a finite number\(columnName.map { " (column '\($0)')" } ?? "")")
        }
        values.append(value)
        if values.count > maximumCount {
            throw SeriesFileError("\(path) has more than \(maximumCount) values: use the last \(maximumCount) or fewer")
        }
    }
    guard values.count >= minimumCount else {
        throw SeriesFileError("\(path) has \(values.count) value\(values.count == 1 ? "" : "s"); the deep RNN needs at least \(minimumCount): "
                              + "a window of \(minimumCount - 2) differences and the one after it (or a shorter --window-length)")
    }
    return values
}

/// At most the first ten names, joined, so that a message stays one readable line.
private func listed(_ names: [String]) -> String {
    names.prefix(10).joined(separator: ", ") + (names.count > 10 ? ", … (\(names.count - 10) more)" : "")
}
