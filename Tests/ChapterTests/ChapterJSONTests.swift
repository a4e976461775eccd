// The chapters' --json results equal PyTorch's fixtures for seeds 0 and 1.

import Foundation
import Testing

/// Runs a chapter with `--json` and returns the parsed object.
func chapterJSON(_ chapter: String, _ arguments: [String]) throws -> [String: Any] {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try runChapter(chapter, arguments + ["--json", "--no-render"], in: folder)
    #expect(run.status == 0, "\(chapter) failed: \(run.standardError)")
    return try #require(JSONSerialization.jsonObject(with: Data(run.standardOutput.utf8)) as? [String: Any])
}

/// The PyTorch fixture of a seed (a copy of the Workbook tests' fixture).
func fixture(_ seed: Int) throws -> [String: Any] {
    let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("WorkbookTests/Fixtures/torch-seed-\(seed).json")
    return try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
}

func lookup(_ object: Any?, _ path: [String]) -> Any? {
    path.reduce(object) { ($0 as? [String: Any])?[$1] }
}

/// Flattens numbers, arrays of numbers and `{"shape", "values"}` objects to one list.
func numbers(_ value: Any?) -> [Double]? {
    if let x = value as? Double { return [x] }
    if let m = value as? [String: Any], let v = m["values"] { return numbers(v) }
    if let a = value as? [Any] {
        var out: [Double] = []
        for item in a { guard let n = numbers(item) else { return nil }; out += n }
        return out
    }
    return nil
}

func expectSame(_ actual: Any?, _ expected: Any?, relativeTolerance: Double = 1e-5, _ what: String) {
    guard let a = numbers(actual), let e = numbers(expected) else {
        Issue.record("\(what): missing (\(actual == nil ? "chapter" : "fixture"))")
        return
    }
    #expect(a.count == e.count, "\(what): \(a.count) values, PyTorch has \(e.count)")
    let scale = (e.reduce(0) { $0 + $1 * $1 } / Double(max(e.count, 1))).squareRoot()
    for (i, (x, y)) in zip(a, e).enumerated() where abs(x - y) > relativeTolerance * max(abs(x), abs(y), scale) {
        Issue.record("\(what)[\(i)] = \(x), PyTorch has \(y)")
        return
    }
}

@Suite("Chapters' --json equals PyTorch", .serialized)
struct ChapterJSONTests {
    @Test("Data, weights and initial losses", arguments: [0, 1])
    func dataAndWeights(seed: Int) throws {
        let torch = try fixture(seed)
        let data = try chapterJSON("Chapter00-Data", ["--seed", "\(seed)"])
        for key in ["data", "data_trans"] { expectSame(lookup(data, ["deep_rnn", key]), lookup(torch, ["deep_rnn", key]), key) }
        for key in ["digits_first_rows", "digits_column_sums", "label_count", "labels_first_40"] {
            expectSame(lookup(data, ["bidirectional_rnn", key]), lookup(torch, ["bidirectional_rnn", key]), key)
        }
        let model = try chapterJSON("Chapter02-Model", ["--seed", "\(seed)"])
        for group in ["scratch_init", "concise_init"] {
            let names = try #require(lookup(torch, ["deep_rnn", group]) as? [String: Any]).keys
            for name in names { expectSame(lookup(model, ["deep_rnn", group, name]), lookup(torch, ["deep_rnn", group, name]), "\(group).\(name)") }
        }
        let brnnNames = try #require(lookup(torch, ["bidirectional_rnn", "init"]) as? [String: Any]).keys
        for name in brnnNames {
            expectSame(lookup(model, ["bidirectional_rnn", "init", name]), lookup(torch, ["bidirectional_rnn", "init", name]), "init.\(name)")
        }
        let loss = try chapterJSON("Chapter03-Loss", ["--seed", "\(seed)"])
        expectSame(lookup(loss, ["deep_rnn", "scratch_initial_loss"]), lookup(torch, ["deep_rnn", "scratch_initial_loss"]), "scratch_initial_loss")
        expectSame(lookup(loss, ["deep_rnn", "concise_initial_loss"]), (lookup(torch, ["deep_rnn", "concise_losses_lr0.03"]) as? [Any])?.first, "concise initial loss")
        for key in ["seed_loss", "fixed_loss"] {
            expectSame(lookup(loss, ["bidirectional_rnn", "losses", key, "initial"]), lookup(torch, ["bidirectional_rnn", "losses", key, "initial"]), "\(key).initial")
        }
    }

    @Test("The first epochs of every training run", arguments: [0, 1])
    func training(seed: Int) throws {
        let torch = try fixture(seed)
        let run = try chapterJSON("Chapter05-Training", ["--seed", "\(seed)", "--epochs", "5"])
        expectSame(lookup(run, ["deep_rnn", "scratch_losses"]), lookup(torch, ["deep_rnn", "scratch_epoch_losses_lr1e-4_clip1"]),
                   relativeTolerance: 1e-4, "from-scratch losses")
        let concise = try #require(lookup(torch, ["deep_rnn", "concise_losses_lr0.03"]) as? [Double])
        expectSame((lookup(run, ["deep_rnn", "concise_losses"]) as? [Any])?.first, Array(concise.dropFirst()),
                   relativeTolerance: 1e-4, "concise losses at lr 0.03")
        let brnn = (lookup(run, ["bidirectional_rnn", "losses_per_epoch"]) as? [Any])?.first as? [Any]
        expectSame(brnn.map { Array($0.prefix(3)) }, lookup(torch, ["bidirectional_rnn", "losses", "seed_loss", "after_updates_lr0.1_clip1"]),
                   relativeTolerance: 1e-4, "bidirectional losses")
    }
}
