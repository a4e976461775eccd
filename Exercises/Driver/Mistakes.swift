// `swift run Exercises --mistakes`: a check that a wrong answer could pass is a defect. Each folder
// of Solutions/Mistakes holds a reference solution or two with one common mistake made in them (a
// transposed weight, a missing bias gradient, states not reversed, …), named by the folder; every
// one must fail its check, and the check should say what is wrong.

import Foundation

/// Checks every folder of mistakes; true when every mistake fails its check.
func checkMistakes(root: URL) -> Bool {
    let folder = root.appendingPathComponent("Solutions/Mistakes")
    let names = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted()
        .filter { (try? FileManager.default.contentsOfDirectory(atPath: folder.appendingPathComponent($0).path)) != nil }
    guard !names.isEmpty else { say("no mistakes in Solutions/Mistakes/"); return false }
    var caught = 0, missed: [String] = []
    for name in names {
        let checker = Checker(root: root, folder: "Solutions/Mistakes/\(name)")
        guard let outcomes = checker.checkAll(log: { say($0) }, onEach: { _, _ in }) else { return false }
        for exercise in checker.exercises {
            guard let outcome = outcomes[exercise.number] else { continue }
            let failure = outcome.report.first { $0.hasPrefix("✗") } ?? outcome.status.word
            if outcome.status == .notDone {
                caught += 1
                say("caught  \(name) in exercise \(exercise.label):")
                for line in outcome.report.drop(while: { !$0.hasPrefix("✗") }) { say("          " + line) }
            } else {
                missed.append("\(name) in exercise \(exercise.label): \(outcome.status.word) (\(failure))")
            }
        }
    }
    for m in missed { say("MISSED  " + m) }
    say("\(caught) of \(caught + missed.count) mistakes fail their checks.")
    return missed.isEmpty && caught > 0
}
