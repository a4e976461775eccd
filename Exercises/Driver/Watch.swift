// `swift run Exercises watch`: checks again each time a file in Exercises/ is saved. The files'
// modification dates are polled; the build recompiles only the exercise that changed, and only the
// checks whose programs were rebuilt run again.

import Foundation

/// The modification date of every Swift file in `Exercises/` (the learner's files).
func modificationDates(_ checker: Checker) -> [String: Date] {
    let folder = checker.root.appendingPathComponent(checker.folder)
    var dates: [String: Date] = [:]
    for name in (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [] where name.hasSuffix(".swift") {
        dates[name] = (try? FileManager.default.attributesOfItem(atPath: folder.appendingPathComponent(name).path)[.modificationDate]) as? Date
    }
    return dates
}

func watch(_ checker: Checker) -> Never {
    var seen = modificationDates(checker)
    var changed: [String] = []
    while true {
        let started = Date()
        checker.overview(focus: Set(changed.compactMap { Int($0.prefix(2)) }))
        say("(checked in \(String(format: "%.1f", Date().timeIntervalSince(started))) s)" + (changed.isEmpty ? "" : " after saving " + changed.joined(separator: ", ")))
        say("\nWatching \(checker.folder)/: save a file to check again (Ctrl-C stops).")
        while true {
            usleep(250_000)
            let now = modificationDates(checker)
            if now != seen {
                changed = now.keys.filter { now[$0] != seen[$0] }.sorted()
                seen = now
                break
            }
        }
        say("\n\(String(repeating: "─", count: 72))\n")
    }
}
