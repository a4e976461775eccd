// Checkpoints: the byte format, every way a file can be wrong, loading all-or-nothing, atomic
// writes, and a bounded fuzz of the decoder.
//
// The fuzz runs 100,000 inputs by default. For a longer run set CHECKPOINT_FUZZ_ITERATIONS (and
// optionally CHECKPOINT_FUZZ_SEED, a decimal UInt64), e.g.
//     CHECKPOINT_FUZZ_ITERATIONS=10000000 swift test --filter CheckpointTests/fuzz

import Foundation
import Testing
import AtomicFiles
import Checkpoints
import Workbook

@Suite("Checkpoints")
struct CheckpointTests {
    // MARK: Fixtures

    static let drnnModel = "DRNN(numLayers: 2, inputSize: 1, hiddenSize: 3, outputSize: 1)"

    /// A two-layer DRNN's tensors, drawn from `seed`.
    static func drnn(seed: UInt64) -> DRNN {
        var generator = TorchGenerator(seed: seed)
        return DRNN(numLayers: 2, inputSize: 1, hiddenSize: 3, outputSize: 1, trainsEveryLayer: true, activation: .identity,
                    using: &generator)
    }

    /// A checkpoint with every kind of tensor: matrices, vectors, a scalar, an empty one, odd floats.
    static func sample() -> Checkpoint {
        var tensors = drnn(seed: 7).allTensors
        tensors.append(("scalar", Tensor(scalar: 3.5)))
        tensors.append(("empty", Tensor(zeros: [0, 4])))
        tensors.append(("odd", Tensor([.nan, -0.0, .infinity, -.greatestFiniteMagnitude, .leastNonzeroMagnitude], shape: [5])))
        return Checkpoint(model: drnnModel, tensors: tensors,
                          metadata: ["seed": "7", "epochs": "300", "note": "héllo ✓", "": "empty key"])
    }

    /// The file for a body: magic, `version`, `body`, and the body's correct checksum.
    static func file(body: [UInt8], version: UInt32 = 1) -> [UInt8] {
        withChecksum(Array("RNNWBCK".utf8) + [0] + le32(version) + body)
    }

    static func withChecksum(_ bytes: [UInt8]) -> [UInt8] { bytes + le32(Checkpoint.crc32(bytes)) }

    /// Replaces the last four bytes with the checksum of the rest.
    static func rechecksummed(_ bytes: [UInt8]) -> [UInt8] { withChecksum(Array(bytes.dropLast(4))) }

