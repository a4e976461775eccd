// Checks exercise 01 against the notebook's own sequencesPreparation run by PyTorch
// (Exercises/Fixtures/01-SequencesPreparation.json) and the workbook's slidingWindows.

import CheckSupport
import Exercise01
import Workbook

runChecks {
    let fixture = try Fixture("01-SequencesPreparation")
    for c in fixture.cases {
        let (series, length) = (c.numbers("series"), c.integer("length"))
        let (inputs, targets) = sequencesPreparation(series, length: length)
        let expected = (inputs: c.array(["inputs"]), targets: c.array(["targets"]))
        let windows = series.count - length
        for (name, got, want) in [("inputs", inputs, expected.inputs), ("targets", targets, expected.targets)] {
            try require(got.count == windows,
                        "\(name) for \(c.name): \(got.count) windows; a series of \(series.count) values has "
                        + "\(series.count) − \(length) = \(windows) windows of \(length) (PyTorch: sequencesPreparation)")
            if let i = got.firstIndex(where: { $0.count != length }) {
                throw CheckFailure("\(name)[\(i)] for \(c.name) holds \(got[i].count) values; every window holds \(length)")
            }
            try expectClose(got.flatMap { $0 }, want.values, shape: want.shape, "\(name) for \(c.name) (series \(series))",
                            against: "PyTorch: the notebook's sequencesPreparation", tolerance: 0)
        }
        passed("\(c.name): \(windows) window\(windows == 1 ? "" : "s") and \(windows == 1 ? "its target" : "their targets"), as the notebook's sequencesPreparation")
        let engine = slidingWindows(of: Tensor(series), length: length)
        try expectClose(targets.flatMap { $0 }, engine.targets.values, shape: engine.targets.shape,
                        "targets for \(c.name)", against: "the workbook's slidingWindows(of:length:)", tolerance: 0)
    }
    passed("the same windows as the workbook's slidingWindows(of:length:)")
}
