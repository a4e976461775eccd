// A learner's own series for Chapter07-Beyond's `--csv FILE`: one number per line, or one column
// of a CSV file with a header line.
//
// The file is read as a stream of bytes, 64 KiB at a time, by an RFC 4180 reader written here
// (quoted fields, `""` inside them, commas and line breaks inside quotes, CRLF, LF or CR line
// ends, a UTF-8 byte order mark). It stops at the first problem, after 100,000 values, at a row
// longer than 65,536 bytes and after 1,000,000 lines, so any file or stream, however large, is
// refused in bounded memory and time.
//
// Why not yaslab/CSV.swift 2.5.2, which the issue proposed (its source was read for this): its
// `CSVReader` reports no line numbers, and a field grows without limit (`readField` appends every
// character of an unclosed quote or a 200 MB line to one string), so bounding memory would need a
// byte filter in front of it that lexes the quotes itself, that is, this reader again. It also
// accepts a malformed quoted field silently and drops a character of it (`"1"2` reads as `1"` and
// swallows the rest of the file into that field), and an invalid UTF-8 byte ends its rows as if the
// file ended there, where this reader must say which line is wrong.

import AtomicFiles
import Foundation

/// A `--csv` file that cannot be used: missing, empty, not numbers, no such column, too short.
/// Chapters print its message on one line and exit with ``ExitCode32/input``.
public struct SeriesFileError: Error, CustomStringConvertible, Equatable {
    public let message: String
    /// `message` on one line, its control characters escaped (``escapedLine(_:)``).
    public init(_ message: String) { self.message = escapedLine(message) }
    public var description: String { message }
}

/// The most values a `--csv` series may hold, the longest row of its file, in bytes, and the
/// most lines.
public enum SeriesFileLimits {
    public static let values = 100_000
    public static let rowBytes = 65_536
    /// Lines of any kind, blank ones included: an endless stream of empty lines ends too.
    public static let lines = 1_000_000
}

/// Reads a series from `path`.
///
/// The file holds either one number per line, or comma-separated rows (RFC 4180: a field may be
/// quoted, `"1,5"`, with `""` for a quote inside it) under a header line naming the columns;
/// `column` picks a column by its name (a file with a single column needs none). Blank lines are
/// ignored; every other value must be a finite number. At most `maximumCount` values, rows of at
/// most `maximumRowBytes` bytes and `maximumLines` lines: the file is read as a stream, and refused
/// as soon as it breaks a rule (``SeriesFileLimits``).
/// - Parameter minimumCount: the fewest values the caller can use.
/// - Throws: ``SeriesFileError`` with one line that says what is wrong and how to fix it.
public func readSeries(path: String, column: String?, minimumCount: Int,
                       maximumCount: Int = SeriesFileLimits.values,
                       maximumRowBytes: Int = SeriesFileLimits.rowBytes,
                       maximumLines: Int = SeriesFileLimits.lines) throws -> [Float] {
    guard !path.isEmpty else {
        throw SeriesFileError("--csv was given an empty file name: "
                              + "give a file with one number per line, or a CSV file and --column NAME")
    }
    let shown = shownPath(path)
    var isFolder: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
        var status = stat()
        if stat(path, &status) != 0 && errno == ELOOP {
            throw SeriesFileError("\(shown) is a loop of symbolic links "
                                  + "(\(String(cString: strerror(ELOOP)))): give the file itself, "
                                  + "with one number per line")
        }
        throw SeriesFileError("\(shown) does not exist: give a file with one number per line, "
                              + "or a CSV file and --column NAME")
    }
    guard !isFolder.boolValue else {
        throw SeriesFileError("\(shown) is a folder: give a file with one number per line")
    }
    // Not blocking on open: a FIFO that no one writes to reads as empty instead of waiting for ever.
    let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC)
    guard descriptor >= 0 else {
        let reason = errno
        throw SeriesFileError(reason == EACCES || reason == EPERM
                              ? "cannot read \(shown): check its permissions"
                              : "cannot read \(shown): \(String(cString: strerror(reason)))")
    }
    defer { close(descriptor) }
    _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
    return try readSeries(named: shown, column: column, minimumCount: minimumCount,
                          maximumCount: maximumCount, maximumRowBytes: maximumRowBytes,
                          maximumLines: maximumLines) { buffer in
        while true {
            let count = read(descriptor, buffer.baseAddress, buffer.count)
            if count >= 0 { return count }
            if errno == EINTR { continue }
            if errno == EAGAIN { return 0 }
            throw SeriesFileError("cannot read \(shown): \(String(cString: strerror(errno)))")
        }
    }
}

