// Trained models on disk: one chapter program saves a checkpoint, another loads it.
//
// A checkpoint holds named float32 tensors (named as in PyTorch's `state_dict`: `0.weight_ih_l0`,
// `W_hq`, `l0.W_xh`, …), a model identifier, and string metadata (seed, epochs, …).
//
// ## File format, version 1
//
// Every integer is little-endian. A string is a UInt32 byte count followed by that many bytes of
// UTF-8 (no terminator). The file is, in order:
//
//     offset 0   magic        8 bytes: "RNNWBCK" and a zero byte (52 4E 4E 57 42 43 4B 00)
//     offset 8   version      UInt32, 1
//     offset 12  body:
//                  model            string, e.g. "DRNN(numLayers: 2, inputSize: 1, hiddenSize: 8, outputSize: 1)"
//                  metadata count   UInt32
//                  per entry:       key string, value string; keys strictly increasing in the
//                                   byte-wise order of their UTF-8 (so no key twice)
//                  tensor count     UInt32
//                  per tensor:      name string (no name twice)
//                                   rank UInt32, at most 8
//                                   rank dimensions, Int64 each, none negative (rank 0: a scalar)
//                                   the product of the dimensions float32 values, row-major,
//                                   each as its IEEE 754 bit pattern (UInt32)
//     last 4     checksum     UInt32: CRC-32 (IEEE 802.3, as zlib's `crc32`) of every byte before it
//
// Nothing follows the last tensor's values but the checksum. The encoding is canonical: the same
// checkpoint always gives the same bytes, and `decode` accepts only bytes that `encoded()` could
// have written, so `try Checkpoint.decode(b).encoded() == b` whenever decoding succeeds.
//
// ## How a reader checks a file
//
// 1. No bytes: `empty`. Not starting with the magic: `notACheckpoint` (a proper prefix of the
//    magic, or magic without room for version and checksum: `truncated`).
// 2. The checksum is checked before the body is trusted. On a mismatch the body is parsed once
//    more only to name the problem: when it runs out of bytes the file was cut short
//    (`truncated`), otherwise it changed after it was written (`checksumMismatch`).
// 3. A version other than 1: `unsupportedVersion`.
// 4. The body is parsed with every length validated against the bytes that remain before anything
//    is allocated; any violation (bad UTF-8, rank above 8, negative dimension, an element count
//    that overflows or outruns the file, a duplicate name, keys out of order, trailing bytes) is
//    `malformed`, with a phrase saying which.
//
// Decoding never traps and never allocates more than a small multiple of the file's size.

import AtomicFiles
import Foundation
import Workbook

/// Named float32 tensors, a model identifier and string metadata, as saved on disk.
///
/// Two checkpoints are equal when they would encode to the same bytes: the same model, metadata,
/// tensor names, shapes and values compared bit for bit (so `NaN == NaN` and `-0.0 != 0.0`).
/// ``path`` is not part of equality.
public struct Checkpoint: Equatable, Sendable {
    /// The file format this workbook writes and reads.
    public static let formatVersion: UInt32 = 1
    /// The first eight bytes of every checkpoint: `RNNWBCK` and a zero byte.
    public static let magic: [UInt8] = Array("RNNWBCK".utf8) + [0]
    /// The largest rank a file may declare.
    public static let maximumRank = 8

    /// What model this is, e.g. `"DRNN(numLayers: 2, inputSize: 1, hiddenSize: 8, outputSize: 1)"`;
    /// ``load(into:expectedModel:)`` refuses a checkpoint of another model.
    public var model: String
    /// The tensors, in order.
    public var tensors: [NamedValues]
    /// Free-form facts about the run (seed, epochs, …); written in sorted key order.
    public var metadata: [String: String]
    /// The file this checkpoint was read from (set by ``read(from:)``), which
    /// ``load(into:expectedModel:)`` names in its errors; `nil` for one made or decoded in memory.
    /// Neither written nor compared.
    public var path: String?

    /// One tensor's name, shape and row-major values.
    public struct NamedValues: Equatable, Sendable {
        public var name: String
        public var shape: [Int]
        public var values: [Float]

