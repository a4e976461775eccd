// What the terminal a chapter writes to can show: its size, and whether it takes escape sequences.

import Foundation

/// The terminal behind a file descriptor.
enum Terminal {
    /// How a progress bar may redraw itself on `descriptor`: not at all when it is not a terminal;
    /// with `\r` and spaces when `TERM` is `dumb` or unset (such a terminal returns the carriage
    /// but may not know `ESC [ K`, clear to the end of the line); with `\r` and `ESC [ K` otherwise.
    static func redrawing(_ descriptor: Int32) -> Redrawing {
        guard isatty(descriptor) == 1 else { return .none }
        let term = ProcessInfo.processInfo.environment["TERM"] ?? ""
        return term.isEmpty || term == "dumb" ? .carriageReturn : .escapeSequences
    }

    enum Redrawing {
        case none, carriageReturn, escapeSequences
    }

    /// The columns and rows of the terminal `descriptor` is, or nil when it is not a terminal
    /// (or does not say).
    static func size(_ descriptor: Int32) -> (columns: Int, rows: Int)? {
        guard isatty(descriptor) == 1 else { return nil }
        var size = winsize()
        guard ioctl(descriptor, UInt(TIOCGWINSZ), &size) == 0, size.ws_col > 0, size.ws_row > 0 else {
            return nil
        }
        return (Int(size.ws_col), Int(size.ws_row))
    }
}
