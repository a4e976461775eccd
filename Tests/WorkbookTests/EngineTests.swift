// Behaviour beyond single gradients: accumulation, views, shape checks, data, clipping.

import Testing
import Workbook
import Foundation

@Suite("Engine behaviour")
struct EngineTests {
    @Test("Gradients accumulate across backward() calls until zeroed, as in PyTorch")
    func accumulation() {
        let w = Tensor([1, 2, 3], requiresGrad: true)
        (w * w).sum().backward()
        #expect(w.grad?.values == [2, 4, 6])
        (w * 3).sum().backward()
        #expect(w.grad?.values == [5, 7, 9])
        w.zeroGrad()
        #expect(w.grad == nil)
    }

    @Test("A tensor used twice gets both contributions")
    func sharedInput() {
        let x = Tensor([2], requiresGrad: true)
        let y = x * x + x          // dy/dx = 2x + 1 = 5
        y.sum().backward()
        #expect(x.grad?.values == [5])
    }

    @Test("The graph keeps what backward() reads, not the intermediate tensors")
    func intermediatesAreFreed() {
        // h = relu(x · W + b): backward() reads x (for dW) and the ReLU's output, not the product or the sum.
        let x = Tensor([2, 1, 1, 0.5, 1, -1], shape: [2, 3])
        let w = Tensor.parameter(Tensor([0.5, -1, 2, 1, -0.5, 0.25], shape: [3, 2]))
        let b = Tensor.parameter(Tensor([0.1, -0.2]))
        weak var product: Tensor?, sum: Tensor?, activation: Tensor?
        let loss: Tensor = {
            let p = x.matmul(w), s = p + b, h = s.relu()
            (product, sum, activation) = (p, s, h)
            return h.sum()
        }()
        #expect(product == nil && sum == nil && activation == nil, "an intermediate outlived its last use")
        loss.backward()
        // By hand: z = x · W + b = [[2.6, −0.95], [2.85, 0.05]], so the ReLU passes [[1, 0], [1, 1]];
        // dW = xᵀ · that, db its column sums. Every value is exact in float.
        #expect(w.grad?.values == [2.5, 0.5, 2, 1, 0, -1])
        #expect(b.grad?.values == [2, 1])
    }

    @Test("X[t] and reshape are views: they share storage and send gradients back")
    func views() {
        let x = Tensor((0..<6).map(Float.init), shape: [3, 2], requiresGrad: true)
        let row = x[1]
        #expect(row.values == [2, 3])
        x.assign(Tensor([9, 9, 7, 8, 9, 9], shape: [3, 2]))
        #expect(row.values == [7, 8], "a view sees its base's new values")
        (row * Tensor([10, 20])).sum().backward()
        #expect(x.grad?.values == [0, 0, 10, 20, 0, 0])
        #expect(x.reshaped([-1]).shape == [6] && x.reshaped([2, -1]).shape == [2, 3])
    }

    @Test("Results that need no gradient record no graph")
    func noGraphWithoutGradients() {
        let a = Tensor([1, 2]), b = Tensor([3, 4])
        let c = a * b + 1
        #expect(!c.requiresGrad)
        #expect(c.values == [4, 9])
    }

    @Test("The notebook's (N, 1) − (N,) loss equals the explicit N × N mean")
    func broadcastLossClosedForm() {
        var g = TorchGenerator(seed: 5)
        let p = Tensor.randn([40, 1], using: &g), y = Tensor.rand([40], using: &g)
        var total = 0.0
        for i in 0..<40 { for j in 0..<40 { total += pow(Double(p[element: i, 0]) - Double(y[element: j]), 2) } }
        expectClose(broadcastMeanSquaredError(p, y).item, total / 1600, "closed form")
    }