        /// `values` must fill `shape` exactly (a programming error otherwise).
        public init(name: String, shape: [Int], values: [Float]) {
            check(shape.allSatisfy { $0 >= 0 }, "checkpoint tensor \(name): negative dimension in shape \(shape)")
            check(shape.reduce(1, *) == values.count,
                  "checkpoint tensor \(name): \(values.count) values do not fill shape \(describe(shape: shape))")
            self.name = name
            self.shape = shape
            self.values = values
        }

        /// Compares values bit for bit, as the file stores them.
        public static func == (a: NamedValues, b: NamedValues) -> Bool {
            a.name == b.name && a.shape == b.shape
                && a.values.count == b.values.count
                && zip(a.values, b.values).allSatisfy { $0.bitPattern == $1.bitPattern }
        }
    }

    /// A checkpoint of `tensors`' current values (copied now).
    public init(model: String, tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) {
        self.init(model: model,
                  tensors: tensors.map { NamedValues(name: $0.name, shape: $0.tensor.shape, values: $0.tensor.values) },
                  metadata: metadata)
    }

    public init(model: String, tensors: [NamedValues], metadata: [String: String] = [:]) {
        self.model = model
        self.tensors = tensors
        self.metadata = metadata
        path = nil
    }

    /// Same model, metadata and tensors (bit for bit); ``path`` is ignored.
    public static func == (a: Checkpoint, b: Checkpoint) -> Bool {
        a.model == b.model && a.metadata == b.metadata && a.tensors == b.tensors
    }

    // MARK: Encoding

    /// The file's bytes (deterministic: the same checkpoint always gives the same bytes).
    ///
    /// Duplicate tensor names, a rank above ``maximumRank`` or values that do not fill their shape
    /// are programming errors and stop the program.
    public func encoded() -> Data {
        var bytes = Checkpoint.magic
        bytes.reserveCapacity(64 + model.utf8.count + tensors.reduce(0) { $0 + 16 + $1.name.utf8.count + 8 * $1.shape.count + 4 * $1.values.count })
        append(Checkpoint.formatVersion, to: &bytes)
        append(model, to: &bytes)
        append(UInt32(metadata.count), to: &bytes)
        for (key, value) in metadata.sorted(by: { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }) {
            append(key, to: &bytes)
            append(value, to: &bytes)
        }
        check(tensors.count <= Int(UInt32.max), "a checkpoint holds at most \(UInt32.max) tensors")
        append(UInt32(tensors.count), to: &bytes)
        var names = Set<String>()
        for tensor in tensors {
            check(names.insert(tensor.name).inserted, "checkpoint: the tensor name \(tensor.name) appears twice")
            check(tensor.shape.count <= Checkpoint.maximumRank,
                  "checkpoint tensor \(tensor.name): rank \(tensor.shape.count) is above \(Checkpoint.maximumRank)")
            check(tensor.shape.allSatisfy { $0 >= 0 } && tensor.shape.reduce(1, *) == tensor.values.count,
                  "checkpoint tensor \(tensor.name): \(tensor.values.count) values do not fill shape \(describe(shape: tensor.shape))")
            append(tensor.name, to: &bytes)
            append(UInt32(tensor.shape.count), to: &bytes)
            for dimension in tensor.shape { append(UInt64(bitPattern: Int64(dimension)), to: &bytes) }
            for value in tensor.values { append(value.bitPattern, to: &bytes) }
        }
        append(Checkpoint.crc32(bytes), to: &bytes)
        return Data(bytes)
    }