/// Reads a series from the bytes `read` gives (it fills the buffer it is passed and returns how
/// many bytes it wrote, 0 at the end), naming the file `name` in messages. See
/// ``readSeries(path:column:minimumCount:maximumCount:maximumRowBytes:maximumLines:)``.
public func readSeries(named name: String, column: String?, minimumCount: Int,
                       maximumCount: Int = SeriesFileLimits.values,
                       maximumRowBytes: Int = SeriesFileLimits.rowBytes,
                       maximumLines: Int = SeriesFileLimits.lines,
                       read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int)
                       throws -> [Float] {
    var rows = CSVRows(name: name, maximumRowBytes: maximumRowBytes, maximumLines: maximumLines,
                       read: read)
    // The first row that is not blank: a header when it is not all numbers.
    var first: CSVRows.Row?
    while let row = try rows.next() {
        if !row.isBlank { first = row; break }
    }
    guard let first else {
        throw SeriesFileError("\(name) is empty: give one number per line, "
                              + "or a CSV header line and rows")
    }
    let firstFields = first.fields.map(trimmed)
    let hasHeader = firstFields.contains { seriesValue($0) == .notANumber }
    var index = 0
    var columnName: String?
    var headerCount = firstFields.count
    var values: [Float] = []
    if hasHeader {
        // One column and no --column: a name that starts as a number does (`1_000`, `"1,000"`,
        // `5\0x`, a second byte order mark) is a value written wrong, not a header to drop
        // without a word.
        if column == nil, firstFields.count == 1, startsLikeNumber(firstFields[0]) {
            throw SeriesFileError("\(name) line \(first.line): \(quoted(firstFields[0])) is not a "
                                  + "number, and is no column's name (a name starts with a letter): "
                                  + "write the number plainly (1000, 1.5e3), or name the column")
        }
        if let bad = firstFields.firstIndex(where: {
            $0.unicodeScalars.contains { $0.properties.generalCategory == .control }
        }) {
            throw SeriesFileError("\(name) line \(first.line): column \(bad + 1)'s name "
                                  + "\(quoted(firstFields[bad])) holds control characters: "
                                  + "name the columns in plain text, or give one number per line")
        }
        var seen: [String: Int] = [:]
        for (i, field) in firstFields.enumerated() {
            if let earlier = seen.updateValue(i, forKey: field) {
                throw SeriesFileError("\(name) has two columns named \(quoted(field)) "
                                      + "(columns \(earlier + 1) and \(i + 1)): "
                                      + "rename one, so that --column names one column")
            }
        }
        if let column {
            guard let found = firstFields.firstIndex(of: column) else {
                throw SeriesFileError("\(name) has no column \(quoted(column)); its columns are "
                                      + "\(listed(firstFields.map { quoted($0, limit: 30) }))")
            }
            index = found
        } else if firstFields.count > 1 {
            throw SeriesFileError("\(name) has \(firstFields.count) columns "
                                  + "(\(listed(firstFields.map { excerpt($0, limit: 30) }))): "
                                  + "choose one with --column NAME")
        }
        columnName = firstFields[index]
    } else if let column {
        throw SeriesFileError("\(name) has no header line, so no column \(quoted(column)): "
                              + "drop --column, or add a header line naming the columns")
    } else if firstFields.count > 1 {
        throw SeriesFileError("\(name) line \(first.line) has \(firstFields.count) values: "
                              + "give one number per line, or a header line and --column NAME")
    } else {
        headerCount = 1
    }

    func take(_ row: CSVRows.Row) throws {
        if row.isBlank { return }
        let place = "\(name) line \(row.line)"
        let count = row.fields.count
        if !hasHeader && count > 1 {
            throw SeriesFileError("\(place) has \(count) values: give one number per line")
        }
        guard count > index else {
            throw SeriesFileError("\(place) has \(count) field\(count == 1 ? "" : "s"), "
                                  + "too few for column \(quoted(columnName ?? ""))")
        }
        guard count <= headerCount else {
            throw SeriesFileError("\(place) has \(count) fields, more than the header's "
                                  + "\(headerCount): quote a field that holds a comma (\"1,5\")")
        }
        let field = trimmed(row.fields[index])
        let inColumn = columnName.map { " (column \(quoted($0)))" } ?? ""
        switch seriesValue(field) {
        case .value(let value): values.append(value)
        case .notANumber:
            throw SeriesFileError("\(place): \(quoted(field)) is not a finite number\(inColumn)")
        case .tooLarge:
            throw SeriesFileError("\(place): \(quoted(field))\(inColumn) is too large for float32 "
                                  + "(at most about 3.4e38); divide the series by a constant")
        case .roundsToZero:
            throw SeriesFileError("\(place): \(quoted(field))\(inColumn) rounds to 0 in float32 "
                                  + "(the smallest is about 1.4e-45); multiply the series by a constant")
        }
        if values.count > maximumCount {
            throw SeriesFileError("\(name) has more than \(maximumCount) values: "
                                  + "use the last \(maximumCount) or fewer")
        }
    }
    if !hasHeader { try take(first) }
    while let row = try rows.next() { try take(row) }
    guard values.count >= minimumCount else {
        throw SeriesFileError("\(name) has \(values.count) value\(values.count == 1 ? "" : "s"); "
                              + "the deep RNN needs at least \(minimumCount): "
                              + "a window of \(minimumCount - 2) differences and the one after it "
                              + "(or a shorter --window-length)")
    }
    return values
}