    @Test("Mismatched shapes stop with both shapes named")
    func shapeMismatch() async {
        await #expect(processExitsWith: .failure, observing: [\.standardErrorContent]) {
            _ = Tensor(zeros: [180, 1]) - Tensor(zeros: [180])
        }.map { result in
            let message = String(decoding: result.standardErrorContent, as: UTF8.self)
            #expect(message.contains("[180, 1]") && message.contains("[180]"))
        }
        await #expect(processExitsWith: .failure) {
            _ = Tensor(zeros: [4, 3]).matmul(Tensor(zeros: [4, 3]))
        }
    }

    @Test("Sliding windows and their targets, one step later")
    func windows() {
        let series = Tensor((0..<6).map(Float.init))
        let (x, y) = slidingWindows(of: series, length: 3)
        #expect(x.shape == [3, 3] && y.shape == [3, 3])
        #expect(x.values == [0, 1, 2, 1, 2, 3, 2, 3, 4])
        #expect(y.values == [1, 2, 3, 2, 3, 4, 3, 4, 5])
        let xt = timeMajorInputs(x)
        #expect(xt.shape == [3, 3, 1] && xt.values == [0, 1, 2, 1, 2, 3, 2, 3, 4])
        #expect(timeMajorInputs(Tensor([1, 2, 3, 4, 5, 6], shape: [2, 3]), flipped: true).values == [3, 6, 2, 5, 1, 4])
        #expect(timeMajorTargets(y).values == [1, 2, 3, 2, 3, 4, 3, 4, 5])
    }

    @Test("The loader batches rows, shuffles each epoch differently, and reproducibly")
    func loader() {
        let x = Tensor((0..<10).map(Float.init), shape: [10, 1]), y = Tensor((0..<10).map { Float($0 * 2) })
        let plain = DataLoader(inputs: x, targets: y, batchSize: 4, shuffle: false)
        #expect(plain.epoch().map { $0.inputs.shape } == [[4, 1], [4, 1], [2, 1]])
        let shuffled = DataLoader(inputs: x, targets: y, batchSize: 10, shuffle: true, seed: 1)
        let (first, second) = (shuffled.epoch()[0], shuffled.epoch()[0])
        #expect(first.inputs.values.sorted() == x.values)
        #expect(first.inputs.values != second.inputs.values)
        #expect(zip(first.inputs.values, first.targets.values).allSatisfy { $1 == 2 * $0 }, "rows stay paired")
        let again = DataLoader(inputs: x, targets: y, batchSize: 10, shuffle: true, seed: 1)
        #expect(again.epoch()[0].inputs.values == first.inputs.values)
    }

    @Test("Per-parameter clipping uses θ = alpha · numel; global clipping one norm for all")
    func clipping() {
        let a = Tensor([0, 0, 0, 0], requiresGrad: true), b = Tensor([0, 0], requiresGrad: true)
        (a * Tensor([3, 4, 0, 0]) * 10 + 0).sum().backward()      // ‖∇a‖ = 50 > θ = 4
        (b * Tensor([1, 1])).sum().backward()                      // ‖∇b‖ = √2 < θ = 2
        clipGradientsPerParameter([a, b], alpha: 1)
        expectClose(a.grad!.values, [2.4, 3.2, 0, 0], "clipped to norm 4")
        #expect(b.grad?.values == [1, 1])
        let norm = clipGradientsGlobally([a, b], maxNorm: 1)
        expectClose(norm, (16.0 + 2).squareRoot(), "global norm before clipping")
        expectClose(Float(([a.grad!.norm, b.grad!.norm].map { Double($0 * $0) }.reduce(0, +)).squareRoot()), 1, "after")
    }

    @Test("SGD steps against the gradient and zeroGrad forgets it")
    func sgd() {
        let w = Tensor([1, -1], requiresGrad: true)
        let optimizer = SGD([w], learningRate: 0.5)
        (w.squared()).sum().backward()    // ∇ = 2w
        optimizer.step()
        #expect(w.values == [0, 0])
        optimizer.zeroGrad()
        #expect(w.grad == nil)
    }

    @Test("The digit task's label rule")
    func digitLabels() {
        #expect(DigitTask.label(of: [4, 9, 9, 1, 0, 6]) == 1)   // 499 < 500, 601 > 500
        #expect(DigitTask.label(of: [5, 0, 0, 1, 0, 6]) == 0)   // 500 is not below 500
        #expect(DigitTask.label(of: [1, 2, 3, 0, 0, 5]) == 0)   // 500 is not above 500
    }

    @Test("A diverging run stops at the first non-finite loss and keeps the last finite parameters")
    func divergence() {
        var generator = TorchGenerator(seed: 0)
        let line = NoisyLine(count: 200, using: &generator)
        let model = ConciseDRNN(inputSize: 1, hiddenSize: 8, outputSize: 1, numLayers: 2, using: &generator)
        let (x, y) = slidingWindows(of: line.differences, length: 19)
        let loader = DataLoader(inputs: x, targets: y, batchSize: 180, shuffle: false)
        let calm = trainDeepRNN(model, on: loader, optimizer: SGD(model.parameters, learningRate: 0.03), epochs: 3, clippingAlpha: nil)
        #expect(calm.count == 3 && calm.allSatisfy(\.isFinite))
        let before = model.parameters.map(\.values)
        let losses = trainDeepRNN(model, on: loader, optimizer: SGD(model.parameters, learningRate: 1e30), epochs: 10, clippingAlpha: nil)
        #expect(losses.count == 1 && !losses[0].isFinite, "\(losses)")
        #expect(model.parameters.map(\.values) == before, "the parameters are those before the diverging epoch")
    }

    @Test("withoutGradients records nothing, as torch.no_grad(), and recording resumes after it")
    func withoutGradients() {
        let w = Tensor([1, 2, 3], requiresGrad: true)
        let untracked = Tensor.withoutGradients { (w * w)[0] + w.sum() }
        #expect(!untracked.requiresGrad && untracked.item == 7)
        let tracked = (w * w).sum()
        #expect(tracked.requiresGrad)
        tracked.backward()
        #expect(w.grad?.values == [2, 4, 6])
    }
}
