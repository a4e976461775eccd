// Checking the exercises: build every check (an exercise that does not compile left out, with its
// compiler's messages), run each, and say where every exercise stands.

import Foundation
import PageGenerator
import StandardStreams

/// Writes a line to standard output at once (no buffer: a check's own output may follow it), and
/// never traps on a full or closed stream.
func say(_ line: String = "") { StandardError.writeToStandardOutput(line + "\n") }

/// One exercise: its number, its file's name without `.swift`, and what its header says.
struct Exercise {
    let number: Int, name: String
    /// Nil when the file's header cannot be read (the title is then the file's name).
    let header: ExerciseHeader?
    var title: String { header?.displayTitle ?? name }
    var label: String { String(format: "%02d", number) }
    var product: String { "Check" + label }
}

/// Where an exercise stands.
enum Status: Equatable {
    case done, notDone, doesNotCompile, crashed, timedOut

    var word: String {
        switch self {
        case .done: "done"
        case .notDone: "not done"
        case .doesNotCompile: "does not compile"
        case .crashed: "crashed"
        case .timedOut: "did not finish"
        }
    }
}

/// What checking an exercise found: its status and what to show about it.
struct Outcome {
    let status: Status
    /// What the check printed, or the compiler's messages, or what the crash said.
    let report: [String]
}

final class Checker {
    let root: URL, folder: String, exercises: [Exercise]
    let builder: Builder
    /// How long a check may run before it is stopped (an endless loop in an exercise).
    let timeLimit: TimeInterval = 300
    /// In `watch`: each check's last outcome and the modification date of the program it ran, so
    /// that a check whose program was not rebuilt is not run again (held in memory only).
    var remembered: [Int: (built: Date, outcome: Outcome)] = [:]