/// What a field is as a value of the series, which is float32.
enum SeriesValue: Equatable {
    case value(Float)
    /// Not a number, or NaN or infinite.
    case notANumber
    /// A finite number float32 cannot hold (`1e39`).
    case tooLarge
    /// A number that is not 0 but float32 rounds to 0 (`1e-50`): refused, not read as 0.
    case roundsToZero
}

/// `field` as a value of the series. The whole field is read: Swift's `Float("30\0x")` reads the C
/// string up to the NUL byte, 30, so a field holding a NUL is no number.
func seriesValue(_ field: String) -> SeriesValue {
    guard !field.utf8.contains(0), let value = Float(field), let wide = Double(field), !value.isNaN else {
        return .notANumber
    }
    if value.isInfinite {
        // "inf", "infinity", or a number beyond even Double's range (1e400).
        let spelled = field.lowercased().contains("inf")
        return spelled || !field.contains(where: \.isNumber) ? .notANumber : .tooLarge
    }
    if value == 0 {
        // 1e-50 is 0 in float32; 1e-400 is 0 even in Double: look at the digits before the exponent.
        let mantissa = field.prefix { $0 != "e" && $0 != "E" && $0 != "p" && $0 != "P" }
        let hex = mantissa.lowercased().contains("x")
        let digits = hex ? mantissa.drop { $0 != "x" && $0 != "X" }.dropFirst() : mantissa[...]
        if wide != 0 || digits.contains(where: { $0.isHexDigit && $0 != "0" }) { return .roundsToZero }
    }
    return .value(value)
}

/// Whether `name` starts as a number does: a digit, or a sign or point and then a digit, or a
/// byte order mark (a second one, after the one a spreadsheet writes at the file's start).
private func startsLikeNumber(_ name: String) -> Bool {
    let scalars = Array(name.unicodeScalars.prefix(2))
    guard let first = scalars.first else { return false }
    if first == "\u{FEFF}" || ("0"..."9").contains(first) { return true }
    return "+-.".unicodeScalars.contains(first) && scalars.count > 1 && ("0"..."9").contains(scalars[1])
}

/// A field without the spaces and tabs around it (`1, 2` reads as `1` and `2`).
private func trimmed(_ field: String) -> String { field.trimmingCharacters(in: .whitespaces) }

/// At most the first ten names, joined, so that a message stays one readable line.
private func listed(_ names: [String]) -> String {
    names.prefix(10).joined(separator: ", ")
        + (names.count > 10 ? ", … (\(names.count - 10) more)" : "")
}

/// The rows of a CSV file (RFC 4180), read from a stream of bytes, with the line each starts on as
/// an editor counts lines (a CRLF, a LF or a lone CR ends one).
struct CSVRows {
    struct Row {
        /// The line the row starts on, from 1.
        var line: Int
        var fields: [String]
        /// A line with nothing on it but spaces: skipped.
        var isBlank: Bool
    }

    let name: String
    let maximumRowBytes: Int
    let maximumLines: Int
    let read: (UnsafeMutableRawBufferPointer) throws -> Int

    private var buffer = [UInt8](repeating: 0, count: 65_536)
    private var position = 0
    private var available = 0
    private var atEnd = false
    private var line = 1
    private var firstRow = true

    init(name: String, maximumRowBytes: Int, maximumLines: Int,
         read: @escaping (UnsafeMutableRawBufferPointer) throws -> Int) {
        self.name = name
        self.maximumRowBytes = maximumRowBytes
        self.maximumLines = maximumLines
        self.read = read
    }

    /// Bytes read ahead and given back (the start of the file that was not a byte order mark),
    /// last first.
    private var givenBack: [UInt8] = []