    static func le32(_ value: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) } }
    static func le64(_ value: Int64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: UInt64(bitPattern: value) >> (8 * UInt64($0))) } }
    static func string(_ text: String) -> [UInt8] { le32(UInt32(text.utf8.count)) + Array(text.utf8) }

    /// A tensor's bytes in the body.
    static func tensor(_ name: String, _ shape: [Int64], _ values: [Float]) -> [UInt8] {
        string(name) + le32(UInt32(shape.count)) + shape.flatMap(le64) + values.flatMap { le32($0.bitPattern) }
    }

    static func decodeError(_ bytes: [UInt8]) -> CheckpointError? {
        do {
            _ = try Checkpoint.decode(Data(bytes))
            return nil
        } catch {
            return error
        }
    }

    /// A fresh folder under the temporary directory, removed afterwards.
    static func withTemporaryFolder(_ body: (String) throws -> Void) throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("CheckpointTests-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        try body(folder)
    }

    /// What the messages tell the learner to do, as the chapters say it.
    static let remedy = CheckpointRemedy(program: "Chapter05-Training", skipFlag: "--retrain")

    static func readError(_ path: String) -> String? {
        do {
            _ = try Checkpoint.read(from: path, remedy: Self.remedy)
            return nil
        } catch let error as WorkbookError {
            return error.message
        } catch {
            return "not a WorkbookError: \(error)"
        }
    }

    // MARK: Format

    @Test("CRC-32 matches zlib's check value")
    func crc() {
        #expect(Checkpoint.crc32(Array("123456789".utf8)) == 0xCBF4_3926)
        #expect(Checkpoint.crc32([UInt8]()) == 0)
        #expect(Checkpoint.crc32(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414F_A339)
    }

    @Test("A small checkpoint encodes to exactly the documented bytes")
    func goldenBytes() throws {
        let checkpoint = Checkpoint(model: "m", tensors: [.init(name: "t", shape: [2], values: [1, -2]),
                                                          .init(name: "s", shape: [], values: [0.5])],
                                    metadata: ["k": "v"])
        var expected: [UInt8] = [0x52, 0x4E, 0x4E, 0x57, 0x42, 0x43, 0x4B, 0x00]   // RNNWBCK\0
        expected += [1, 0, 0, 0]                                                     // version 1
        expected += [1, 0, 0, 0, 0x6D]                                               // "m"
        expected += [1, 0, 0, 0] + [1, 0, 0, 0, 0x6B] + [1, 0, 0, 0, 0x76]           // 1 entry: "k" → "v"
        expected += [2, 0, 0, 0]                                                     // 2 tensors
        expected += [1, 0, 0, 0, 0x74] + [1, 0, 0, 0] + [2, 0, 0, 0, 0, 0, 0, 0]     // "t", rank 1, [2]
        expected += [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0]                 // 1.0, -2.0
        expected += [1, 0, 0, 0, 0x73] + [0, 0, 0, 0]                                // "s", rank 0
        expected += [0x00, 0x00, 0x00, 0x3F]                                         // 0.5
        expected += Self.le32(Checkpoint.crc32(expected))
        #expect([UInt8](checkpoint.encoded()) == expected)
        #expect(try Checkpoint.decode(Data(expected)) == checkpoint)
    }

    @Test("Model, metadata and tensors survive encode → decode, bit for bit")
    func roundTrip() throws {
        let original = Self.sample()
        let bytes = original.encoded()
        let decoded = try Checkpoint.decode(bytes)
        #expect(decoded == original)
        #expect(decoded.model == Self.drnnModel)
        #expect(decoded.metadata == original.metadata)
        #expect(decoded.tensors.map(\.name) == ["l0.W_xh", "l0.W_hh", "l0.b_h", "l1.W_xh", "l1.W_hh", "l1.b_h",
                                                "W_hq", "b_q", "scalar", "empty", "odd"])
        #expect(decoded.tensors.map(\.shape) == original.tensors.map(\.shape))
        let drnn = Self.drnn(seed: 7)
        #expect(decoded.tensors[0].values == drnn.layers[0].inputWeights.values)
        #expect(decoded.tensors[8].shape == [] && decoded.tensors[8].values == [3.5])
        #expect(decoded.tensors[9].shape == [0, 4] && decoded.tensors[9].values.isEmpty)
        let odd = decoded.tensors[10].values
        #expect(odd[0].isNaN && odd[1] == 0 && odd[1].sign == .minus && odd[2] == .infinity
                && odd[3] == -.greatestFiniteMagnitude && odd[4] == .leastNonzeroMagnitude)
        #expect(decoded.encoded() == bytes, "canonical: decoding and encoding again gives the same bytes")
        #expect(decoded.path == nil)
    }

    @Test("Bytes are deterministic and do not depend on the order metadata was built in")
    func deterministicBytes() throws {
        let pairs = (0..<40).map { ("key\($0 * 7 % 40)", "value \($0)") }
        var forward: [String: String] = [:], backward: [String: String] = [:]
        for (k, v) in pairs { forward[k] = v }
        for (k, v) in pairs.reversed() { backward[k] = v }
        forward.reserveCapacity(1000)                   // a different table size, a different iteration order
        let tensors = Self.drnn(seed: 1).allTensors
        let a = Checkpoint(model: "m", tensors: tensors, metadata: forward).encoded()
        let b = Checkpoint(model: "m", tensors: tensors, metadata: backward).encoded()
        #expect(a == b)
        #expect(a == Checkpoint(model: "m", tensors: tensors, metadata: forward).encoded())
        // The keys appear in sorted order: find each as its length and bytes.
        let bytes = [UInt8](a)
        func offset(of key: String) -> Int? {
            let needle = Self.string(key)
            return (0...(bytes.count - needle.count)).first { bytes[$0..<$0 + needle.count].elementsEqual(needle) }
        }
        let positions = forward.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map(offset(of:))
        #expect(positions.allSatisfy { $0 != nil })
        #expect(positions.compactMap { $0 } == positions.compactMap { $0 }.sorted())
        #expect(try Checkpoint.decode(a) == Checkpoint(model: "m", tensors: tensors, metadata: backward))
    }

    @Test("Equality compares content bit for bit and ignores the path")
    func equality() {
        var a = Self.sample(), b = Self.sample()
        b.path = "somewhere.ckpt"
        #expect(a == b)
        b.tensors[10].values[1] = 0            // +0.0 instead of -0.0
        #expect(a != b)
        b = a
        b.metadata["seed"] = "8"
        #expect(a != b)
        a.model += " "
        #expect(a != Self.sample())
    }

    @Test("write(to:) then read(from:) gives the same checkpoint, remembering its path")
    func fileRoundTrip() throws {
        try Self.withTemporaryFolder { folder in
            let path = folder + "/nested/deep-rnn.ckpt"          // the folder is created
            let original = Self.sample()
            try original.write(to: path)
            let read = try Checkpoint.read(from: path, remedy: Self.remedy)
            #expect(read == original)
            #expect(read.path == path)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original.encoded())
        }
    }

    // MARK: Damaged files

    @Test("An empty file, random bytes or a wrong magic are not checkpoints")
    func notCheckpoints() {
        #expect(Self.decodeError([]) == .empty)
        var rng = SplitMix64(seed: 99)
        for length in [1, 5, 8, 15, 16, 100, 5000] {
            let bytes = (0..<length).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            #expect(Self.decodeError(bytes) == .notACheckpoint, "\(length) random bytes")
        }
        var wrongMagic = [UInt8](Self.sample().encoded())
        wrongMagic[3] = UInt8(ascii: "X")
        #expect(Self.decodeError(wrongMagic) == .notACheckpoint)
        #expect(Self.decodeError(Self.rechecksummed(wrongMagic)) == .notACheckpoint)
        #expect(Self.decodeError(Array("{\"model\": 1}".utf8)) == .notACheckpoint)
    }

    @Test("A file cut short anywhere is truncated")
    func truncations() {
        let bytes = [UInt8](Self.sample().encoded())
        var lengths = [1, 3, 7, 8, 11, 12, 15, 16, 17, 20, 40, bytes.count / 2]
        lengths += [bytes.count - 40, bytes.count - 5, bytes.count - 4, bytes.count - 3, bytes.count - 1]
        for length in lengths {
            #expect(Self.decodeError(Array(bytes.prefix(length))) == .truncated, "cut to \(length) of \(bytes.count) bytes")
        }
        for length in 1..<bytes.count {
            let error = Self.decodeError(Array(bytes.prefix(length)))
            #expect(error == .truncated, "cut to \(length) bytes")
            if error != .truncated { break }
        }
    }

    @Test("One flipped byte anywhere is caught")
    func flippedBytes() {
        let bytes = [UInt8](Self.sample().encoded())
        var seen: Set<String> = []
        for position in bytes.indices {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = bytes
                damaged[position] ^= flip
                let error = Self.decodeError(damaged)
                let expected: [CheckpointError] = position < 8 ? [.notACheckpoint] : [.checksumMismatch, .truncated]
                #expect(error.map(expected.contains) == true, "byte \(position) ^ \(flip): \(String(describing: error))")
                seen.insert(String(describing: error))
            }
        }
        // A flip in the values (here the last float, just before the checksum) is a plain mismatch.
        var damaged = bytes
        damaged[bytes.count - 6] ^= 0x10
        #expect(Self.decodeError(damaged) == .checksumMismatch)
        #expect(seen.count == 3, "magic, checksum and truncation errors all occur: \(seen)")
    }

    @Test("Another format version is refused as such, once the checksum is right")
    func versions() {
        var bytes = [UInt8](Self.sample().encoded())
        bytes[8] = 2
        #expect(Self.decodeError(bytes) == .checksumMismatch, "the checksum is checked first")
        #expect(Self.decodeError(Self.rechecksummed(bytes)) == .unsupportedVersion(2))
        bytes[8...11] = [0xFF, 0xFF, 0xFF, 0xFF]
        #expect(Self.decodeError(Self.rechecksummed(bytes)) == .unsupportedVersion(.max))
        bytes[8...11] = [0, 0, 0, 0]
        #expect(Self.decodeError(Self.rechecksummed(bytes)) == .unsupportedVersion(0))
    }

    @Test("Bodies that break the format are malformed, with the reason named")
    func malformedBodies() throws {
        let header = Self.string("m") + Self.le32(0)
        func body(_ tensors: [UInt8]...) -> [UInt8] { header + Self.le32(UInt32(tensors.count)) + tensors.flatMap { $0 } }
        let good = Self.tensor("t", [2], [1, 2])
        #expect(Self.decodeError(Self.file(body: body(good))) == nil, "the baseline is valid")

        func expectMalformed(_ bytes: [UInt8], _ phrase: String, sourceLocation: SourceLocation = #_sourceLocation) {
            let error = Self.decodeError(bytes)
            if case .malformed(let what) = error {
                #expect(what.contains(phrase), "\(what)", sourceLocation: sourceLocation)
            } else {
                Issue.record("expected malformed(\(phrase)), got \(String(describing: error))", sourceLocation: sourceLocation)
            }
        }
        expectMalformed(Self.file(body: body(good, good)), "appears twice")
        expectMalformed(Self.file(body: body(Self.tensor("t", [1, 1, 1, 1, 1, 1, 1, 1, 1], [1]))), "rank 9")
        #expect(Self.decodeError(Self.file(body: body(Self.tensor("t", [1, 1, 1, 1, 1, 1, 1, 1], [1])))) == nil, "rank 8 is fine")
        expectMalformed(Self.file(body: body(Self.tensor("t", [-1], []))), "negative")
        expectMalformed(Self.file(body: body(Self.tensor("t", [.min], []))), "negative")
        expectMalformed(Self.file(body: body(Self.tensor("t", [1 << 32, 1 << 32], []))), "overflows")
        expectMalformed(Self.file(body: body(Self.tensor("t", [.max, 2], []))), "overflows")
        expectMalformed(Self.file(body: body(Self.tensor("t", [1 << 40], []))), "runs past the end")
        expectMalformed(Self.file(body: body(Self.tensor("t", [3], [1, 2]))), "runs past the end")
        expectMalformed(Self.file(body: body(good) + [0]), "unexpected bytes")
        expectMalformed(Self.file(body: body(good) + Self.le32(0)), "unexpected bytes")
        expectMalformed(Self.file(body: [0xFF, 0xFF, 0xFF, 0xFF, 0]), "runs past the end")
        expectMalformed(Self.file(body: Self.le32(2) + [0xC3, 0x28] + Self.le32(0) + Self.le32(0)), "UTF-8")
        expectMalformed(Self.file(body: body(Self.tensor("\u{FF}", [], [1])).map { $0 == 0xC3 ? 0xFF : $0 }), "UTF-8")
        expectMalformed(Self.file(body: Array(header.dropLast(4)) + Self.le32(.max) + Self.le32(0)), "metadata count")
        expectMalformed(Self.file(body: header + Self.le32(.max)), "tensor count")
        expectMalformed(Self.file(body: header + Self.le32(0x1000_0000) + good), "tensor count")
        // Metadata keys must be strictly increasing.
        let sorted = Self.string("m") + Self.le32(2) + Self.string("a") + Self.string("1") + Self.string("b") + Self.string("2") + Self.le32(0)
        #expect(try Checkpoint.decode(Data(Self.file(body: sorted))).metadata == ["a": "1", "b": "2"])
        let unsorted = Self.string("m") + Self.le32(2) + Self.string("b") + Self.string("2") + Self.string("a") + Self.string("1") + Self.le32(0)
        expectMalformed(Self.file(body: unsorted), "out of order")
        let repeated = Self.string("m") + Self.le32(2) + Self.string("a") + Self.string("1") + Self.string("a") + Self.string("2") + Self.le32(0)
        expectMalformed(Self.file(body: repeated), "metadata key a")
        // Without a correct checksum the same bodies are simply damaged.
        #expect(Self.decodeError(Array(Self.file(body: body(good, good)).dropLast()) + [0]) == .checksumMismatch)
    }

    // MARK: Messages

    @Test("read(from:) names the file and the fix, on one line")
    func readMessages() throws {
        try Self.withTemporaryFolder { folder in
            let path = folder + "/deep-rnn.ckpt"
            #expect(Self.readError(path) == "no checkpoint at \(path): run Chapter05-Training first, or pass --retrain")

            try Data().write(to: URL(fileURLWithPath: path))
            #expect(Self.readError(path) == "\(path) is damaged (the file is empty): delete it and run Chapter05-Training again, or pass --retrain")

            let bytes = [UInt8](Self.sample().encoded())
            try Data(bytes.prefix(bytes.count - 10)).write(to: URL(fileURLWithPath: path))
            #expect(Self.readError(path) == "\(path) is damaged (the file is truncated): delete it and run Chapter05-Training again, or pass --retrain")

            var flipped = bytes
            flipped[bytes.count - 6] ^= 1
            var version = bytes
            version[8] = 7
            var cases: [(bytes: [UInt8], phrase: String)] = []
            cases.append((flipped, "is damaged (the checksum does not match"))
            cases.append((Array("hello, world".utf8), "is damaged (the file is not a workbook checkpoint)"))
            cases.append((Self.file(body: Self.string("m") + Self.le32(0) + Self.le32(0) + [1]), "is damaged (the file is malformed: "))
            let twice = Self.tensor("a\nb", [], [1])
            cases.append((Self.file(body: Self.string("m") + Self.le32(0) + Self.le32(2) + twice + twice),
                          "is damaged (the file is malformed: the tensor name a\\nb appears twice)"))
            let long = String(repeating: "x", count: 5000)
            cases.append((Self.file(body: Self.string(long) + Self.le32(1)), "is damaged (the file is malformed: the metadata count 1"))
            cases.append((Self.file(body: Self.string("m") + Self.le32(0) + Self.le32(2) + Self.tensor(long, [], [1]) + Self.tensor(long, [], [1])),
                          "is damaged (the file is malformed: the tensor name xxxxxxxxxxxxxxxx"))
            cases.append((Self.rechecksummed(version), "has format version 7; this workbook reads version 1: run Chapter05-Training again, or pass --retrain"))
            for (bytes, phrase) in cases {
                try Data(bytes).write(to: URL(fileURLWithPath: path))
                let message = try #require(Self.readError(path))
                #expect(message.hasPrefix(path) && message.contains(phrase) && message.contains("Chapter05-Training"), "\(message)")
                #expect(!message.contains("\n") && message.count < path.count + 400, "one short line")
            }
            #expect(Self.readError(folder)?.contains("is a folder") == true)
        }
    }

    // MARK: Loading

    @Test("load(into:) copies every value into the model")
    func loadSuccess() throws {
        let trained = Self.drnn(seed: 1)
        let checkpoint = Checkpoint(model: Self.drnnModel, tensors: trained.allTensors, metadata: ["seed": "1"])
        let fresh = Self.drnn(seed: 2)
        #expect(fresh.layers[0].inputWeights.values != trained.layers[0].inputWeights.values)
        // The order of the targets does not matter: names decide.
        try Checkpoint.decode(checkpoint.encoded()).load(into: Array(fresh.allTensors.reversed()), expectedModel: Self.drnnModel, remedy: Self.remedy)
        for ((name, a), (_, b)) in zip(fresh.allTensors, trained.allTensors) {
            #expect(a.values == b.values, "\(name)")
        }
        let x = Tensor((0..<10).map { Float($0) / 10 }, shape: [5, 2, 1])
        #expect(fresh(x).map(\.values) == trained(x).map(\.values))
        #expect(checkpoint.mismatch(with: fresh.allTensors, expectedModel: Self.drnnModel) == nil)
    }

    @Test("load(into:) refuses a checkpoint that does not fit and changes nothing")
    func loadRefusals() throws {
        let source = Self.drnn(seed: 1)
        let other = "DRNN(numLayers: 2, inputSize: 1, hiddenSize: 4, outputSize: 1)"
        var extra = source.allTensors
        extra.append(("W_extra", Tensor([1])))
        var wrongShape = source.allTensors
        wrongShape[wrongShape.count - 1] = ("b_q", Tensor([1, 2]))                    // b_q is [1]
        let cases: [(checkpoint: Checkpoint, expected: String, error: CheckpointError, phrase: String)] = [
            (Checkpoint(model: other, tensors: source.allTensors), Self.drnnModel,
             .wrongModel(found: other, expected: Self.drnnModel), "holds \(other), not \(Self.drnnModel)"),
            (Checkpoint(model: Self.drnnModel, tensors: Array(source.allTensors.dropLast())), Self.drnnModel,
             .missingTensor("b_q"), "holds no tensor b_q"),
            (Checkpoint(model: Self.drnnModel, tensors: extra), Self.drnnModel,
             .unexpectedTensor("W_extra"), "holds a tensor W_extra"),
            (Checkpoint(model: Self.drnnModel, tensors: wrongShape), Self.drnnModel,
             .shapeMismatch(name: "b_q", found: [2], expected: [1]), "holds b_q of shape [2], not [1]"),
        ]
        try Self.withTemporaryFolder { folder in
            let path = folder + "/x.ckpt"
            for (checkpoint, expected, error, phrase) in cases {
                let target = Self.drnn(seed: 2)
                let before = target.allTensors.map(\.tensor.values)
                #expect(checkpoint.mismatch(with: target.allTensors, expectedModel: expected) == error)

                try checkpoint.write(to: path)
                let read = try Checkpoint.read(from: path, remedy: Self.remedy)
                do {
                    try read.load(into: target.allTensors, expectedModel: expected, remedy: Self.remedy)
                    Issue.record("loaded despite \(error)")
                } catch let thrown as WorkbookError {
                    #expect(thrown.message.hasPrefix(path + " ") && thrown.message.contains(phrase), "\(thrown.message)")
                    #expect(thrown.message.hasSuffix("run Chapter05-Training again with the same options, or pass --retrain"))
                }
                #expect(target.allTensors.map(\.tensor.values) == before, "\(error): nothing changed")

                // Made in memory, the checkpoint has no path to name.
                #expect(throws: WorkbookError.self) { try checkpoint.load(into: target.allTensors, expectedModel: expected, remedy: Self.remedy) }
                #expect(target.allTensors.map(\.tensor.values) == before)
            }
        }
    }

    // MARK: Atomic writes

    @Test("Writing over a checkpoint replaces it whole and leaves no temporary file")
    func atomicWrite() throws {
        try Self.withTemporaryFolder { folder in
            let path = folder + "/model.ckpt"
            let big = Self.sample()
            let small = Checkpoint(model: "small", tensors: [.init(name: "w", shape: [1], values: [4])])
            try big.write(to: path)
            try small.write(to: path)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == small.encoded())
            #expect(try Checkpoint.read(from: path, remedy: Self.remedy) == small)
            try big.write(to: path)
            #expect(try Checkpoint.read(from: path, remedy: Self.remedy) == big)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["model.ckpt"])

            let blocker = folder + "/not-a-folder"
            try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
            #expect(throws: WorkbookError.self) { try small.write(to: blocker + "/model.ckpt") }
            #expect(throws: WorkbookError.self) { try small.write(to: blocker + "/deeper/model.ckpt") }
            #expect(try Data(contentsOf: URL(fileURLWithPath: blocker)) == Data("x".utf8))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["model.ckpt", "not-a-folder"])
        }
    }

    // MARK: Fuzz

    /// Offsets and sizes of a valid file's length and count fields, found by reading the bytes as
    /// the header comment documents (an independent parser of the format).
    static func fields(of bytes: [UInt8]) -> [(offset: Int, size: Int)] {
        var position = 12, fields: [(offset: Int, size: Int)] = []
        func u32() -> Int {
            fields.append((position, 4))
            defer { position += 4 }
            return (0..<4).reduce(0) { $0 | Int(bytes[position + $1]) << (8 * $1) }
        }
        func skipString() { position += u32() }
        skipString()
        for _ in 0..<u32() { skipString(); skipString() }
        for _ in 0..<u32() {
            skipString()
            var elements = 1
            for _ in 0..<u32() {
                fields.append((position, 8))
                elements *= (0..<8).reduce(0) { $0 | Int(bytes[position + $1]) << (8 * $1) }
                position += 8
            }
            position += 4 * elements
        }
        precondition(position == bytes.count - 4, "the test's reader disagrees with the format")
        return fields
    }

    @Test("The decoder throws or succeeds on any input, never traps (bounded fuzz)")
    func fuzz() {
        let environment = ProcessInfo.processInfo.environment
        let iterations = environment["CHECKPOINT_FUZZ_ITERATIONS"].flatMap(Int.init) ?? 100_000
        let seed = environment["CHECKPOINT_FUZZ_SEED"].flatMap(UInt64.init) ?? 0x5EED_C0FF_EE15_600D
        var rng = SplitMix64(seed: seed)

        let small = Checkpoint(model: "DRNN(2)", tensors: [
            .init(name: "W", shape: [2, 3], values: [1, 2, 3, 4, 5, 6]), .init(name: "b", shape: [3], values: [0, -1, 2]),
            .init(name: "s", shape: [], values: [9]), .init(name: "e", shape: [0, 2], values: []),
        ], metadata: ["epochs": "3", "seed": "1"])
        let valid = [UInt8](small.encoded())
        let fieldList = [(offset: 8, size: 4)] + Self.fields(of: valid)   // the version, then the body's fields
        #expect(fieldList.count == 21)
        let magic = Array(valid.prefix(8))
        let interesting32: [UInt32] = [0, 1, 2, 3, 4, 7, 8, 9, 0xFF, 0x100, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFE, 0xFFFF_FFFF]
        let interesting64: [Int64] = [0, 1, 2, -1, .max, .min, 1 << 31, 1 << 32, 1 << 62, 0x7FFF_FFFF, 3037000500]

        var outcomes: [String: Int] = [:]
        let start = ContinuousClock.now
        for iteration in 0..<iterations {
            var bytes: [UInt8]
            switch rng.below(7) {
            case 0:                                              // random bytes
                bytes = rng.bytes(rng.below(64))
            case 1:                                              // the magic, then random bytes
                bytes = magic + rng.bytes(rng.below(120))
            case 2:                                              // a random version-1 body with a correct checksum
                bytes = Self.withChecksum(magic + Self.le32(1) + rng.bytes(rng.below(120)))
            case 3:                                              // bit flips, no checksum repair
                bytes = valid
                for _ in 0...rng.below(4) { bytes[rng.below(bytes.count)] ^= 1 << UInt8(rng.below(8)) }
            case 4:                                              // truncation, insertion, deletion
                bytes = valid
                switch rng.below(3) {
                case 0: bytes = Array(bytes.prefix(rng.below(bytes.count + 1)))
                case 1: bytes.insert(contentsOf: rng.bytes(1 + rng.below(8)), at: rng.below(bytes.count + 1))
                default: bytes.removeSubrange(rng.range(in: bytes.count, maxLength: 16))
                }
            case 5:                                              // the version, a length, count or dimension changed, checksum repaired
                bytes = valid
                let field = fieldList[rng.below(fieldList.count)]
                if field.size == 4 {
                    let value = rng.below(2) == 0 ? interesting32[rng.below(interesting32.count)] : UInt32(truncatingIfNeeded: rng.next())
                    bytes.replaceSubrange(field.offset..<field.offset + 4, with: Self.le32(value))
                } else {
                    let value = rng.below(2) == 0 ? interesting64[rng.below(interesting64.count)] : Int64(bitPattern: rng.next())
                    bytes.replaceSubrange(field.offset..<field.offset + 8, with: Self.le64(value))
                }
                bytes = Self.rechecksummed(bytes)
            default:                                             // body bytes changed, inserted or removed, checksum repaired
                bytes = Array(valid.dropLast(4))
                let bodyCount = bytes.count - 12
                switch rng.below(3) {
                case 0: for _ in 0...rng.below(3) { bytes[12 + rng.below(bodyCount)] = UInt8(truncatingIfNeeded: rng.next()) }
                case 1: bytes.insert(contentsOf: rng.bytes(1 + rng.below(8)), at: 12 + rng.below(bodyCount + 1))
                default:
                    let removed = rng.range(in: bodyCount, maxLength: 12)
                    bytes.removeSubrange(12 + removed.lowerBound..<12 + removed.upperBound)
                }
                bytes = Self.withChecksum(bytes)
            }
            let data = Data(bytes)
            do {
                let decoded = try Checkpoint.decode(data)
                outcomes["decoded", default: 0] += 1
                if decoded.encoded() != data {
                    Issue.record("iteration \(iteration): decoded, but encodes to other bytes: \(bytes)")
                    break
                }
            } catch {
                let key: String
                switch error {
                case .malformed: key = "malformed"
                case .unsupportedVersion: key = "unsupportedVersion"
                default: key = "\(error)"
                }
                outcomes[key, default: 0] += 1
            }
        }
        let elapsed = ContinuousClock.now - start
        print("checkpoint fuzz: \(iterations) inputs in \(elapsed), seed \(seed): \(outcomes.sorted { $0.key < $1.key })")
        #expect(outcomes.values.reduce(0, +) == iterations)
        if iterations >= 10_000 {
            // Every path of the decoder was exercised.
            for key in ["decoded", "malformed", "unsupportedVersion", "the file is empty", "the file is truncated",
                        "the file is not a workbook checkpoint"] {
                #expect(outcomes[key, default: 0] > 0, "no input ended as \(key)")
            }
            #expect(outcomes.keys.contains { $0.hasPrefix("the checksum does not match") })
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a tiny seeded generator for reproducible tests.
struct SplitMix64 {
    var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A number in `0..<n` (`n > 0`; the tiny modulo bias does not matter here).
    mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }

    /// `count` random bytes, eight per draw.
    mutating func bytes(_ count: Int) -> [UInt8] {
        var result: [UInt8] = []
        result.reserveCapacity(count + 8)
        while result.count < count {
            let word = next()
            for shift in stride(from: 0, to: 64, by: 8) { result.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) }
        }
        result.removeLast(result.count - count)
        return result
    }

    /// A non-empty range of at most `maxLength` inside `0..<count` (`count > 0`).
    mutating func range(in count: Int, maxLength: Int) -> Range<Int> {
        let start = below(count)
        return start..<Swift.min(count, start + 1 + below(maxLength))
    }
}
