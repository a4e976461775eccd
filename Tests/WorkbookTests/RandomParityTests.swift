// The generator draws what PyTorch draws: data, digits and every initial weight, for seeds 0 and 1.

import Foundation
import Testing
import Workbook

@Suite("Random numbers equal PyTorch's")
struct RandomParityTests {
    @Test("MT19937 matches the reference sequence for seed 5489")
    func mersenneTwister() {
        // The 10000th output of MT19937 seeded with 5489 is 4123659995 (C++ std::mt19937's check value).
        var generator = TorchGenerator(seed: 5489)
        for _ in 1..<10000 { _ = generator.nextUInt32() }
        #expect(generator.nextUInt32() == 4_123_659_995)
    }

    @Test("Deep RNN data and differences", arguments: [0, 1])
    func deepRNNData(seed: Int) throws {
        let fixture = try Fixture(seed: seed)
        var generator = TorchGenerator(seed: UInt64(seed))
        let line = NoisyLine(using: &generator)
        expectClose(line.data.values, try fixture.numbers("deep_rnn", "data"), "data")
        expectClose(line.differences.values, try fixture.numbers("deep_rnn", "data_trans"), "data_trans")
    }

    @Test("From-scratch DRNN(2, 1, 8, 1) weights, drawn after the data", arguments: [0, 1])
    func scratchInit(seed: Int) throws {
        let fixture = try Fixture(seed: seed)
        var generator = TorchGenerator(seed: UInt64(seed))
        _ = NoisyLine(using: &generator)
        let drnn = DRNN(numLayers: 2, inputSize: 1, hiddenSize: 8, outputSize: 1, using: &generator)
        for (name, tensor) in drnn.allTensors {
            expectClose(tensor, try fixture.tensor(["deep_rnn", "scratch_init", name]), name)
        }
    }

    @Test("Concise nn.RNN and OutputLayer weights, from a fresh seed", arguments: [0, 1])
    func conciseInit(seed: Int) throws {
        let fixture = try Fixture(seed: seed)
        var generator = TorchGenerator(seed: UInt64(seed))
        let model = ConciseDRNN(inputSize: 1, hiddenSize: 8, outputSize: 1, numLayers: 2, using: &generator)
        #expect(model.namedParameters.count == 10)
        for (name, tensor) in model.namedParameters {
            let key = String(name.dropFirst(2))   // "0.weight_ih_l0" → "weight_ih_l0"
            expectClose(tensor, try fixture.tensor(["deep_rnn", "concise_init", key]), name)
        }
    }

    @Test("Digit table, labels and BRNN(1, 32, 1) weights", arguments: [0, 1])
    func bidirectional(seed: Int) throws {
        let fixture = try Fixture(seed: seed)
        var generator = TorchGenerator(seed: UInt64(seed))
        let task = DigitTask(rows: 5000, using: &generator)
        let firstRows = try #require(fixture.value(["bidirectional_rnn", "digits_first_rows"]) as? [[Double]])
        expectClose(Array(task.digits.values.prefix(firstRows.count * 6)), firstRows.flatMap { $0 }, "digits_first_rows")
        let sums = (0..<6).map { column in (0..<5000).reduce(0.0) { $0 + Double(task.digits[element: $1, column]) } }
        #expect(sums == (try fixture.numbers("bidirectional_rnn", "digits_column_sums")))
        #expect(task.labels.values.reduce(0, +) == Float(try fixture.number("bidirectional_rnn", "label_count")))
        #expect(task.labels.values.prefix(40).map(Double.init) == (try fixture.numbers("bidirectional_rnn", "labels_first_40")))

        let brnn = BRNN(inputSize: 1, hiddenSize: 32, outputSize: 1, using: &generator)
        for (name, tensor) in brnn.namedParameters {
            expectClose(tensor, try fixture.tensor(["bidirectional_rnn", "init", name]), name)
        }
    }
}

@Suite("Small and odd-sized draws equal PyTorch's")
struct GeneratorFixtureTests {
    struct Draw { let kind: String; let shape: [Int]; let values: [Double] }

    static func cases() throws -> [(seed: Int, draws: [Draw])] {
        let url = try #require(Bundle.module.url(forResource: "generator", withExtension: "json", subdirectory: "Fixtures"))
        let root = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
        let cases = try #require(root["cases"] as? [[String: Any]])
        return try cases.map { c in
            let draws = try #require(c["draws"] as? [[String: Any]]).map { d in
                Draw(kind: try #require(d["kind"] as? String), shape: try #require(d["shape"] as? [Int]),
                     values: try #require(d["values"] as? [Double]))
            }
            return (try #require(c["seed"] as? Int), draws)
        }
    }

    @Test("randn under and over 16 elements, rand, uniform_, Normal(mean, std).sample, in sequence")
    func draws() throws {
        for (seed, draws) in try Self.cases() {
            var generator = TorchGenerator(seed: UInt64(seed))
            for draw in draws {
                let tensor: Tensor
                switch draw.kind {
                case "randn": tensor = .randn(draw.shape, using: &generator)
                case "rand": tensor = .rand(draw.shape, using: &generator)
                case "uniform(-0.3,0.7)": tensor = .uniform(draw.shape, from: -0.3, to: 0.7, using: &generator)
                case "normal(2.5,10)": tensor = .normal(draw.shape, mean: 2.5, std: 10, using: &generator)
                default: Issue.record("unknown draw \(draw.kind)"); continue
                }
                #expect(tensor.shape == draw.shape)
                expectClose(tensor.values, draw.values, "seed \(seed), \(draw.kind) \(draw.shape)")
            }
        }
    }
}
