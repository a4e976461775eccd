// Micro-benchmarks of the Workbook engine: one training epoch of each notebook model, and the
// matrix product in GFLOP/s. Not a test: run it in both configurations and compare.
//
//     swift run -c release Benchmarks
//     swift run Benchmarks            (debug: the Workbook library is still optimised)

import Foundation
import Workbook

/// Runs `body` after `warmUp` runs, `repetitions` times; returns the median and the spread (min, max), in seconds.
func measure(warmUp: Int = 3, repetitions: Int, _ body: () -> Void) -> (median: Double, min: Double, max: Double) {
    for _ in 0..<warmUp { body() }
    let clock = ContinuousClock()
    var times: [Double] = []
    for _ in 0..<repetitions {
        let elapsed = clock.measure(body)
        times.append(Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18)
    }
    times.sort()
    return (times[times.count / 2], times[0], times[times.count - 1])
}

#if DEBUG
let configuration = "debug"
#else
let configuration = "release"
#endif

/// `Benchmarks bidirectional` runs only the workloads whose name contains the word (for profiling).
let only = CommandLine.arguments.dropFirst().first
func selected(_ name: String) -> Bool { only.map { name.contains($0) } ?? true }

var rows: [(name: String, median: Double, min: Double, max: Double, extra: String)] = []

// The matrix product of the bidirectional model's recurrent step: (3750, 32) · (32, 32).
if selected("matmul") {
    var g = TorchGenerator(seed: 0)
    let a = Tensor.randn([3750, 32], using: &g), b = Tensor.randn([32, 32], using: &g)
    let flops = 2.0 * 3750 * 32 * 32
    let t = measure(warmUp: 20, repetitions: 400) { _ = a.matmul(b) }
    rows.append(("matmul 3750×32 · 32×32", t.median, t.min, t.max, String(format: "%.1f GFLOP/s", flops / t.median / 1e9)))
}

// The deep RNN from scratch: batch 180, 19 steps, DRNN(2, 1, 8, 1), the notebook's epoch
// (loss, backward, clipping, SGD step, then the printed loss on the same batch).
if selected("deep") {
    var g = TorchGenerator(seed: 0)
    let line = NoisyLine(using: &g)
    let drnn = DRNN(numLayers: 2, inputSize: 1, hiddenSize: 8, outputSize: 1, using: &g)
    let (inputs, targets) = slidingWindows(of: line.differences, length: 19)
    let (x, y) = (timeMajorInputs(inputs), timeMajorTargets(targets))
    let optimizer = SGD(drnn.parameters, learningRate: 1e-4)
    let t = measure(repetitions: 200) {
        sequenceLoss(drnn(x), y).backward()
        clipGradientsPerParameter(drnn.parameters)
        optimizer.step()
        optimizer.zeroGrad()
        _ = sequenceLoss(drnn(x), y).item
    }
    rows.append(("deep RNN from scratch, epoch", t.median, t.min, t.max, ""))

    var g2 = TorchGenerator(seed: 0)
    let concise = ConciseDRNN(inputSize: 1, hiddenSize: 8, outputSize: 1, numLayers: 2, using: &g2)
    let conciseOptimizer = SGD(concise.parameters, learningRate: 0.03)
    let tc = measure(repetitions: 200) {
        sequenceLoss(concise(x), y).backward()
        conciseOptimizer.step()
        conciseOptimizer.zeroGrad()
        _ = sequenceLoss(concise(x), y).item
    }
    rows.append(("deep RNN concise (nn.RNN), epoch", tc.median, tc.min, tc.max, ""))
}

// The bidirectional model: 3750 training rows, BRNN(1, 32, 1), both losses.
for notebookLoss in [true, false] where selected("bidirectional") {
    var g = TorchGenerator(seed: 0)
    let task = DigitTask(rows: 5000, using: &g)
    let brnn = BRNN(inputSize: 1, hiddenSize: 32, outputSize: 1, using: &g)
    let train = task.digits.narrowed(along: 0, to: 0..<3750), labels = task.labels.narrowed(along: 0, to: 0..<3750)
    let forward = timeMajorInputs(train.narrowed(along: 1, to: 0..<3))
    let backward = timeMajorInputs(train.narrowed(along: 1, to: 3..<6), flipped: true)
    func loss() -> Tensor {
        let yHat = brnn(forward, backward)
        return notebookLoss ? broadcastMeanSquaredError(yHat, labels) : meanSquaredError(yHat.flattened(), labels)
    }
    let optimizer = SGD(brnn.parameters, learningRate: 0.01)
    let t = measure(repetitions: 100) {
        loss().backward()
        clipGradientsPerParameter(brnn.parameters)
        optimizer.step()
        optimizer.zeroGrad()
        _ = loss().item
    }
    rows.append(("bidirectional, \(notebookLoss ? "notebook N×N loss" : "fixed loss"), epoch", t.median, t.min, t.max, ""))
}

print("Workbook benchmarks (\(configuration) build; median of repetitions, min–max in brackets)")
for row in rows {
    let name = row.name.padding(toLength: 46, withPad: " ", startingAt: 0)
    print(String(format: "%@ %9.3f ms  [%.3f–%.3f]  %@", name, row.median * 1e3, row.min * 1e3, row.max * 1e3, row.extra))
}
let json = rows.map { String(format: "{\"name\":\"%@\",\"median_ms\":%.4f,\"min_ms\":%.4f,\"max_ms\":%.4f}", $0.name, $0.median * 1e3, $0.min * 1e3, $0.max * 1e3) }
print("{\"configuration\":\"\(configuration)\",\"results\":[\(json.joined(separator: ","))]}")
