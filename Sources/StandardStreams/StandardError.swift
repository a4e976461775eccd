// Standard error and standard output, written so that a stream that cannot take the text never
// stops the program.

import Foundation

/// Writes to standard error with `write(2)`, never trapping: `FileHandle.write` traps when the
/// stream is full (`2>/dev/full`), closed, or a pipe whose reader is gone, and an error message
/// must not turn into a crash. A failure is ignored, as there is nowhere else to report it; the
/// program goes on to its exit code.
public enum StandardError {
    /// Writes `text` as UTF-8, all of it unless the stream fails.
    public static func write(_ text: String) {
        write(text, to: STDERR_FILENO)
    }

    /// Writes `text` as UTF-8 to standard output in the same way: for a program whose output is
    /// a few lines of progress (the exercises' checker), which a full or closed stream must not
    /// turn into a crash. (A pipe whose reader is gone still raises SIGPIPE, which ends the
    /// program quietly unless it is ignored.)
    public static func writeToStandardOutput(_ text: String) {
        write(text, to: STDOUT_FILENO)
    }

    private static func write(_ text: String, to descriptor: Int32) {
        var text = text
        text.withUTF8 { write(UnsafeRawBufferPointer($0), to: descriptor) }
    }

    /// How long a stream that takes nothing (a non-blocking one whose reader stalls) is waited
    /// for, at most, before the rest of the text is dropped.
    static let patience: Int32 = 2000

    /// Writes `bytes` to `descriptor`: again after a signal interrupts the call (EINTR), after a
    /// wait of at most ``patience`` milliseconds (three times without progress) when a non-blocking stream is full (EAGAIN), and
    /// not at all once the stream fails otherwise.
    static func write(_ bytes: UnsafeRawBufferPointer, to descriptor: Int32) {
        var rest = bytes, waits = 0
        while !rest.isEmpty {
            let written = Foundation.write(descriptor, rest.baseAddress, rest.count)
            if written > 0 {
                rest = UnsafeRawBufferPointer(rebasing: rest[written...])
                waits = 0
                continue
            }
            guard written < 0 else { return }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK:
                // A stream said ready that still takes nothing is given up after a few waits.
                waits += 1
                guard waits <= 3 else { return }
                var ready = pollfd(fd: descriptor, events: Int16(POLLOUT), revents: 0)
                var polled: Int32
                repeat { polled = poll(&ready, 1, patience) } while polled < 0 && errno == EINTR
                guard polled > 0, ready.revents & Int16(POLLOUT) != 0 else { return }
            default: return
            }
        }
    }
}