    init(root: URL, folder: String) {
        (self.root, self.folder) = (root, folder)
        builder = Builder(root: root, folder: folder, scratch: ".build-exercises")
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("Exercises").path)) ?? [])
            .filter { $0.hasSuffix(".swift") && $0.first?.isNumber == true }.sorted()
        exercises = names.compactMap { file in
            guard let number = Int(file.prefix(2)) else { return nil }
            let text = (try? String(contentsOf: root.appendingPathComponent("Exercises/\(file)"), encoding: .utf8)) ?? ""
            return Exercise(number: number, name: String(file.dropLast(6)), header: try? ExerciseHeader(file: file, text: text))
        }
    }

    var binaries: URL { root.appendingPathComponent(".build-exercises/debug") }

    /// The exercises that `folder` has no file for (a folder of mistakes holds only some).
    var absent: Set<Int> {
        Set(exercises.filter { !FileManager.default.fileExists(atPath: root.appendingPathComponent(file(of: $0)).path) }.map(\.number))
    }
    /// The file a learner edits (or its solution).
    func file(of exercise: Exercise) -> String { "\(folder)/\(exercise.name).swift" }

    /// Which exercise a compiler message is about: its file, or its check's (`Exercises/Checks/NN-…`).
    func exerciseNumber(of diagnostic: Diagnostic) -> Int? {
        for exercise in exercises where diagnostic.file == file(of: exercise)
            || diagnostic.file.hasPrefix("Exercises/Checks/\(exercise.name)/") { return exercise.number }
        return nil
    }

    /// Builds every check; an exercise whose file (or check) does not compile is left out and
    /// the build done again without it, until the rest builds.
    /// - Returns: the compiler's errors of each exercise that does not compile, or the whole
    ///   output of a build that failed for another reason.
    func buildAll(log: (String) -> Void) -> (broken: [Int: [Diagnostic]], failure: String?) {
        if !FileManager.default.fileExists(atPath: root.appendingPathComponent(".build-exercises").path) {
            log("Building the exercises' checks in .build-exercises (the first time also compiles the engine for them: a minute or two;")
            log("later, only what changed)...")
        }
        var broken: [Int: [Diagnostic]] = [:]
        while true {
            let outcome = builder.build(skipping: Set(broken.keys).union(absent))
            if outcome.succeeded { return (broken, nil) }
            var found: [Int: [Diagnostic]] = [:]
            for diagnostic in outcome.diagnostics where diagnostic.isError {
                guard let number = exerciseNumber(of: diagnostic) else { return (broken, outcome.output) }
                found[number, default: []].append(diagnostic)
            }
            if found.isEmpty || found.keys.contains(where: { broken[$0] != nil }) { return (broken, outcome.output) }
            broken.merge(found) { $0 + $1 }
        }
    }

    /// Builds the check of one exercise.
    func build(_ exercise: Exercise) -> (diagnostics: [Diagnostic], failure: String?) {
        let outcome = builder.build(product: exercise.product)
        if outcome.succeeded { return ([], nil) }
        let mine = outcome.diagnostics.filter { $0.isError && exerciseNumber(of: $0) == exercise.number }
        return mine.isEmpty ? ([], outcome.output) : (mine, nil)
    }

    /// Runs an exercise's check. With `streaming`, what it prints goes straight to the terminal.
    func check(_ exercise: Exercise, streaming: Bool = false) -> Outcome {
        let program = binaries.appendingPathComponent(exercise.product)
        let built = (try? FileManager.default.attributesOfItem(atPath: program.path)[.modificationDate] as? Date) ?? nil
        if !streaming, let built, let last = remembered[exercise.number], last.built == built { return last.outcome }
        let process = Process()
        process.executableURL = program
        process.currentDirectoryURL = root
        var environment = ProcessInfo.processInfo.environment
        environment["WORKBOOK_ROOT"] = root.path
        // A crash's backtrace names the line of the exercise it came from (see `crashReport`).
        environment["SWIFT_BACKTRACE"] = "enable=yes,interactive=no,color=no,threads=crashed,registers=none,images=none"
        process.environment = environment
        let scratch = FileManager.default.temporaryDirectory.appendingPathComponent("rnn-workbook-check-\(UUID().uuidString)")
        let (outFile, errFile) = (scratch.appendingPathExtension("out"), scratch.appendingPathExtension("err"))
        defer { for file in [outFile, errFile] { try? FileManager.default.removeItem(at: file) } }
        _ = FileManager.default.createFile(atPath: outFile.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errFile.path, contents: nil)
        if !streaming { process.standardOutput = FileHandle(forWritingAtPath: outFile.path) }
        process.standardError = FileHandle(forWritingAtPath: errFile.path)
        do { try process.run() } catch {
            return Outcome(status: .crashed, report: ["cannot run \(program.path): \(error)"])
        }
        let deadline = Date().addingTimeInterval(timeLimit)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        let timedOut = process.isRunning
        if timedOut { process.terminate() }
        process.waitUntilExit()
        let printed = streaming ? [] : lines(outFile)
        let errors = lines(errFile)
        let outcome: Outcome
        if timedOut {
            outcome = Outcome(status: .timedOut, report: printed + ["✗ the check did not finish within \(Int(timeLimit)) s: "
                                                                    + "is there a loop in your code that never ends?"])
        } else if process.terminationReason == .uncaughtSignal {
            outcome = Outcome(status: .crashed, report: printed + crashReport(errors))
        } else {
            outcome = Outcome(status: process.terminationStatus == 0 ? .done : .notDone, report: printed + errors)
        }
        if let built { remembered[exercise.number] = (built, outcome) }
        return outcome
    }

    /// What a crash's standard error says, cut to what the learner can act on: the runtime's message
    /// (`Precondition failed: matmul: 2 × 3 · 4 × 3 do not fit`) and the line of the exercise where it
    /// happened, from the backtrace.
    func crashReport(_ errors: [String]) -> [String] {
        let message = errors.prefix { !$0.hasPrefix("***") && !$0.hasPrefix("Current stack trace") }
        var report = ["✗ the check crashed" + (message.isEmpty ? "" : ":")] + message.map { "  " + $0 }
        let frame = try? NSRegularExpression(pattern: #"^\s*\d+ .* (\S+) \+ \d+ in \S+ at (/\S+/(Exercises|Solutions)/(\d\d-[^/]+\.swift):\d+:\d+)"#)
        for line in errors {
            guard let match = frame?.firstMatch(in: line, range: NSRange(line.startIndex..., in: line)),
                  let place = Range(match.range(at: 2), in: line) else { continue }
            var path = String(line[place])
            if path.hasPrefix(root.path + "/") { path.removeFirst(root.path.count + 1) }
            let function = line.range(of: #"0x[0-9a-f]+ (.+?) \+ \d+ in "#, options: .regularExpression)
                .map { String(line[$0]).split(separator: " ", maxSplits: 1).last.map { String($0.split(separator: "(").first ?? "") } ?? "" } ?? ""
            report.append("  in your code at \(path)" + (function.isEmpty ? "" : " (\(function))"))
            break
        }
        return report
    }

    func lines(_ file: URL) -> [String] {
        let text = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init).filter { !$0.isEmpty }
    }

    /// The compiler's errors as the report shows them.
    func report(_ diagnostics: [Diagnostic]) -> [String] {
        var lines = ["✗ the compiler stops at \(diagnostics.count == 1 ? "this error" : "these errors"):"]
        for d in diagnostics { lines += d.lines.map { "  " + $0 } }
        if diagnostics.contains(where: { $0.file.hasPrefix("Exercises/Checks/") }) {
            lines.append("  (in the exercise's check, which calls your function: keep its name, parameters and result as the exercise gives them)")
        }
        return lines
    }

    /// Every exercise's status, in order (building first), and what to say about each.
    func checkAll(log: (String) -> Void, onEach: (Exercise, Outcome) -> Void) -> [Int: Outcome]? {
        let (broken, failure) = buildAll(log: log)
        if let failure {
            log("The exercises could not be built, for a reason outside any exercise's file:")
            log(failure)
            return nil
        }
        var outcomes: [Int: Outcome] = [:]
        let absent = absent
        for exercise in exercises where !absent.contains(exercise.number) {
            let outcome = broken[exercise.number].map { Outcome(status: .doesNotCompile, report: report($0)) } ?? check(exercise)
            outcomes[exercise.number] = outcome
            onEach(exercise, outcome)
        }
        return outcomes
    }

    /// The list line of an exercise.
    func line(_ exercise: Exercise, _ status: Status) -> String {
        let mark = status == .done ? "✓" : "✗"
        return "  \(mark) \(exercise.label)  " + status.word.padding(toLength: 18, withPad: " ", startingAt: 0)
            + exercise.title
    }

    /// `swift run Exercises`: the list, then what is wrong with the first exercise not done.
    /// - Returns: the statuses, or nil when nothing could be built.
    @discardableResult
    /// - Parameter focus: exercises just saved (`watch`): the first of them not done is the one shown.
    func overview(showFirstProblem: Bool = true, focus: Set<Int> = []) -> [Int: Status]? {
        say("The RNN workbook's exercises (\(folder)/), checked against PyTorch's numbers, finite differences and the workbook's autodiff:")
        var statuses: [Int: Status] = [:], first: (Exercise, Outcome)?, uncompiled: [(Exercise, Outcome)] = []
        let outcomes = checkAll(log: { say($0) }) { exercise, outcome in
            say(line(exercise, outcome.status))
            statuses[exercise.number] = outcome.status
            if outcome.status == .doesNotCompile { uncompiled.append((exercise, outcome)) }
            if outcome.status != .done,
               first.map({ focus.contains(exercise.number) && !focus.contains($0.0.number) }) ?? true {
                first = (exercise, outcome)
            }
        }
        uncompiled.removeAll { $0.0.number == first?.0.number }
        guard outcomes != nil else { return nil }
        let done = statuses.values.filter { $0 == .done }.count
        say("\(done) of \(exercises.count) done.")
        if showFirstProblem, let (exercise, outcome) = first {
            say("")
            say("Exercise \(exercise.label), \(file(of: exercise)): \(outcome.status.word)")
            if let header = exercise.header {
                say("(\(header.displayTitle); page: docs/\(header.page)#\(header.anchor))")
            }
            for line in outcome.report { say("  " + line) }
            for (other, outcome) in uncompiled {
                say("")
                say("Exercise \(other.label), \(file(of: other)): does not compile (the others were built without it)")
                for line in outcome.report.dropFirst().prefix(1) { say("  " + line.trimmingCharacters(in: .whitespaces)) }
            }
            say("")
            say("Next: edit \(file(of: exercise)), then `swift run Exercises \(exercise.number)` to check it alone, "
                  + "`swift run Exercises hint \(exercise.number)` for a hint, or `swift run Exercises watch` to check on every save.")
        } else if done == exercises.count {
            say("Every exercise is done.")
        }
        return statuses
    }

    /// `swift run Exercises N`: builds and runs one check, showing everything it prints.
    /// - Returns: whether the exercise is done.
    func checkOne(_ exercise: Exercise) -> Bool {
        say("Exercise \(exercise.label) — \(exercise.title)")
        say("\(file(of: exercise))" + (exercise.header.map { "; page: docs/\($0.page)#\($0.anchor)" } ?? ""))
        let (diagnostics, failure) = build(exercise)
        if let failure {
            say("The check could not be built, for a reason outside the exercise's file:")
            say(failure)
            return false
        }
        let outcome = diagnostics.isEmpty ? check(exercise, streaming: true) : Outcome(status: .doesNotCompile, report: report(diagnostics))
        for line in outcome.report { say(line) }
        say(outcome.status == .done ? "Exercise \(exercise.label) is done."
              : "Exercise \(exercise.label): \(outcome.status.word). `swift run Exercises hint \(exercise.number)` prints a hint.")
        return outcome.status == .done
    }
}