    private func append(_ value: UInt32, to bytes: inout [UInt8]) {
        bytes.append(UInt8(truncatingIfNeeded: value))
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value >> 16))
        bytes.append(UInt8(truncatingIfNeeded: value >> 24))
    }

    private func append(_ value: UInt64, to bytes: inout [UInt8]) {
        append(UInt32(truncatingIfNeeded: value), to: &bytes)
        append(UInt32(truncatingIfNeeded: value >> 32), to: &bytes)
    }

    private func append(_ string: String, to bytes: inout [UInt8]) {
        let utf8 = string.utf8
        check(utf8.count <= Int(UInt32.max), "checkpoint: a string of \(utf8.count) bytes is too long")
        append(UInt32(utf8.count), to: &bytes)
        bytes.append(contentsOf: utf8)
    }

    // MARK: Decoding

    /// Parses a checkpoint file's bytes.
    ///
    /// Throws a ``CheckpointError`` for anything wrong (see the file's header for the order of the
    /// checks); never traps, never reads out of bounds, and validates every length against the
    /// bytes that remain before allocating for it.
    public static func decode(_ data: Data) throws(CheckpointError) -> Checkpoint {
        let bytes = [UInt8](data)
        if bytes.isEmpty { throw .empty }
        if bytes.count < magic.count {
            throw bytes.elementsEqual(magic.prefix(bytes.count)) ? .truncated : .notACheckpoint
        }
        guard bytes.prefix(magic.count).elementsEqual(magic) else { throw .notACheckpoint }
        let headerSize = magic.count + 4, checksumSize = 4
        guard bytes.count >= headerSize + checksumSize else { throw .truncated }
        let bodyEnd = bytes.count - checksumSize
        var reader = ByteReader(bytes: bytes, position: magic.count, end: bodyEnd)
        // Cannot fail: the length was checked above.
        let version = (try? reader.uint32("the version")) ?? 0
        let stored = ByteReader(bytes: bytes, position: bodyEnd, end: bytes.count).peekUInt32()
        let checksumMatches = stored == crc32(bytes[0..<bodyEnd])

        if !checksumMatches {
            // Parse only to tell a file cut short from one changed in place.
            guard version == formatVersion else { throw .checksumMismatch }
            do throws(BodyError) {
                _ = try parseBody(&reader)
            } catch .runsOut {
                throw .truncated
            } catch {}
            throw .checksumMismatch
        }
        guard version == formatVersion else { throw .unsupportedVersion(version) }
        do throws(BodyError) {
            return try parseBody(&reader)
        } catch {
            switch error {
            case .runsOut(let what): throw .malformed("\(what) runs past the end of the file")
            case .invalid(let what): throw .malformed(what)
            }
        }
    }

    /// Why the body could not be parsed: it ended too soon, or it broke a rule.
    private enum BodyError: Error {
        case runsOut(String)
        case invalid(String)
    }

    /// Little-endian fields from `bytes[position..<end]`, each checked against `end` first.
    private struct ByteReader {
        let bytes: [UInt8]
        var position: Int
        let end: Int

        var remaining: Int { end - position }

        /// The range of the next `count` bytes, consumed.
        mutating func take(_ count: Int, _ what: @autoclosure () -> String) throws(BodyError) -> Range<Int> {
            guard count >= 0, count <= remaining else { throw .runsOut(what()) }
            defer { position += count }
            return position..<position + count
        }

        func peekUInt32() -> UInt32 {
            var value: UInt32 = 0
            for i in 0..<Swift.min(4, remaining) { value |= UInt32(bytes[position + i]) << (8 * UInt32(i)) }
            return value
        }

        mutating func uint32(_ what: @autoclosure () -> String) throws(BodyError) -> UInt32 {
            let range = try take(4, what())
            return UInt32(bytes[range.lowerBound]) | UInt32(bytes[range.lowerBound + 1]) << 8
                | UInt32(bytes[range.lowerBound + 2]) << 16 | UInt32(bytes[range.lowerBound + 3]) << 24
        }

        mutating func int64(_ what: @autoclosure () -> String) throws(BodyError) -> Int64 {
            let low = UInt64(try uint32(what())), high = UInt64(try uint32(what()))
            return Int64(bitPattern: low | high << 32)
        }

        /// A count of items each taking at least `minimumSize` bytes, checked against what remains.
        mutating func count(_ what: String, minimumSize: Int) throws(BodyError) -> Int {
            let count = Int(try uint32(what))
            guard count <= remaining / minimumSize else {
                throw .runsOut("\(what) \(count) (\(count) × at least \(minimumSize) bytes)")
            }
            return count
        }

        mutating func string(_ what: @autoclosure () -> String) throws(BodyError) -> String {
            let length = Int(try uint32("the length of \(what())"))
            let range = try take(length, what())
            guard let string = String(validating: bytes[range], as: UTF8.self) else {
                throw .invalid("\(what()) is not valid UTF-8")
            }
            return string
        }
    }

    /// The body, from the model string to the end of the last tensor's values.
    private static func parseBody(_ reader: inout ByteReader) throws(BodyError) -> Checkpoint {
        let model = try reader.string("the model identifier")

        let metadataCount = try reader.count("the metadata count", minimumSize: 8)
        var metadata: [String: String] = [:]
        metadata.reserveCapacity(metadataCount)
        var previousKey: String?
        for index in 0..<metadataCount {
            let key = try reader.string("metadata key \(index)")
            let value = try reader.string("the value of metadata key \(key)")
            if let previousKey, !previousKey.utf8.lexicographicallyPrecedes(key.utf8) {
                throw .invalid("the metadata key \(key) is out of order or repeated")
            }
            guard metadata.updateValue(value, forKey: key) == nil else {
                throw .invalid("the metadata key \(key) appears twice")
            }
            previousKey = key
        }

        let tensorCount = try reader.count("the tensor count", minimumSize: 8)
        var tensors: [NamedValues] = []
        tensors.reserveCapacity(tensorCount)
        var names = Set<String>()
        for index in 0..<tensorCount {
            let name = try reader.string("the name of tensor \(index)")
            guard names.insert(name).inserted else { throw .invalid("the tensor name \(name) appears twice") }
            let rank = try reader.uint32("the rank of tensor \(name)")
            guard rank <= UInt32(maximumRank) else {
                throw .invalid("tensor \(name) has rank \(rank), above the maximum \(maximumRank)")
            }
            var shape: [Int] = []
            shape.reserveCapacity(Int(rank))
            var elements = 1
            for _ in 0..<Int(rank) {
                let dimension = try reader.int64("the shape of tensor \(name)")
                guard dimension >= 0, let size = Int(exactly: dimension) else {
                    throw .invalid("tensor \(name) has the negative dimension \(dimension)")
                }
                shape.append(size)
                let (product, overflow) = elements.multipliedReportingOverflow(by: size)
                guard !overflow else { throw .invalid("tensor \(name)'s element count overflows") }
                elements = product
            }
            guard elements <= reader.remaining / 4 else {
                throw .runsOut("the \(elements) values of tensor \(name) of shape \(describe(shape: shape))")
            }
            let range = try reader.take(4 * elements, "the values of tensor \(name)")
            let values = [Float](unsafeUninitializedCapacity: elements) { buffer, initialized in
                var p = range.lowerBound
                for i in 0..<elements {
                    let bits = UInt32(reader.bytes[p]) | UInt32(reader.bytes[p + 1]) << 8
                        | UInt32(reader.bytes[p + 2]) << 16 | UInt32(reader.bytes[p + 3]) << 24
                    buffer[i] = Float(bitPattern: bits)
                    p += 4
                }
                initialized = elements
            }
            tensors.append(NamedValues(name: name, shape: shape, values: values))
        }
        guard reader.remaining == 0 else {
            throw .invalid("\(reader.remaining) unexpected bytes follow the last tensor")
        }
        return Checkpoint(model: model, tensors: tensors, metadata: metadata)
    }

    // MARK: Files

    /// Writes the checkpoint to `path` atomically (``AtomicFile``), creating its folder when missing.
    /// Throws a ``WorkbookError`` when the file cannot be written.
    public func write(to path: String) throws {
        try AtomicFile.write(encoded(), to: path)
    }

    /// Reads and decodes the checkpoint at `path`, remembering `path` in ``path``.
    ///
    /// Throws a ``WorkbookError`` whose one-line message names the file and says what to do: when
    /// there is no file, when it cannot be read, when it is damaged, or of another format version.
    public static func read(from path: String, remedy: CheckpointRemedy) throws -> Checkpoint {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw WorkbookError("no checkpoint at \(path): run \(remedy.program) first, or pass \(remedy.skipFlag)")
        }
        guard !isFolder.boolValue else {
            throw WorkbookError("\(path) is a folder, not a checkpoint: remove it or choose another path, or pass \(remedy.skipFlag)")
        }
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw WorkbookError("cannot read \(path): check that it is readable, or delete it and run \(remedy.program) again")
        }
        do {
            var checkpoint = try decode(data)
            checkpoint.path = path
            return checkpoint
        } catch {
            throw WorkbookError(message(for: error, path: path, remedy: remedy))
        }
    }

    /// The one-line message for `error` met in the checkpoint at `path`: what is wrong, and what
    /// to do about it.
    public static func message(for error: CheckpointError, path: String, remedy: CheckpointRemedy) -> String {
        let again = "run \(remedy.program) again with the same options, or pass \(remedy.skipFlag)"
        switch error {
        case .empty, .notACheckpoint, .truncated, .checksumMismatch, .malformed:
            return "\(path) is damaged (\(oneLine(error.description))): delete it and run \(remedy.program) again, or pass \(remedy.skipFlag)"
        case .unsupportedVersion(let version):
            return "\(path) has format version \(version); this workbook reads version \(formatVersion): run \(remedy.program) again, or pass \(remedy.skipFlag)"
        case .wrongModel(let found, let expected):
            return "\(path) holds \(oneLine(found)), not \(oneLine(expected)): \(again)"
        case .missingTensor(let name):
            return "\(path) holds no tensor \(oneLine(name)), which the model needs: \(again)"
        case .unexpectedTensor(let name):
            return "\(path) holds a tensor \(oneLine(name)) the model does not have: \(again)"
        case .shapeMismatch(let name, let found, let expected):
            return "\(path) holds \(oneLine(name)) of shape \(describe(shape: found)), not \(describe(shape: expected)): \(again)"
        case .nonFiniteValue(let name, let index, let value):
            return "\(path) holds \(value.isNaN ? "NaN" : value > 0 ? "inf" : "-inf") at element \(index) of \(oneLine(name)), "
                + "not a weight a model can use: delete it and run \(remedy.program) again, or pass \(remedy.skipFlag)"
        }
    }

    // MARK: Loading into a model

    /// The first reason the checkpoint does not fit `tensors` of the model `expectedModel`, or
    /// `nil` when it fits: same model identifier, the same set of names, the same shapes.
    public func mismatch(with tensors: [(name: String, tensor: Tensor)], expectedModel: String) -> CheckpointError? {
        if model != expectedModel { return .wrongModel(found: model, expected: expectedModel) }
        var stored: [String: NamedValues] = [:]
        for entry in self.tensors { stored[entry.name] = entry }
        var wanted = Set<String>()
        for (name, tensor) in tensors {
            check(wanted.insert(name).inserted, "load(into:): the tensor name \(name) appears twice")
            guard let entry = stored[name] else { return .missingTensor(name) }
            if entry.shape != tensor.shape { return .shapeMismatch(name: name, found: entry.shape, expected: tensor.shape) }
        }
        if let extra = self.tensors.first(where: { !wanted.contains($0.name) }) { return .unexpectedTensor(extra.name) }
        // A valid checksum proves the bytes are as written, not that the model is usable: a NaN or
        // infinite weight would only show later as a `nan` loss.
        for entry in self.tensors {
            if let index = entry.values.firstIndex(where: { !$0.isFinite }) {
                return .nonFiniteValue(name: entry.name, index: index, value: entry.values[index])
            }
        }
        return nil
    }

    /// Copies the stored values into `tensors` (matched by name) only when everything fits: the
    /// model identifier is `expectedModel`, the names are the same set, and every shape matches.
    /// Otherwise throws and changes nothing, so a model is never half-loaded.
    ///
    /// Throws a ``WorkbookError`` whose message names ``path`` (set by ``read(from:)``; "the
    /// checkpoint" when `nil`). Use ``mismatch(with:expectedModel:)`` for the bare reason.
    public func load(into tensors: [(name: String, tensor: Tensor)], expectedModel: String, remedy: CheckpointRemedy) throws {
        if let problem = mismatch(with: tensors, expectedModel: expectedModel) {
            throw WorkbookError(Checkpoint.message(for: problem, path: path ?? "the checkpoint", remedy: remedy))
        }
        var stored: [String: NamedValues] = [:]
        for entry in self.tensors { stored[entry.name] = entry }
        for (name, tensor) in tensors {
            // Present with the right shape: mismatch(with:) checked every one.
            guard let entry = stored[name] else { continue }
            tensor.assign(Tensor(entry.values, shape: entry.shape))
        }
    }

    // MARK: CRC-32

    /// The CRC-32 of `bytes` (IEEE 802.3, reflected polynomial 0xEDB88320, as zlib's `crc32`):
    /// `crc32("123456789") == 0xCBF43926`.
    public static func crc32(_ bytes: some Sequence<UInt8>) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes { crc = crcTable[Int((crc ^ UInt32(byte)) & 0xFF)] ^ (crc >> 8) }
        return crc ^ 0xFFFF_FFFF
    }

    private static let crcTable: [UInt32] = (0..<256).map { n in
        var c = UInt32(n)
        for _ in 0..<8 { c = c & 1 == 1 ? 0xEDB8_8320 ^ (c >> 1) : c >> 1 }
        return c
    }
}

