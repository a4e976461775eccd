// Benchmarks of the Workbook engine: one training epoch of each notebook workload, and the matrix
// products in GFLOP/s, each against the machine's arithmetic limit. Not a test: run it on its own.
//
//     swift run -c release Benchmarks              a table, then one line of JSON
//     swift run -c release Benchmarks --json       only the JSON (bench/compare.sh reads it)
//     swift run -c release Benchmarks deep         only the workloads whose key contains "deep"
//     swift run -c release Benchmarks --threads 1  everything on one thread (default: large operations on two)
//     swift run Benchmarks                         debug build (the Workbook library is still -O)
//
// An epoch is what the notebooks' loops do per epoch on the whole training set (one batch):
// forward, loss, backward, per-parameter clipping (not for the concise model, as in the notebook),
// SGD step, then the printed loss on the first batch, computed again without a graph (as the
// training loops do). `deep_forward` times that forward pass alone: what a graph-free pass costs.

import Foundation
import Kernels
import Workbook

/// float32 multiply-adds one core can do per second: 2 AVX2 FMA units × 8 lanes × 2 FLOP × clock.
/// 87 GFLOP/s was measured on the Zen 3 machine BENCHMARKS.md describes; pass `--peak G` for another
/// (a processor with AVX-512, whose wide tiles CWideProduct runs, can do twice as many a cycle).
var peak = 87.0

