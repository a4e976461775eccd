// `swift run Exercises`: checks the exercises in Exercises/ and says where each stands.
//
//     swift run Exercises                 every exercise, done or not, and what is wrong with the first not done
//     swift run Exercises 3               exercise 3 alone, with everything its check prints
//     swift run Exercises hint 3          a hint for exercise 3
//     swift run Exercises watch           checks again each time a file in Exercises/ is saved
//     swift run Exercises --all --expect pass|fail [--solutions]
//                                         CI: exits 1 unless every exercise passes (or, as given, fails)
//     --solutions                         checks Solutions/ (the reference solutions) instead of Exercises/
//     --mistakes                          CI: exits 1 unless every mistake in Solutions/Mistakes/ fails its check
//
// The checks are built in .build-exercises, apart from the package's .build: see Package.swift.

import Foundation
import PageGenerator
import StandardStreams

let usage = """
    usage: swift run Exercises [N | hint N | watch | --all --expect pass|fail | --mistakes] [--solutions]
      (none)        every exercise, done or not, and what is wrong with the first that is not done
      N             exercise N alone (1, 01 or its name), with everything its check prints
      hint N        a hint for exercise N
      watch         checks again each time a file in Exercises/ is saved (Ctrl-C stops)
      --all --expect pass|fail
                    checks every exercise; exits 1 unless all pass (or all fail, as the exercises are given)
      --solutions   checks the reference solutions in Solutions/ instead of Exercises/
      --mistakes    checks that every common mistake in Solutions/Mistakes/ fails its check (CI)
    """

func fail(_ message: String, status: Int32 = 64) -> Never {
    StandardError.write("error: \(message)\n")
    exit(status)
}

var arguments = Array(CommandLine.arguments.dropFirst())
if arguments.contains("--help") || arguments.contains("-h") { say(usage); exit(0) }
let solutions = arguments.contains("--solutions")
arguments.removeAll { $0 == "--solutions" }
/// `--mistakes`: every folder of Solutions/Mistakes holds solutions with one common mistake each.
let mistakes = arguments == ["--mistakes"]

let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
guard FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path),
      FileManager.default.fileExists(atPath: root.appendingPathComponent("Exercises").path) else {
    fail("run the checker from the package's folder (where Package.swift and Exercises/ are)", status: 66)
}
if mistakes { exit(checkMistakes(root: root) ? 0 : 1) }
let checker = Checker(root: root, folder: solutions ? "Solutions" : "Exercises")
if checker.exercises.isEmpty { fail("no exercises in Exercises/ (files named NN-Name.swift)", status: 66) }

/// The exercise an argument names: `3`, `03`, `03-StepBackward` or `StepBackward`.
func exercise(named argument: String, in checker: Checker) -> Exercise {
    let found = checker.exercises.first { e in
        Int(argument) == e.number || argument == e.name || argument == e.name.dropFirst(3)
            || argument == e.name + ".swift" || argument.hasSuffix("/" + e.name + ".swift")
    }
    guard let found else {
        fail("there is no exercise \(argument); the exercises are 1 to \(checker.exercises.count) (`swift run Exercises` lists them)")
    }
    return found
}

switch arguments.first {
case nil:
    checker.overview()
case "hint":
    guard arguments.count == 2 else { fail("hint needs the exercise's number: swift run Exercises hint 3") }
    let e = exercise(named: arguments[1], in: checker)
    let path = root.appendingPathComponent("Exercises/Checks/\(e.name)/Hint.md")
    guard let hint = try? String(contentsOf: path, encoding: .utf8) else { fail("exercise \(e.label) has no hint", status: 66) }
    say("Hint for exercise \(e.label) — \(e.title) (Exercises/\(e.name).swift):\n")
    say(hint.trimmingCharacters(in: .whitespacesAndNewlines))
case "watch":
    guard arguments.count == 1 else { fail("watch takes no argument") }
    watch(checker)
case "--all":
    guard arguments.count == 3, arguments[1] == "--expect", ["pass", "fail"].contains(arguments[2]) else {
        fail("--all needs --expect pass or --expect fail")
    }
    let expected: Status = arguments[2] == "pass" ? .done : .notDone
    let started = Date()
    guard let statuses = checker.overview(showFirstProblem: expected == .done) else { exit(1) }
    let unexpected = checker.exercises.filter { statuses[$0.number] != expected }
    let seconds = String(format: "%.1f", Date().timeIntervalSince(started))
    if unexpected.isEmpty {
        say("As expected, every exercise of \(checker.folder)/ \(expected == .done ? "passes its check" : "fails its check, and none crashes or fails to compile") (\(seconds) s).")
    } else {
        for e in unexpected { say("unexpected: exercise \(e.label) \(statuses[e.number]?.word ?? "was not checked"), expected \(expected.word)") }
        exit(1)
    }
default:
    guard arguments.count == 1 else { fail("one exercise at a time: swift run Exercises 3\n\(usage)") }
    if arguments[0].hasPrefix("-") { fail("unknown option \(arguments[0])\n\(usage)") }
    exit(checker.checkOne(exercise(named: arguments[0], in: checker)) ? 0 : 1)
}
