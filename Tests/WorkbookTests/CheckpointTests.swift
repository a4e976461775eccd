// Checkpoints: the safetensors format, every way a file can be wrong, loading all-or-nothing, atomic
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

    /// A file from a header's text (padded to a multiple of 8, as written) and data bytes.
    static func file(header: String, data: [UInt8] = [], pad: Bool = true) -> [UInt8] {
        var text = Array(header.utf8)
        while pad && text.count % 8 != 0 { text.append(UInt8(ascii: " ")) }
        return le64(UInt64(text.count)) + text + data
    }

    static func le64(_ value: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: value >> (8 * UInt64($0))) } }
    static func floats(_ values: [Float]) -> [UInt8] { values.flatMap { v in (0..<4).map { UInt8(truncatingIfNeeded: v.bitPattern >> (8 * UInt32($0))) } } }
    static func hex(_ bytes: [UInt8]) -> String {
        let digits = String(Checkpoint.crc32(bytes), radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    /// A header's `__metadata__` entry with the model `m` and the CRC-32 of `data`.
    static func meta(_ data: [UInt8], _ extra: String = "") -> String {
        "\"__metadata__\":{\"model\":\"m\",\"crc32\":\"\(hex(data))\"\(extra)}"
    }

    static func entry(_ name: String, _ shape: [Int], _ begin: Int, _ end: Int, dtype: String = "F32") -> String {
        "\"\(name)\":{\"dtype\":\"\(dtype)\",\"shape\":[\(shape.map(String.init).joined(separator: ","))],\"data_offsets\":[\(begin),\(end)]}"
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
                                    metadata: ["k": "v\n\"q\""])
        let data: [UInt8] = [0x00, 0x00, 0x00, 0x3F] + [0x00, 0x00, 0x80, 0x3F, 0x00, 0x00, 0x00, 0xC0]   // s = 0.5, then t = 1, -2
        let header = "{\"__metadata__\":{\"crc32\":\"\(Self.hex(data))\",\"k\":\"v\\n\\\"q\\\"\",\"model\":\"m\"},"
            + "\"s\":{\"dtype\":\"F32\",\"shape\":[],\"data_offsets\":[0,4]},\"t\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[4,12]}}"
        let expected = Self.file(header: header, data: data)
        #expect([UInt8](checkpoint.encoded()) == expected)
        #expect(expected.count % 8 == 4 && (expected.count - data.count) % 8 == 0, "the header is padded to a multiple of 8")
        #expect(try Checkpoint.decode(Data(expected)) == checkpoint)
        // Foundation's own JSON reader agrees with the header.
        let n = Int(expected[0]) | Int(expected[1]) << 8
        let json = try JSONSerialization.jsonObject(with: Data(expected[8..<8 + n])) as? [String: Any]
        #expect((json?["__metadata__"] as? [String: String])?["model"] == "m")
    }

    @Test("Model, metadata and tensors survive encode → decode, bit for bit")
    func roundTrip() throws {
        let original = Self.sample()
        let bytes = original.encoded()
        let decoded = try Checkpoint.decode(bytes)
        #expect(decoded == original)
        #expect(decoded.model == Self.drnnModel)
        #expect(decoded.metadata == original.metadata)
        // Written, and read back, in the byte order of the names.
        #expect(decoded.tensors.map(\.name) == ["W_hq", "b_q", "empty", "l0.W_hh", "l0.W_xh", "l0.b_h", "l1.W_hh", "l1.W_xh", "l1.b_h",
                                                "odd", "scalar"])
        let byName = Dictionary(uniqueKeysWithValues: decoded.tensors.map { ($0.name, $0) })
        let drnn = Self.drnn(seed: 7)
        #expect(byName["l0.W_xh"]?.values == drnn.layers[0].inputWeights.values)
        #expect(byName["scalar"]?.shape == [] && byName["scalar"]?.values == [3.5])
        #expect(byName["empty"]?.shape == [0, 4] && byName["empty"]?.values.isEmpty == true)
        let odd = byName["odd"]?.values ?? []
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
            let needle = Array("\"\(key)\"".utf8)
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
        b.path = "somewhere.safetensors"
        #expect(a == b)
        b.tensors[b.tensors.firstIndex { $0.name == "odd" }!].values[1] = 0            // +0.0 instead of -0.0
        #expect(a != b)
        b = a
        b.metadata["seed"] = "8"
        #expect(a != b)
        a.model = a.model.map { $0 + " " }
        #expect(a != Self.sample())
    }

    @Test("write(to:) then read(from:) gives the same checkpoint, remembering its path")
    func fileRoundTrip() throws {
        try Self.withTemporaryFolder { folder in
            let path = folder + "/nested/deep-rnn.safetensors"          // the folder is created
            let original = Self.sample()
            try original.write(to: path)
            let read = try Checkpoint.read(from: path, remedy: Self.remedy)
            #expect(read == original)
            #expect(read.path == path)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == original.encoded())
        }
    }

    // MARK: Damaged files

    @Test("An empty file, random bytes or a foreign file are not checkpoints; the old format is named")
    func notCheckpoints() {
        #expect(Self.decodeError([]) == .empty)
        var rng = SplitMix64(seed: 99)
        for length in [8, 15, 16, 100, 5000] {
            var bytes = rng.bytes(length)
            bytes[7] |= 0x10                                        // a header length far above 100 MB
            #expect(Self.decodeError(bytes) == .notACheckpoint, "\(length) random bytes")
        }
        #expect(Self.decodeError(Array("hello, world".utf8)) == .notACheckpoint)
        #expect(Self.decodeError(Array("\u{89}PNG\r\n\u{1A}\n".utf8) + [UInt8](repeating: 0, count: 40)) == .notACheckpoint)
        #expect(Self.decodeError(Self.le64(4) + Array("[1] ".utf8)) == .notACheckpoint)
        #expect(Self.decodeError(Self.le64(200_000_000) + Array("{}".utf8)) == .notACheckpoint, "a header above 100 MB")
        #expect(Self.decodeError(Array("RNNWBCK".utf8) + [0, 1, 0, 0, 0] + [UInt8](repeating: 7, count: 30)) == .oldFormat)
        #expect(Self.decodeError(Array("RNNW".utf8)) == .oldFormat)
    }

    @Test("A file cut short anywhere is truncated")
    func truncations() {
        let bytes = [UInt8](Self.sample().encoded())
        for length in 1..<bytes.count {
            let error = Self.decodeError(Array(bytes.prefix(length)))
            #expect(error == .truncated, "cut to \(length) of \(bytes.count) bytes")
            if error != .truncated { break }
        }
    }

    @Test("One flipped byte in the data is a checksum mismatch; in the header it is refused or shows as other content")
    func flippedBytes() throws {
        let original = Self.sample()
        let bytes = [UInt8](original.encoded())
        let headerEnd = 8 + (Int(bytes[0]) | Int(bytes[1]) << 8 | Int(bytes[2]) << 16)
        var seen: Set<String> = []
        for position in bytes.indices {
            for flip: UInt8 in [0x01, 0x80, 0xFF] {
                var damaged = bytes
                damaged[position] ^= flip
                do {
                    let decoded = try Checkpoint.decode(Data(damaged))
                    #expect(position >= 8 && position < headerEnd && decoded != original, "byte \(position) ^ \(flip) went unnoticed")
                    seen.insert("decoded")
                } catch {
                    if position >= headerEnd { #expect(error == .checksumMismatch, "byte \(position) ^ \(flip): \(error)") }
                    seen.insert(String(describing: error).prefix(20).description)
                }
            }
        }
        #expect(seen.count >= 4, "several kinds of refusal occur: \(seen)")
    }

    @Test("Headers that lie are refused with the reason named", arguments: [
        ("offsets past the data, but tiling", "{" + meta(floats([1])) + "," + entry("a", [2], 0, 8) + "}", floats([1]), "the file is truncated"),
        ("offsets past the data, with a gap", "{" + meta(floats([1, 2])) + "," + entry("a", [2], 4, 12) + "}", floats([1, 2]), "run past the data's 8 bytes"),
        ("overlapping", "{" + meta(floats([1, 2, 3])) + "," + entry("a", [2], 0, 8) + "," + entry("b", [2], 4, 12) + "}", floats([1, 2, 3]), "overlaps"),
        ("a gap", "{" + meta(floats([1, 2, 3])) + "," + entry("a", [1], 0, 4) + "," + entry("b", [1], 8, 12) + "}", floats([1, 2, 3]), "leaves a gap of 4 bytes"),
        ("trailing data", "{" + meta(floats([1, 2])) + "," + entry("a", [1], 0, 4) + "}", floats([1, 2]), "4 unexpected bytes follow"),
        ("a shape that overflows", "{" + meta([]) + "," + entry("a", [4294967296, 4294967296], 0, 0) + "}", [], "element count overflows"),
        ("a shape the offsets do not fit", "{" + meta(floats([1, 2])) + "," + entry("a", [3], 0, 8) + "}", floats([1, 2]), "span 8 bytes, not the 3 × 4"),
        ("end before begin", "{" + meta([]) + "," + entry("a", [0], 8, 0) + "}", [], "begin ≤ end"),
        ("a dtype safetensors does not write", "{" + meta(floats([1])) + "," + entry("a", [1], 0, 4, dtype: "F4") + "}", floats([1]),
         "tensor a has dtype F4, which the workbook does not know"),
        ("F16 with F32's offsets", "{" + meta(floats([1, 2])) + "," + entry("a", [2], 0, 8, dtype: "F16") + "}", floats([1, 2]),
         "span 8 bytes, not the 2 × 2 its shape needs"),
        ("rank 9", "{" + meta(floats([1])) + "," + entry("a", [1, 1, 1, 1, 1, 1, 1, 1, 1], 0, 4) + "}", floats([1]), "rank 9"),
        ("a negative dimension", "{" + meta([]) + ",\"a\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,0]}}", [], "not valid JSON: unexpected '-'"),
        ("a fractional dimension", "{" + meta([]) + ",\"a\":{\"dtype\":\"F32\",\"shape\":[1.0],\"data_offsets\":[0,4]}}", [], "a number that is not whole"),
        ("a name twice", "{" + meta(floats([1, 2])) + "," + entry("a", [1], 0, 4) + "," + entry("a", [1], 4, 8) + "}", floats([1, 2]), "the key a appears twice"),
        ("a metadata key twice", "{" + meta([], ",\"seed\":\"1\",\"seed\":\"2\"") + "}", [], "the key seed appears twice"),
        ("a field twice", "{" + meta([]) + ",\"a\":{\"dtype\":\"F32\",\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0]}}", [], "the key dtype appears twice"),
        ("invalid JSON", "{\"a\":}", [], "not valid JSON"),
        ("an unclosed object", "{" + meta([]), [], "not valid JSON: the header ends too soon"),
        ("nested too deep", "{\"a\":{\"b\":{\"c\":{}}}}", [], "nested deeper than 3"),
        ("an unknown field", "{" + meta([]) + ",\"a\":{\"dtype\":\"F32\",\"shape\":[0],\"data_offsets\":[0,0],\"x\":[]}}", [], "unexpected field x"),
        ("a missing field", "{" + meta([]) + ",\"a\":{\"dtype\":\"F32\",\"shape\":[0]}}", [], "lacks dtype, shape or data_offsets"),
        ("a metadata value not a string", "{\"__metadata__\":{\"seed\":1}}", [], "the metadata value of seed is not a string"),
        ("true", "{\"__metadata__\":true}", [], "unexpected 't'"),
        ("a control character", "{\"__metadata__\":{\"a\":\"\u{1}\"}}", [], "a control character inside a string"),
        ("a lone surrogate", "{\"__metadata__\":{\"a\":\"\\ud800\"}}", [], "a lone surrogate escape"),
        ("text after the object", "{" + meta([]) + "}x", [], "unexpected text after the header's object"),
    ] as [(String, String, [UInt8], String)])
    func lyingHeaders(what: String, header: String, data: [UInt8], phrase: String) {
        let error = Self.decodeError(Self.file(header: header, data: data))
        #expect(error?.description.contains(phrase) == true, "\(what): \(String(describing: error))")
    }

    @Test("A header that is not UTF-8, or longer than the file, is refused")
    func headerBytes() {
        var bytes = Self.file(header: "{\"__metadata__\":{\"a\":\"xx\"}}")
        bytes[8 + 22] = 0xFF
        #expect(Self.decodeError(bytes) == .malformed("the header is not valid UTF-8"))
        #expect(Self.decodeError(Self.le64(1000) + Array("{\"__metadata__\":{}}".utf8)) == .truncated)
        #expect(Self.decodeError(Self.le64(0) + [1, 2, 3, 4]) == .notACheckpoint)
    }

    @Test("Files written by PyTorch's safetensors (other key order, whitespace, data order) are read")
    func otherWriters() throws {
        let data = Self.floats([3, 4]) + Self.floats([1, 2])            // b's data first, then a's
        let header = "{ \"b\" : {\"shape\": [2], \"data_offsets\": [0, 8], \"dtype\": \"F32\"},\n"
            + " \"a\": {\"dtype\":\"F32\",\"shape\":[1,2],\"data_offsets\":[8,16]}, \"__metadata__\": {\"seed\": \"0\", \"crc32\": \"\(Self.hex(data))\", \"model\": \"m\\u00e9\"}}"
        let decoded = try Checkpoint.decode(Data(Self.file(header: header, data: data, pad: false)))
        #expect(decoded.model == "mé" && decoded.metadata == ["seed": "0"])
        #expect(decoded == Checkpoint(model: "mé", tensors: [.init(name: "a", shape: [1, 2], values: [1, 2]), .init(name: "b", shape: [2], values: [3, 4])],
                                      metadata: ["seed": "0"]))
    }

    // MARK: Files from other writers

    @Test("A safetensors file without metadata, as save_file(model.state_dict(), path) writes it, is read: no model, nothing to check")
    func plainFiles() throws {
        let data = Self.floats([1, 2, 3])
        let plain = Self.file(header: "{" + Self.entry("w", [3], 0, 12) + "}", data: data)
        let decoded = try Checkpoint.decode(Data(plain))
        #expect(decoded.model == nil && decoded.metadata.isEmpty)
        #expect(decoded.tensors == [.init(name: "w", shape: [3], values: [1, 2, 3])])
        // Without a crc32 there is no checksum: changed data reads as other values.
        var changed = plain
        changed[changed.count - 1] ^= 0x40
        #expect(try Checkpoint.decode(Data(changed)).tensors[0].values[2] != 3)
        // An empty metadata object, or other keys only (as save_file(…, metadata={"format": "pt"}) writes).
        let other = Self.file(header: "{\"__metadata__\":{\"format\":\"pt\"}," + Self.entry("w", [3], 0, 12) + "}", data: data)
        #expect(try Checkpoint.decode(Data(other)).metadata == ["format": "pt"])
        #expect(try Checkpoint.decode(Data(other)).model == nil)
        // A crc32 present is checked, with or without a model beside it.
        let right = "\"__metadata__\":{\"crc32\":\"\(Self.hex(data))\"}"
        #expect(try Checkpoint.decode(Data(Self.file(header: "{" + right + "," + Self.entry("w", [3], 0, 12) + "}", data: data))).model == nil)
        let wrong = "\"__metadata__\":{\"crc32\":\"\(Self.hex(Self.floats([9])))\"}"
        #expect(Self.decodeError(Self.file(header: "{" + wrong + "," + Self.entry("w", [3], 0, 12) + "}", data: data)) == .checksumMismatch)
        // A model without a crc32: kept, and checked when loading.
        let modelOnly = "\"__metadata__\":{\"model\":\"m\"}"
        #expect(try Checkpoint.decode(Data(Self.file(header: "{" + modelOnly + "," + Self.entry("w", [3], 0, 12) + "}", data: data))).model == "m")
        // Encoded again, such a checkpoint gains the workbook's crc32 but no model.
        let again = try Checkpoint.decode(decoded.encoded())
        #expect(again == decoded && again.model == nil)
    }

    @Test("A well-formed file of float16, bfloat16 or float64 tensors is refused by name and dtype, after the damage checks",
          arguments: [("F16", 2), ("BF16", 2), ("F64", 8)])
    func otherDtypes(dtype: String, size: Int) throws {
        let data = [UInt8](repeating: 0, count: 4 * size + 8)          // b: 4 elements of `dtype`, then a: two float32
        let header = "{" + Self.entry("b", [2, 2], 0, 4 * size, dtype: dtype) + "," + Self.entry("a", [2], 4 * size, 4 * size + 8) + "}"
        #expect(Self.decodeError(Self.file(header: header, data: data)) == .unsupportedDtype(name: "b", dtype: dtype))
        // A damaged file is damaged first.
        let wrong = "{\"__metadata__\":{\"crc32\":\"00000000\"}," + header.dropFirst()
        #expect(Self.decodeError(Self.file(header: wrong, data: data)) == .checksumMismatch)
        #expect(Self.decodeError(Array(Self.file(header: header, data: data).dropLast())) == .truncated)
        let message = Checkpoint.message(for: .unsupportedDtype(name: "b", dtype: dtype), path: "m.safetensors", remedy: Self.remedy)
        #expect(message == "m.safetensors holds b as \(dtype), not F32: the workbook reads float32 tensors only "
                + "(in PyTorch, save model.float().state_dict()); run Chapter05-Training again with the same options, or pass --retrain")
    }

    @Test("read(from:) names the file and the fix, on one line")
    func readMessages() throws {
        try Self.withTemporaryFolder { folder in
            let path = folder + "/deep-rnn.safetensors"
            #expect(Self.readError(path) == "no checkpoint at \(path): run Chapter05-Training first, or pass --retrain")

            try Data().write(to: URL(fileURLWithPath: path))
            #expect(Self.readError(path) == "\(path) is damaged (the file is empty): delete it and run Chapter05-Training again, or pass --retrain")

            let bytes = [UInt8](Self.sample().encoded())
            try Data(bytes.prefix(bytes.count - 10)).write(to: URL(fileURLWithPath: path))
            #expect(Self.readError(path) == "\(path) is damaged (the file is truncated): delete it and run Chapter05-Training again, or pass --retrain")

            try Data(Array("RNNWBCK".utf8) + [0, 1, 0, 0, 0]).write(to: URL(fileURLWithPath: path))
            #expect(Self.readError(path) == "\(path) is in the workbook's old RNNWBCK format, which it no longer reads (checkpoints are safetensors files now): "
                    + "delete it and run Chapter05-Training again, or pass --retrain")

            var flipped = bytes
            flipped[bytes.count - 6] ^= 1
            let long = String(repeating: "x", count: 5000)
            var cases: [(bytes: [UInt8], phrase: String)] = []
            cases.append((flipped, "is damaged (the checksum does not match"))
            cases.append((Array("hello, world".utf8), "is damaged (the file is not a safetensors checkpoint)"))
            cases.append((Self.file(header: "{\"__metadata__\":{}} x"), "is damaged (the file is malformed: "))
            cases.append((Self.file(header: "{" + Self.meta([]) + "," + Self.entry("a\nb", [0], 0, 0) + "," + Self.entry("a\nb", [0], 0, 0) + "}"),
                          "is damaged (the file is malformed: the header is not valid JSON: a control character inside a string"))
            cases.append((Self.file(header: "{" + Self.meta([]) + "," + Self.entry("a\\nb", [0], 0, 0) + "," + Self.entry("a\\nb", [0], 0, 0) + "}"),
                          "is damaged (the file is malformed: the header is not valid JSON: the key a\\nb appears twice"))
            cases.append((Self.file(header: "{" + Self.meta([]) + "," + Self.entry(long, [0], 0, 0, dtype: long) + "}"),
                          "is damaged (the file is malformed: tensor xxxxxxxx"))
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

    @Test("A checkpoint's path in a message is cut at 200 characters: missing, and read but not fitting")
    func longPathsAreCut() throws {
        let base = FileManager.default.temporaryDirectory.appendingPathComponent("rnn-workbook-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: base) }
        let folder = base.appendingPathComponent(String(repeating: "p", count: 120))
            .appendingPathComponent(String(repeating: "q", count: 120))
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let path = folder.appendingPathComponent("deep-rnn-scratch.safetensors").path
        #expect(path.count > 250)

        let missing = #expect(throws: WorkbookError.self) {
            _ = try Checkpoint.read(from: path, remedy: Self.remedy)
        }
        #expect(missing?.message.contains(path) == false, "\(missing?.message ?? "")")
        #expect(missing?.message.hasPrefix("no checkpoint at \(shownPath(path)):") == true, "\(missing?.message ?? "")")

        var wrongShape = Self.drnn(seed: 1).allTensors
        wrongShape[wrongShape.count - 1] = ("b_q", Tensor([1, 2]))
        try Checkpoint(model: Self.drnnModel, tensors: wrongShape).write(to: path)
        let checkpoint = try Checkpoint.read(from: path, remedy: Self.remedy)
        let refused = #expect(throws: WorkbookError.self) {
            try checkpoint.load(into: Self.drnn(seed: 2).allTensors, expectedModel: Self.drnnModel, remedy: Self.remedy)
        }
        #expect(refused?.message.contains(path) == false, "\(refused?.message ?? "")")
        #expect(refused?.message.hasPrefix("\(shownPath(path)) holds b_q of shape [2], not [1]") == true,
                "\(refused?.message ?? "")")
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
            let path = folder + "/x.safetensors"
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

    @Test("A file without a model is loaded when its names and shapes fit; a model recorded must be the expected one")
    func loadWithoutModel() throws {
        let trained = Self.drnn(seed: 1)
        let plain = try Checkpoint.decode(Checkpoint(model: nil, tensors: trained.allTensors).encoded())
        #expect(plain.model == nil)
        let fresh = Self.drnn(seed: 2)
        try plain.load(into: fresh.allTensors, expectedModel: Self.drnnModel, remedy: Self.remedy)
        #expect(fresh.allTensors.map(\.tensor.values) == trained.allTensors.map(\.tensor.values))
        // The names still decide: one missing is refused, naming what the model expects.
        let partial = Checkpoint(model: nil, tensors: Array(trained.allTensors.dropFirst()))
        #expect(partial.mismatch(with: fresh.allTensors, expectedModel: Self.drnnModel) == .missingTensor("l0.W_xh"))
        #expect(throws: WorkbookError("the checkpoint holds no tensor l0.W_xh, which the model needs "
                                      + "(it expects l0.W_xh [1, 3], l0.W_hh [3, 3], l0.b_h [3], l1.W_xh [3, 3], …, b_q [1]: 8 tensors): "
                                      + "run Chapter05-Training again with the same options, or pass --retrain")) {
            try partial.load(into: fresh.allTensors, expectedModel: Self.drnnModel, remedy: Self.remedy)
        }
        let other = Checkpoint(model: "another", tensors: trained.allTensors)
        #expect(other.mismatch(with: fresh.allTensors, expectedModel: Self.drnnModel) == .wrongModel(found: "another", expected: Self.drnnModel))
    }

    @Test("Optional tensors are loaded when the file holds them all, left as they are when it holds none, refused when it holds some")
    func optionalTensors() throws {
        let trained = Self.drnn(seed: 1), fresh = Self.drnn(seed: 2)
        let first = Array(fresh.allTensors.prefix(3)), rest = Array(fresh.allTensors.dropFirst(3))   // l0.*, then l1.*, W_hq, b_q
        let freshFirst = first.map(\.tensor.values)
        let without = Checkpoint(model: nil, tensors: Array(trained.allTensors.dropFirst(3)))
        #expect(try without.load(into: rest, optional: first, expectedModel: Self.drnnModel, remedy: Self.remedy) == false)
        #expect(first.map(\.tensor.values) == freshFirst, "the optional tensors keep their values")
        #expect(rest.map(\.tensor.values) == trained.allTensors.dropFirst(3).map(\.tensor.values))

        let some = Checkpoint(model: nil, tensors: Array(trained.allTensors.dropFirst(1)))           // l0.W_hh and l0.b_h, no l0.W_xh
        #expect(some.mismatch(with: rest, optional: first, expectedModel: Self.drnnModel) == .missingTensor("l0.W_xh"))
        #expect(throws: WorkbookError.self) { try some.load(into: rest, optional: first, expectedModel: Self.drnnModel, remedy: Self.remedy) }
        #expect(first.map(\.tensor.values) == freshFirst, "nothing changed")

        let all = Checkpoint(model: nil, tensors: trained.allTensors)
        #expect(try all.load(into: rest, optional: first, expectedModel: Self.drnnModel, remedy: Self.remedy) == true)
        #expect(first.map(\.tensor.values) == trained.allTensors.prefix(3).map(\.tensor.values))
        #expect(Checkpoint.summary(Array(rest.prefix(2)), optional: first)
                == "l1.W_xh [3, 3], l1.W_hh [3, 3], and may hold l0.W_xh, l0.W_hh, l0.b_h")
    }

    @Test("A file named with an option is refused with what to do about that option")
    func givenRemedy() throws {
        let remedy = CheckpointRemedy(givenWith: "--checkpoint brnn")
        try Self.withTemporaryFolder { folder in
            let path = folder + "/mine.safetensors"
            #expect(throws: WorkbookError("no checkpoint at \(path): check the path given to --checkpoint brnn, or leave that option out")) {
                try Checkpoint.read(from: path, remedy: remedy)
            }
            try Data().write(to: URL(fileURLWithPath: path))
            #expect(throws: WorkbookError("\(path) is damaged (the file is empty): give --checkpoint brnn another file, or leave that option out")) {
                try Checkpoint.read(from: path, remedy: remedy)
            }
        }
        #expect(Checkpoint.message(for: .shapeMismatch(name: "b_q", found: [2], expected: [1]), path: "f", remedy: remedy)
                == "f holds b_q of shape [2], not [1]: give --checkpoint brnn another file, or leave that option out")
    }

    // MARK: Atomic writes

    @Test("Writing over a checkpoint replaces it whole and leaves no temporary file")
    func atomicWrite() throws {
        try Self.withTemporaryFolder { folder in
            let path = folder + "/model.safetensors"
            let big = Self.sample()
            let small = Checkpoint(model: "small", tensors: [.init(name: "w", shape: [1], values: [4])])
            try big.write(to: path)
            try small.write(to: path)
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == small.encoded())
            #expect(try Checkpoint.read(from: path, remedy: Self.remedy) == small)
            try big.write(to: path)
            #expect(try Checkpoint.read(from: path, remedy: Self.remedy) == big)
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["model.safetensors"])

            let blocker = folder + "/not-a-folder"
            try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
            #expect(throws: WorkbookError.self) { try small.write(to: blocker + "/model.safetensors") }
            #expect(throws: WorkbookError.self) { try small.write(to: blocker + "/deeper/model.safetensors") }
            #expect(try Data(contentsOf: URL(fileURLWithPath: blocker)) == Data("x".utf8))
            #expect(try FileManager.default.contentsOfDirectory(atPath: folder).sorted() == ["model.safetensors", "not-a-folder"])
        }
    }

    // MARK: Fuzz

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
        let headerCount = Int(valid[0]) | Int(valid[1]) << 8
        let header = Array(valid[8..<8 + headerCount]), data = Array(valid[(8 + headerCount)...])
        // The header's numbers (shapes and offsets), to change one at a time.
        let digitRuns: [Range<Int>] = {
            var runs: [Range<Int>] = [], start: Int?
            for (i, byte) in header.enumerated() {
                let digit = (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
                if digit, start == nil { start = i }
                if !digit, let s = start { runs.append(s..<i); start = nil }
            }
            return runs
        }()
        let tokens = ["{", "}", "[", "]", ",", ":", "\"", "\\", "\\u", "\\ud800", "0", "-1", "1.5", "1e3", "true", "null",
                      "\"__metadata__\"", "\"F32\"", "\"F16\"", "\"dtype\"", "\"shape\"", "\"data_offsets\"", "\"W\"", "\"crc32\"",
                      "18446744073709551616", "9223372036854775807", "4294967296", " ", "\u{1}", "\u{FF}"]
        let numbers = ["0", "1", "2", "3", "4", "8", "12", "24", "36", "40", "99", "4294967296", "9223372036854775807",
                       "18446744073709551615", "3037000500", "00"]
        func withLength(_ header: [UInt8]) -> [UInt8] { Self.le64(UInt64(header.count)) + header }

        var outcomes: [String: Int] = [:]
        let start = ContinuousClock.now
        for iteration in 0..<iterations {
            var bytes: [UInt8]
            switch rng.below(8) {
            case 0:                                              // random bytes
                bytes = rng.bytes(rng.below(64))
            case 1:                                              // a small header length, then random bytes
                bytes = Self.le64(UInt64(rng.below(80))) + [UInt8(ascii: "{")] + rng.bytes(rng.below(120))
            case 2:                                              // bit flips anywhere
                bytes = valid
                for _ in 0...rng.below(4) { bytes[rng.below(bytes.count)] ^= 1 << UInt8(rng.below(8)) }
            case 3:                                              // truncation, insertion, deletion
                bytes = valid
                switch rng.below(3) {
                case 0: bytes = Array(bytes.prefix(rng.below(bytes.count + 1)))
                case 1: bytes.insert(contentsOf: rng.bytes(1 + rng.below(8)), at: rng.below(bytes.count + 1))
                default: bytes.removeSubrange(rng.range(in: bytes.count, maxLength: 16))
                }
            case 4:                                              // one of the header's numbers changed, length repaired
                var h = header
                let run = digitRuns[rng.below(digitRuns.count)]
                h.replaceSubrange(run, with: Array(numbers[rng.below(numbers.count)].utf8))
                bytes = withLength(h) + data
            case 5:                                              // JSON tokens inserted or header bytes removed, length repaired
                var h = header
                for _ in 0...rng.below(3) {
                    if rng.below(2) == 0 {
                        h.insert(contentsOf: Array(tokens[rng.below(tokens.count)].utf8), at: rng.below(h.count + 1))
                    } else if !h.isEmpty {
                        h.removeSubrange(rng.range(in: h.count, maxLength: 6))
                    }
                }
                bytes = withLength(h) + data
            case 6:                                              // the header length changed
                bytes = valid
                let value = [0, 1, 7, 8, UInt64(headerCount - 8), UInt64(headerCount + 8), UInt64(valid.count), 100_000_000, 100_000_001,
                             .max, 1 << 63][rng.below(11)]
                bytes.replaceSubrange(0..<8, with: Self.le64(value))
            default:                                             // the data changed, grown or shrunk, the CRC unchanged
                var d = data
                switch rng.below(3) {
                case 0: d[rng.below(d.count)] = UInt8(truncatingIfNeeded: rng.next())
                case 1: d.insert(contentsOf: rng.bytes(1 + rng.below(8)), at: rng.below(d.count + 1))
                default: d.removeSubrange(rng.range(in: d.count, maxLength: 12))
                }
                bytes = withLength(header) + d
            }
            let input = Data(bytes)
            do {
                let decoded = try Checkpoint.decode(input)
                outcomes["decoded", default: 0] += 1
                // Whatever decodes encodes canonically, and that decodes to the same checkpoint.
                let again = decoded.encoded()
                if (try? Checkpoint.decode(again)) != decoded || again != decoded.encoded() {
                    Issue.record("iteration \(iteration): decoded, but its canonical bytes do not decode to it: \(bytes)")
                    break
                }
            } catch {
                let key: String
                switch error {
                case .malformed: key = "malformed"
                case .unsupportedDtype: key = "unsupportedDtype"
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
            for key in ["decoded", "malformed", "the file is empty", "the file is truncated",
                        "the file is not a safetensors checkpoint"] {
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