/// Runs `body` `warmUp` times, then times `repetitions` runs; the median and the spread, in seconds.
func measure(warmUp: Int, repetitions: Int, _ body: () -> Void) -> (median: Double, min: Double, max: Double) {
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

var arguments = Array(CommandLine.arguments.dropFirst())
let jsonOnly = arguments.contains("--json")
arguments.removeAll { $0 == "--json" }
/// The value after `option`, removed from the arguments with it; nil when the option is absent.
/// A missing or unreadable value stops the program with one line and exit status 64.
@MainActor func optionValue<T>(_ option: String, _ parse: (String) -> T?, _ expected: String) -> T? {
    guard let i = arguments.firstIndex(of: option) else { return nil }
    guard i + 1 < arguments.count, let value = parse(arguments[i + 1]) else {
        FileHandle.standardError.write(Data("error: \(option) needs \(expected), for example \(option) \(option == "--peak" ? "87" : "1")\n".utf8))
        exit(64)
    }
    arguments.removeSubrange(i...(i + 1))
    return value
}
if let value = optionValue("--peak", { Double($0).flatMap { $0 > 0 && $0.isFinite ? $0 : nil } }, "a positive number of GFLOP/s") {
    peak = value
}
if let value = optionValue("--threads", { Int($0).flatMap { $0 >= 1 ? $0 : nil } }, "a thread count of 1 or more") {
    Threads.count = value   // 1: everything on the calling thread; 2 (the default): large operations in parts
}
let only = arguments.first
func selected(_ key: String) -> Bool { only.map { key.contains($0) } ?? true }

/// One measured row: `flops` is the floating-point work of the products it runs (multiply-add = 2).
struct Row {
    let key: String, name: String
    let median: Double, min: Double, max: Double
    let flops: Double
    var gflops: Double { flops / median / 1e9 }
}
var rows: [Row] = []

// The matrix products: the bidirectional model's recurrent step (3750, 32) · (32, 32), and the
// deep RNN's (180, 8) · (8, 8), through the public `matmul` (result allocation included).
for (key, m, k, n, reps) in [("matmul_3750x32x32", 3750, 32, 32, 400), ("matmul_180x8x8", 180, 8, 8, 4000)] where selected(key) {
    var g = TorchGenerator(seed: 0)
    let a = Tensor.randn([m, k], using: &g), b = Tensor.randn([k, n], using: &g)
    let t = measure(warmUp: 50, repetitions: reps) { _ = a.matmul(b) }
    rows.append(Row(key: key, name: "matmul \(m)×\(k) · \(k)×\(n)", median: t.median, min: t.min, max: t.max,
                    flops: 2.0 * Double(m * k * n)))
}

// The bidirectional model's weight gradient, (3750, 32)ᵀ · (3750, 32) → (32, 32), as its backward
// pass runs it: the kernel on buffers, Aᵀ read through strides, added to the gradient.
if selected("matmul_grad") {
    let (rowsX, width) = (3750, 32)
    let (x, g, grad) = (Floats.allocate(rowsX * width), Floats.allocate(rowsX * width), Floats.allocate(width * width))
    x.update(from: KernelValues.sample(rowsX * width)); g.update(from: KernelValues.sample(rowsX * width))
    grad.fill(with: 0, count: width * width)
    let t = measure(warmUp: 50, repetitions: 400) {
        gemm(m: width, n: width, k: rowsX, a: x, rowStride: 1, columnStride: width, b: g, c: grad, accumulate: true)
    }
    rows.append(Row(key: "matmul_grad", name: "matmul (3750×32)ᵀ · 3750×32", median: t.median, min: t.min, max: t.max,
                    flops: 2.0 * Double(rowsX * width * width)))
}

/// Values in [−1, 1) for the kernel's operands (their values do not change its time).
enum KernelValues {
    static func sample(_ count: Int) -> [Float] { (0..<count).map { Float(($0 * 7919) % 2000) / 1000 - 1 } }
}

/// The products of one epoch: two forward passes (training and the printed loss) and a backward
/// pass, which costs two forward passes (dA and dB for every product).
func epochFlops(forward: Double) -> Double { 4 * forward }

// The deep RNN notebook: 180 windows of 19 steps in one batch, hidden size 8, two layers.
let (steps, batch, hidden) = (19.0, 180.0, 8.0)
let deepForward = steps * 2 * batch * (1 * hidden + hidden * hidden + hidden * 1)   // inputs and output
    + (steps - 1) * 2 * batch * hidden * hidden * 2                                 // recurrent, two layers
if selected("deep_scratch") || selected("deep_concise") || selected("deep_forward") {
    var g = TorchGenerator(seed: 0)
    let line = NoisyLine(using: &g)
    let (inputs, targets) = slidingWindows(of: line.differences, length: 19)
    let (x, y) = (timeMajorInputs(inputs), timeMajorTargets(targets))
    func epoch(_ model: some SequenceModel, _ optimizer: SGD, clipping: Bool) -> () -> Void {
        {
            sequenceLoss(model(x), y).backward()
            if clipping { clipGradientsPerParameter(model.parameters) }
            optimizer.step()
            optimizer.zeroGrad()
            // The printed loss, without a graph, as trainDeepRNN computes it (Training.swift).
            _ = Tensor.withoutGradients { sequenceLoss(model(x), y).item }
        }
    }
    if selected("deep_forward") {
        var weights = TorchGenerator(seed: 0)   // its own weights: their values do not change the time
        let drnn = DRNN(numLayers: 2, inputSize: 1, hiddenSize: 8, outputSize: 1, using: &weights)
        let t = measure(warmUp: 20, repetitions: 500) { _ = Tensor.withoutGradients { sequenceLoss(drnn(x), y).item } }
        rows.append(Row(key: "deep_forward", name: "deep RNN forward, no graph", median: t.median, min: t.min, max: t.max,
                        flops: deepForward))
    }
    if selected("deep_scratch") {
        let drnn = DRNN(numLayers: 2, inputSize: 1, hiddenSize: 8, outputSize: 1, using: &g)
        let t = measure(warmUp: 20, repetitions: 500, epoch(drnn, SGD(drnn.parameters, learningRate: 1e-4), clipping: true))
        rows.append(Row(key: "deep_scratch", name: "deep RNN from scratch, epoch", median: t.median, min: t.min, max: t.max,
                        flops: epochFlops(forward: deepForward)))
    }
    if selected("deep_concise") {
        let concise = ConciseDRNN(inputSize: 1, hiddenSize: 8, outputSize: 1, numLayers: 2, using: &g)
        let t = measure(warmUp: 20, repetitions: 500, epoch(concise, SGD(concise.parameters, learningRate: 0.03), clipping: false))
        rows.append(Row(key: "deep_concise", name: "deep RNN concise (nn.RNN), epoch", median: t.median, min: t.min, max: t.max,
                        flops: epochFlops(forward: deepForward)))
    }
}

// The bidirectional notebook: 3750 training rows, BRNN(1, 32, 1), 3 steps per direction.
let rowsN = 3750.0, width = 32.0
let brnnForward = 2 * (3 * 2 * rowsN * width + 2 * 2 * rowsN * width * width + 2 * rowsN * width)
for loss in [BidirectionalLoss.notebook, .fixed] {
    let key = loss == .notebook ? "brnn_notebook_loss" : "brnn_fixed_loss"
    guard selected(key) else { continue }
    var g = TorchGenerator(seed: 0)
    let task = DigitTask(rows: 5000, using: &g)
    let brnn = BRNN(inputSize: 1, hiddenSize: 32, outputSize: 1, using: &g)
    let train = task.digits.narrowed(along: 0, to: 0..<3750), labels = task.labels.narrowed(along: 0, to: 0..<3750)
    let (forward, backward) = bidirectionalInputs(train)
    let optimizer = SGD(brnn.parameters, learningRate: 0.01)
    let t = measure(warmUp: 10, repetitions: 100) {
        loss(brnn(forward, backward), labels).backward()
        clipGradientsPerParameter(brnn.parameters)
        optimizer.step()
        optimizer.zeroGrad()
        _ = Tensor.withoutGradients { loss(brnn(forward, backward), labels).item }   // as trainBRNN prints it
    }
    rows.append(Row(key: key, name: "bidirectional, \(loss == .notebook ? "notebook N×N loss" : "fixed loss"), epoch",
                    median: t.median, min: t.min, max: t.max, flops: epochFlops(forward: brnnForward)))
}

if !jsonOnly {
    print("Workbook benchmarks, \(configuration) build, \(Threads.count == 1 ? "one thread" : "\(Threads.count) threads for large operations"); median of the repetitions, [min–max];")
    print(String(format: "product GFLOP/s and its share of the %.0f GFLOP/s one-core limit%@", peak,
                 Threads.count > 1 ? " (large products on two cores: up to 200 %)" : ""))
    print("workload".padding(toLength: 36, withPad: " ", startingAt: 0) + "     median       [min – max]       MFLOP   GFLOP/s  of limit")
    for row in rows {
        print(String(format: "%@ %9.4f ms  [%.4f – %.4f]  %7.3f  %7.1f   %5.1f%%",
                     row.name.padding(toLength: 36, withPad: " ", startingAt: 0), row.median * 1e3, row.min * 1e3,
                     row.max * 1e3, row.flops / 1e6, row.gflops, 100 * row.gflops / peak))
    }
}
let json = rows.map {
    String(format: "\"%@\":{\"name\":\"%@\",\"median_ms\":%.5f,\"min_ms\":%.5f,\"max_ms\":%.5f,\"mflop\":%.4f,\"gflops\":%.2f,\"share_of_peak\":%.4f}",
           $0.key, $0.name, $0.median * 1e3, $0.min * 1e3, $0.max * 1e3, $0.flops / 1e6, $0.gflops, $0.gflops / peak)
}
print("{\"configuration\":\"\(configuration)\",\"threads\":\(Threads.count),\"peak_gflops\":\(peak),\"results\":{\(json.joined(separator: ","))}}")