    /// The next byte without taking it, or nil at the end of the file.
    private mutating func peek() throws -> UInt8? {
        if let b = givenBack.last { return b }
        if position == available {
            if atEnd { return nil }
            let count = try buffer.withUnsafeMutableBytes { try read($0) }
            (position, available) = (0, max(0, min(count, buffer.count)))
            if available == 0 { atEnd = true; return nil }
        }
        return buffer[position]
    }

    /// The next byte, or nil at the end of the file.
    private mutating func take() throws -> UInt8? {
        guard let b = try peek() else { return nil }
        if givenBack.popLast() == nil { position += 1 }
        return b
    }

    /// Skips a UTF-8 byte order mark at the start of the file, as spreadsheets write one.
    private mutating func skipByteOrderMark() throws {
        var start: [UInt8] = []
        for expected: UInt8 in [0xEF, 0xBB, 0xBF] {
            guard let b = try take() else { break }
            start.append(b)
            if b != expected { break }
        }
        if start != [0xEF, 0xBB, 0xBF] { givenBack = start.reversed() }
    }

    /// Counts the line end `b` (CR or LF) just taken; a LF right after a CR is part of it.
    private mutating func endLine(_ b: UInt8) throws -> Int {
        line += 1
        if b == cr, try peek() == lf { _ = try take(); return 1 }
        return 0
    }

    private func text(_ bytes: [UInt8], line: Int) throws -> String {
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw SeriesFileError("\(name) line \(line) is not UTF-8 text: save it as UTF-8, "
                                  + "with one number per line or a CSV header line and rows")
        }
        return text
    }

    /// The next row, or nil at the end of the file.
    mutating func next() throws -> Row? {
        let startLine = line
        var fields: [String] = []
        var field: [UInt8] = []
        var inQuotes = false        // inside a quoted field
        var wasQuoted = false       // the field's closing quote was met: only spaces may follow it
        var rowBytes = 0
        var sawAnything = false

        if firstRow {
            firstRow = false
            try skipByteOrderMark()
        }
        func row() throws -> Row {
            fields.append(try text(field, line: startLine))
            return Row(line: startLine, fields: fields,
                       isBlank: fields.count == 1 && !wasQuoted && trimmed(fields[0]).isEmpty)
        }

        while true {
            guard let b = try take() else {
                if inQuotes {
                    throw SeriesFileError("\(name) line \(startLine): a quoted field is not closed "
                                          + "(a quote inside a field is written twice, \"\")")
                }
                return sawAnything ? try row() : nil
            }
            sawAnything = true
            if line > maximumLines {
                throw SeriesFileError("\(name) has more than \(maximumLines) lines, "
                                      + "the most --csv reads: keep the last "
                                      + "\(SeriesFileLimits.values) values or fewer, one a line")
            }
            rowBytes += 1
            if rowBytes > maximumRowBytes {
                throw SeriesFileError("\(name) line \(startLine) starts a row longer than "
                                      + "\(maximumRowBytes) bytes, the most --csv reads in a row: "
                                      + "give one number per line, or fewer columns")
            }
            if inQuotes {
                if b == quote {
                    if try peek() == quote {
                        _ = try take()
                        rowBytes += 1
                        field.append(quote)               // "" inside quotes: one quote
                    } else {
                        inQuotes = false
                        wasQuoted = true
                    }
                } else {
                    if b == lf || b == cr { rowBytes += try endLine(b) }
                    field.append(b)
                }
                continue
            }
            switch b {
            case comma:
                fields.append(try text(field, line: startLine))
                field.removeAll(keepingCapacity: true)
                wasQuoted = false
            case lf, cr:
                _ = try endLine(b)
                return try row()
            case quote where !wasQuoted && field.allSatisfy({ $0 == space || $0 == tab }):
                field.removeAll(keepingCapacity: true)
                inQuotes = true
            case space, tab:
                if !wasQuoted { field.append(b) }
            default:
                if wasQuoted {
                    // The whole character, not its first byte alone (`"1"é`).
                    var bytes = [b]
                    while b >= 0xC0, bytes.count < 4, let next = try peek(), next & 0xC0 == 0x80 {
                        bytes.append(next)
                        _ = try take()
                    }
                    let shown = String(decoding: bytes, as: UTF8.self)
                    throw SeriesFileError("\(name) line \(line): a quoted field is followed by "
                                          + "\(quoted(shown)), not by a comma or the line's end "
                                          + "(a quote inside a field is written twice, \"\")")
                }
                field.append(b)
            }
        }
    }
}

private let (comma, quote, lf, cr, space, tab) = (UInt8(ascii: ","), UInt8(ascii: "\""),
                                                  UInt8(ascii: "\n"), UInt8(ascii: "\r"),
                                                  UInt8(ascii: " "), UInt8(ascii: "\t"))
