// The chapters' --json results equal PyTorch's fixtures for seeds 0 and 1.

import Foundation
import Testing

/// Runs a chapter with `--json` and returns the parsed object.
func chapterJSON(_ chapter: String, _ arguments: [String]) throws -> [String: Any] {
    let folder = try temporaryFolder()
    defer { try? FileManager.default.removeItem(at: folder) }
    let run = try runChapter(chapter, ChapterTests.arguments(arguments + ["--json", "--no-render"], takenBy: chapter),
                             in: folder)
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

/// Chapter07-Beyond at full length takes about half a minute: `.ci/run` sets FULL_CHAPTER_RUNS.
let fullChapterRuns = ProcessInfo.processInfo.environment["FULL_CHAPTER_RUNS"] != nil

@Suite("Chapter07-Beyond reaches its goals", .serialized)
struct BeyondGoalTests {
    @Test("--json holds every table: five seeds per ablation row, both models per study row")
    func shape() throws {
        let json = try chapterJSON("Chapter07-Beyond", ["--epochs", "2"])
        for row in ["notebook", "loss_fixed", "inputs_scaled", "xavier", "adam"] {
            #expect(numbers(lookup(json, ["ablation", row, "test_accuracy"]))?.count == 5, "\(row)")
        }
        #expect(numbers(lookup(json, ["standard_bidirectional", "test_accuracy"]))?.count == 5)
        for row in ["points_200", "early_stopping", "hidden_2", "weight_decay", "points_1000", "points_2000", "points_4000"] {
            for model in ["concise", "corrected DRNN"] {
                #expect(lookup(json, ["closing_the_gap", row, model, "fresh"]) as? Double != nil, "\(row) \(model)")
            }
        }
    }

    @Test("With the four fixes: 100% at seed 0, at least 99.5% on seeds 0-4; with 4000 points, both deep RNNs within 5% of 113.7",
          .enabled(if: fullChapterRuns))
    func goals() throws {
        let json = try chapterJSON("Chapter07-Beyond", [])
        let accuracies = try #require(numbers(lookup(json, ["ablation", "adam", "test_accuracy"])))
        #expect(accuracies.first == 1)
        #expect(accuracies.allSatisfy { $0 >= 0.995 }, "\(accuracies)")
        let notebook = try #require(numbers(lookup(json, ["ablation", "notebook", "test_accuracy"])))
        #expect(notebook.allSatisfy { $0 < 0.8 }, "the notebook's training should stay near the base rate: \(notebook)")
        let terms: [Double] = (1...19).map { k in 1 + 1 / Double(k + 1) }
        let optimum: Double = 100 * terms.reduce(0, +) / 19           // 113.7
        for model in ["concise", "corrected DRNN"] {
            let fresh = try #require(lookup(json, ["closing_the_gap", "points_4000", model, "fresh"]) as? Double)
            #expect(fresh < 1.05 * optimum, "\(model): \(fresh) against \(optimum)")
            let memorised = try #require(lookup(json, ["closing_the_gap", "points_200", model, "fresh"]) as? Double)
            #expect(memorised > 1.2 * optimum, "\(model) on 200 points: \(memorised)")
        }
    }
}

@Suite("Chapter04's backpropagation table is the run's own model", .serialized)
struct BackpropagationTableTests {
    @Test("At the full window, the table's |dL/dW_hh| is the gradient of the model clipped above, as the notebook writes it and corrected",
          arguments: [false, true])
    func tableFromTheRunsModel(corrected: Bool) throws {
        let json = try chapterJSON("Chapter04-Clipping", corrected ? ["--corrected"] : [])
        let lengths = try #require(numbers(lookup(json, ["deep_rnn", "bptt", "window_lengths"])))
        let norms = try #require(numbers(lookup(json, ["deep_rnn", "bptt", "grad_norms"])))
        let initial = try #require(lookup(json, ["deep_rnn", "scratch_initial_grad_norms"]) as? [String: Any])
        // The last layer's W_hh, `l1.W_hh`.
        let name = try #require(initial.keys.filter { $0.hasSuffix("W_hh") }.sorted().last)
        let clipped = try #require(numbers(initial[name])?.first)
        #expect(lengths.last == 19)
        let last = try #require(norms.last)
        #expect(abs(last - clipped) <= 1e-5 * max(abs(last), abs(clipped)),
                "the table ends at \(last), the model above has |dL/d\(name)| = \(clipped)")
    }
}