/// What a message about an unusable checkpoint tells the reader to do: run `program`, which
/// writes the checkpoints, (again), or pass `skipFlag`, which does without them.
public struct CheckpointRemedy: Sendable, Equatable {
    public let program: String
    public let skipFlag: String

    public init(program: String, skipFlag: String) { (self.program, self.skipFlag) = (program, skipFlag) }
}

/// Stops with `message` when `condition` is false: for programming errors (a shape that does not
/// fit its values), never for the bytes of a file.
private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

/// Keeps a message on one line and short when a name read from a file holds line breaks, escape
/// sequences or other controls (shown escaped, `\u{1B}`), or is very long (cut, with "…").
private func oneLine(_ text: String) -> String {
    excerpt(text, limit: 200)
}

/// What is wrong with a checkpoint's bytes, or why it does not fit a model.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file has no bytes.
    case empty
    /// The file does not start with the checkpoint magic.
    case notACheckpoint
    /// The file was written by a format version this workbook does not read.
    case unsupportedVersion(UInt32)
    /// The file ends too soon.
    case truncated
    /// The file's bytes changed after it was written.
    case checksumMismatch
    /// The checksum matches but the body breaks the format; the phrase says how.
    case malformed(String)
    /// The checkpoint is of another model.
    case wrongModel(found: String, expected: String)
    /// The model has a tensor the checkpoint lacks.
    case missingTensor(String)
    /// The checkpoint has a tensor the model lacks.
    case unexpectedTensor(String)
    /// A tensor's stored shape differs from the model's.
    case shapeMismatch(name: String, found: [Int], expected: [Int])
    /// A stored value is NaN or infinite (the first one met, in the file's order).
    case nonFiniteValue(name: String, index: Int, value: Float)

    /// A short phrase, such as "the file is truncated".
    public var description: String {
        switch self {
        case .empty: "the file is empty"
        case .notACheckpoint: "the file is not a workbook checkpoint"
        case .unsupportedVersion(let version):
            "the file has format version \(version); this workbook reads version \(Checkpoint.formatVersion)"
        case .truncated: "the file is truncated"
        case .checksumMismatch: "the checksum does not match: the file changed after it was written"
        case .malformed(let what): "the file is malformed: \(what)"
        case .wrongModel(let found, let expected): "the checkpoint holds \(found), not \(expected)"
        case .missingTensor(let name): "the checkpoint has no tensor \(name)"
        case .unexpectedTensor(let name): "the checkpoint has a tensor \(name) the model does not have"
        case .shapeMismatch(let name, let found, let expected):
            "the tensor \(name) has shape \(describe(shape: found)) in the checkpoint, not \(describe(shape: expected))"
        case .nonFiniteValue(let name, let index, let value):
            "the tensor \(name) holds \(value) at element \(index)"
        }
    }
}
