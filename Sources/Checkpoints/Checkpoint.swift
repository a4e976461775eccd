// Trained models on disk: one chapter program saves a checkpoint, another loads it.
//
// A checkpoint is a safetensors file (Hugging Face's format, which PyTorch, JAX and NumPy open
// with `safetensors.torch.load_file` / `safetensors.numpy.load_file`). It holds named float32
// tensors, named as in the PyTorch model's `state_dict` (`0.weight_ih_l0`, `1.W_hq`, `fW_xh`, …),
// and string metadata: the model's description, the run's settings (seed, epochs, …) and a CRC-32.
// A file PyTorch writes with `save_file(model.state_dict(), path)` has no metadata at all; it is
// read too, and the tensors' names and shapes decide whether it fits a model, as PyTorch's
// `load_state_dict(strict=True)` decides.
//
// ## File format
//
//     offset 0   header length  n, UInt64 little-endian, at most 100 MB
//     offset 8   header         n bytes of UTF-8 JSON, padded with spaces to a multiple of 8:
//                                 {"__metadata__":{"crc32":"…","model":"…","seed":"0",…},
//                                  "name":{"dtype":"F32","shape":[8,8],"data_offsets":[b,e]},…}
//     offset 8+n data           every tensor's values, row-major, little-endian IEEE 754 float32;
//                               a tensor's bytes are data[b..<e] (offsets relative to the data)
//
// The workbook's metadata holds `model` (e.g. "DRNN(numLayers: 2, …)"), `crc32` (the CRC-32 of the
// data section, IEEE 802.3 as zlib's `crc32`, eight lowercase hex digits) and the run's settings;
// other writers' files may hold any metadata or none. The workbook writes canonically: keys in
// the byte order of their UTF-8 (`__metadata__` first, then the tensors by name), no whitespace
// but the padding, the tensors' data in the same order, so the same checkpoint always gives the
// same bytes. It reads any key order (as PyTorch writes it).
//
// ## How a reader checks a file
//
// 1. No bytes: `empty`. Starting with "RNNWBCK": `oldFormat`, the workbook's format before
//    safetensors. Fewer than 8 bytes: `truncated`.
// 2. A header length above 100 MB, or a header that does not start with `{`: `notACheckpoint`;
//    one beyond the end of the file: `truncated`.
// 3. The header must be UTF-8 and strict JSON (no key twice in an object, depth at most 3, only
//    the fields above, a whole-byte dtype safetensors writes, rank at most 8, a shape whose element count
//    does not overflow and whose byte count at its dtype's size is the offsets' span), else
//    `malformed`, with a phrase saying which.
// 4. The tensors' byte ranges must tile the data section exactly, in some order (no overlap, no
//    gap, nothing after): a data section shorter than the ranges is `truncated`, anything else
//    `malformed`.
// 5. A `crc32` in the metadata that does not match the data: `checksumMismatch`. Without one (a
//    file not written by the workbook) there is nothing to check: safetensors has no checksum.
// 6. A tensor of a dtype other than F32 (a model saved in float16 or float64): `unsupportedDtype`.
//
// Whether the tensors fit a model is checked when loading (`load(into:optional:expectedModel:remedy:)`):
// the `model` in the metadata, when there is one, must be the expected model; the names must be
// the model's, every one present (a model's optional ones all or none) and none other; each shape
// must be the model's, and every value finite.
//
// Decoding never traps and never allocates more than a small multiple of the file's size. A file
// is read in the order of the checks: its length, the header it declares, and its data only once
// steps 1–4 have passed, so a file larger than its header says is refused from its first bytes.
// A reader that knows the model it loads has the declared names, dtypes and shapes checked
// against it before any data is read (`read(from:remedy:fits:)`): a file whose header
// honestly declares gigabytes of tensors the model does not have costs only its header.

import AtomicFiles
import Foundation
import Workbook

/// Named float32 tensors, a model identifier and string metadata, as saved on disk.
///
/// Two checkpoints are equal when they would encode to the same bytes: the same model, metadata,
/// tensor names, shapes and values compared bit for bit (so `NaN == NaN` and `-0.0 != 0.0`), in
/// any order. ``path`` is not part of equality.
public struct Checkpoint: Equatable, Sendable {
    /// The largest header a file may declare: 100 MB.
    public static let maximumHeaderSize = 100_000_000
    /// The first bytes of a checkpoint in the workbook's old format (before safetensors).
    public static let oldMagic: [UInt8] = Array("RNNWBCK".utf8)
    /// The largest rank a file may declare.
    public static let maximumRank = 8
    /// The metadata keys the format itself uses; a run's settings take other names.
    public static let reservedKeys: Set<String> = ["model", "crc32"]

    /// What model this is, e.g. `"DRNN(numLayers: 2, inputSize: 1, hiddenSize: 8, outputSize: 1)"`;
    /// ``load(into:optional:expectedModel:remedy:)`` refuses a checkpoint of another model. `nil` for
    /// a file whose metadata does not say (as PyTorch's `save_file(model.state_dict(), path)` writes).
    public var model: String?
    /// The tensors, in order (written sorted by name).
    public var tensors: [NamedValues]
    /// Free-form facts about the run (seed, epochs, …), without the reserved keys `model` and `crc32`.
    public var metadata: [String: String]
    /// The file this checkpoint was read from (set by ``read(from:remedy:)``), which
    /// ``load(into:optional:expectedModel:remedy:)`` names in its errors; `nil` for one made or decoded in memory.
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
    public init(model: String?, tensors: [(name: String, tensor: Tensor)], metadata: [String: String] = [:]) {
        self.init(model: model,
                  tensors: tensors.map { NamedValues(name: $0.name, shape: $0.tensor.shape, values: $0.tensor.values) },
                  metadata: metadata)
    }

    public init(model: String?, tensors: [NamedValues], metadata: [String: String] = [:]) {
        self.model = model
        self.tensors = tensors
        self.metadata = metadata
        path = nil
    }

    /// Same model, metadata and tensors (bit for bit, in any order); ``path`` is ignored.
    public static func == (a: Checkpoint, b: Checkpoint) -> Bool {
        a.model == b.model && a.metadata == b.metadata && a.sortedTensors == b.sortedTensors
    }

    /// The tensors in the byte order of their names' UTF-8, as they are written.
    var sortedTensors: [NamedValues] { tensors.sorted { $0.name.utf8.lexicographicallyPrecedes($1.name.utf8) } }

    // MARK: Encoding

    /// The file's bytes (deterministic: the same checkpoint always gives the same bytes).
    ///
    /// Duplicate tensor names, a tensor named `__metadata__`, a reserved metadata key, a rank above
    /// ``maximumRank`` or values that do not fill their shape are programming errors and stop the program.
    public func encoded() -> Data {
        var data: [UInt8] = []
        data.reserveCapacity(tensors.reduce(0) { $0 + 4 * $1.values.count })
        var entries: [(String, String)] = []
        var names = Set<String>()
        for tensor in sortedTensors {
            check(names.insert(tensor.name).inserted, "checkpoint: the tensor name \(tensor.name) appears twice")
            check(tensor.name != "__metadata__", "checkpoint: a tensor cannot be named __metadata__")
            check(tensor.shape.count <= Checkpoint.maximumRank,
                  "checkpoint tensor \(tensor.name): rank \(tensor.shape.count) is above \(Checkpoint.maximumRank)")
            check(tensor.shape.allSatisfy { $0 >= 0 } && tensor.shape.reduce(1, *) == tensor.values.count,
                  "checkpoint tensor \(tensor.name): \(tensor.values.count) values do not fill shape \(describe(shape: tensor.shape))")
            let begin = data.count
            for value in tensor.values {
                let bits = value.bitPattern
                for i in 0..<4 { data.append(UInt8(truncatingIfNeeded: bits >> (8 * UInt32(i)))) }
            }
            let shape = tensor.shape.map(String.init).joined(separator: ",")
            entries.append((tensor.name, "{\"dtype\":\"F32\",\"shape\":[\(shape)],\"data_offsets\":[\(begin),\(data.count)]}"))
        }
        check(metadata.keys.allSatisfy { !Checkpoint.reservedKeys.contains($0) },
              "checkpoint: the metadata keys model and crc32 are the format's own")
        var all = metadata
        if let model { all["model"] = model }
        all["crc32"] = Checkpoint.hex(Checkpoint.crc32(data))
        let meta = all.sorted { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) }
            .map { "\(jsonString($0.key)):\(jsonString($0.value))" }.joined(separator: ",")
        var header = Array("{\"__metadata__\":{\(meta)}".utf8)
        for (name, entry) in entries { header += Array(",\(jsonString(name)):\(entry)".utf8) }
        header.append(UInt8(ascii: "}"))
        while header.count % 8 != 0 { header.append(UInt8(ascii: " ")) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(8 + header.count + data.count)
        for i in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: UInt64(header.count) >> (8 * UInt64(i)))) }
        return Data(bytes + header + data)
    }

    /// Eight lowercase hex digits.
    static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 8 - digits.count) + digits
    }

    // MARK: Decoding

    /// Parses a checkpoint file's bytes.
    ///
    /// Throws a ``CheckpointError`` for anything wrong (see the file's header for the order of the
    /// checks); never traps, never reads out of bounds, and validates every length against the
    /// bytes that remain before allocating for it.
    public static func decode(_ data: Data) throws(CheckpointError) -> Checkpoint {
        let bytes = [UInt8](data)
        return try values(bytes, layout(bytes, fileSize: bytes.count))
    }

    /// What a file's header declares, checked against the file's size: where the header ends, the
    /// metadata, and each tensor's dtype, shape and byte range in the data section, which they tile.
    struct Layout {
        let headerEnd: Int
        let metadata: [String: String]
        /// In the header's order.
        let entries: [(name: String, dtype: String, shape: [Int], range: Range<Int>)]
    }

    /// The length in the first 8 bytes of a file (little-endian), or nil when there are fewer.
    static func headerLength(_ bytes: [UInt8]) -> UInt64? {
        guard bytes.count >= 8 else { return nil }
        var length: UInt64 = 0
        for i in 0..<8 { length |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        return length
    }

    /// Checks steps 1–4 (see the file's header) on the first bytes of a file of `fileSize` bytes,
    /// reading none of its data: `bytes` holds the length and the header it declares when the file
    /// is long enough for them, else at least its first 9 bytes (all of them when it has fewer).
    static func layout(_ bytes: [UInt8], fileSize: Int) throws(CheckpointError) -> Layout {
        if fileSize == 0 { throw .empty }
        if bytes.starts(with: oldMagic) || (fileSize < oldMagic.count && oldMagic.starts(with: bytes)) { throw .oldFormat }
        guard let length = headerLength(bytes), fileSize >= 8 else { throw .truncated }
        guard length <= UInt64(maximumHeaderSize) else { throw .notACheckpoint }
        guard length <= UInt64(fileSize - 8) else {
            throw fileSize > 8 && bytes[8] != UInt8(ascii: "{") ? .notACheckpoint : .truncated
        }
        let headerEnd = 8 + Int(length)
        guard length > 0, bytes[8] == UInt8(ascii: "{") else { throw .notACheckpoint }
        guard String(validating: bytes[8..<headerEnd], as: UTF8.self) != nil else {
            throw .malformed("the header is not valid UTF-8")
        }
        var parser = JSONParser(bytes: bytes, position: 8, end: headerEnd)
        let top: JSONValue
        do throws(JSONParser.Failure) {
            top = try parser.document()
        } catch {
            throw .malformed("the header is not valid JSON: \(error.what) at byte \(error.offset)")
        }
        guard case .object(let fields) = top else { throw .malformed("the header is not a JSON object") }

        var metadata: [String: String] = [:]
        var layout: [(name: String, dtype: String, shape: [Int], range: Range<Int>)] = []
        for (key, value) in fields {
            if key == "__metadata__" {
                guard case .object(let entries) = value else { throw .malformed("__metadata__ is not an object") }
                for (k, v) in entries {
                    guard case .string(let text) = v else { throw .malformed("the metadata value of \(k) is not a string") }
                    metadata[k] = text
                }
                continue
            }
            guard case .object(let entry) = value else { throw .malformed("the entry of tensor \(key) is not an object") }
            var dtype: String?, shape: [Int]?, offsets: [Int]?
            for (field, v) in entry {
                switch (field, v) {
                case ("dtype", .string(let s)): dtype = s
                case ("shape", .array(let a)): shape = try integers(a, "the shape of tensor \(key)")
                case ("data_offsets", .array(let a)): offsets = try integers(a, "the data_offsets of tensor \(key)")
                default: throw .malformed("tensor \(key) has an unexpected field \(field)")
                }
            }
            guard let dtype, let shape, let offsets else {
                throw .malformed("tensor \(key) lacks dtype, shape or data_offsets")
            }
            guard let size = elementSizes[dtype] else {
                throw .malformed("tensor \(key) has dtype \(dtype), which the workbook does not know")
            }
            guard shape.count <= maximumRank else {
                throw .malformed("tensor \(key) has rank \(shape.count), above the maximum \(maximumRank)")
            }
            var elements = 1
            for size in shape {
                let (product, overflow) = elements.multipliedReportingOverflow(by: size)
                guard !overflow else { throw .malformed("tensor \(key)'s element count overflows") }
                elements = product
            }
            guard offsets.count == 2, offsets[0] <= offsets[1] else {
                throw .malformed("tensor \(key)'s data_offsets are not [begin, end] with begin ≤ end")
            }
            let (byteCount, overflow) = elements.multipliedReportingOverflow(by: size)
            guard !overflow, offsets[1] - offsets[0] == byteCount else {
                throw .malformed("tensor \(key)'s data_offsets span \(offsets[1] - offsets[0]) bytes, not the \(elements) × \(size) its shape needs")
            }
            layout.append((key, dtype, shape, offsets[0]..<offsets[1]))
        }
        // The byte ranges must tile the data section: sorted by start, each begins where the last ended.
        let dataSize = fileSize - headerEnd
        let ordered = layout.sorted { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        if let last = ordered.last?.range.upperBound, last > dataSize {
            var covered = 0
            for entry in ordered where entry.range.lowerBound == covered { covered = entry.range.upperBound }
            // Ranges that tile but outrun the file: it was cut short; otherwise the header lies.
            throw covered == last ? .truncated : .malformed("a tensor's data_offsets run past the data's \(dataSize) bytes")
        }
        var position = 0
        for entry in ordered {
            guard entry.range.lowerBound == position else {
                throw .malformed(entry.range.lowerBound < position
                    ? "the data of tensor \(entry.name) overlaps another's"
                    : "the data before tensor \(entry.name) leaves a gap of \(entry.range.lowerBound - position) bytes")
            }
            position = entry.range.upperBound
        }
        guard position == dataSize else { throw .malformed("\(dataSize - position) unexpected bytes follow the last tensor's data") }
        return Layout(headerEnd: headerEnd, metadata: metadata, entries: layout)
    }

    /// Checks steps 5 and 6 and reads the values: `bytes` is the whole file, whose `layout` is checked.
    static func values(_ bytes: [UInt8], _ layout: Layout) throws(CheckpointError) -> Checkpoint {
        let headerEnd = layout.headerEnd
        var metadata = layout.metadata
        let ordered = layout.entries.sorted { ($0.range.lowerBound, $0.range.upperBound) < ($1.range.lowerBound, $1.range.upperBound) }
        // The workbook's checksum, when the file has one; other writers' files have none to check.
        if let stored = metadata.removeValue(forKey: "crc32"), stored != hex(crc32(bytes[headerEnd...])) {
            throw .checksumMismatch
        }
        let model = metadata.removeValue(forKey: "model")
        // A well-formed file of another dtype, in the header's order: a model saved in float16 or float64.
        if let other = layout.entries.first(where: { $0.dtype != "F32" }) {
            throw .unsupportedDtype(name: other.name, dtype: other.dtype)
        }

        var tensors: [NamedValues] = []
        tensors.reserveCapacity(ordered.count)
        for entry in ordered {
            let count = entry.range.count / 4
            let values = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
                var p = headerEnd + entry.range.lowerBound
                for i in 0..<count {
                    let bits = UInt32(bytes[p]) | UInt32(bytes[p + 1]) << 8 | UInt32(bytes[p + 2]) << 16 | UInt32(bytes[p + 3]) << 24
                    buffer[i] = Float(bitPattern: bits)
                    p += 4
                }
                initialized = count
            }
            tensors.append(NamedValues(name: entry.name, shape: entry.shape, values: values))
        }
        return Checkpoint(model: model, tensors: tensors, metadata: metadata)
    }

    /// The bytes of one element of each whole-byte dtype safetensors writes (`safetensors.torch`'s
    /// dtypes; its sub-byte ones, such as F4, are refused as unknown).
    static let elementSizes: [String: Int] = [
        "BOOL": 1, "U8": 1, "I8": 1, "F8_E5M2": 1, "F8_E4M3": 1, "F8_E5M2FNUZ": 1, "F8_E4M3FNUZ": 1, "F8_E8M0": 1,
        "I16": 2, "U16": 2, "F16": 2, "BF16": 2,
        "I32": 4, "U32": 4, "F32": 4, "C64": 8, "F64": 8, "I64": 8, "U64": 8,
    ]

    /// Non-negative integers that fit an `Int`, or `malformed` naming `what`.
    private static func integers(_ values: [JSONValue], _ what: String) throws(CheckpointError) -> [Int] {
        var result: [Int] = []
        for value in values {
            guard case .integer(let n) = value, let int = Int(exactly: n) else {
                throw .malformed("\(what) holds something other than a whole number from 0 to \(Int.max)")
            }
            result.append(int)
        }
        return result
    }

    // MARK: Files

    /// Writes the checkpoint to `path` atomically (``AtomicFile``), creating its folder when missing.
    /// Throws a ``WorkbookError`` when the file cannot be written.
    public func write(to path: String) throws {
        try AtomicFile.write(encoded(), to: path)
    }

    /// What a file's header declares, read before any of its data: the model its metadata names
    /// (nil when it names none), its other metadata (without `model` and `crc32`), and each
    /// tensor's name, dtype and shape, in the header's order.
    public struct Declaration {
        public let model: String?
        public let metadata: [String: String]
        public let tensors: [(name: String, dtype: String, shape: [Int])]

        init(_ layout: Layout) {
            var metadata = layout.metadata
            metadata["crc32"] = nil
            model = metadata.removeValue(forKey: "model")
            self.metadata = metadata
            tensors = layout.entries.map { ($0.name, $0.dtype, $0.shape) }
        }
    }

    /// Reads and decodes the checkpoint at `path`, remembering `path` in ``path``.
    ///
    /// With `fits`, what the header declares is checked first (``Declaration``, steps 1–4 on the
    /// header alone): a file `fits` refuses (a tensor the model does not have, or of another
    /// shape or dtype, another model) is refused before any of its data is read, so that a file
    /// whose header honestly declares gigabytes costs its header only, and a file that fits is
    /// read no further than the bytes of the model's tensors. `fits` gives the reason with what
    /// the model expects, said briefly (``summary(_:optional:)``), for the messages about names.
    ///
    /// Throws a ``WorkbookError`` whose one-line message names the file and says what to do: when
    /// there is no file, when it cannot be read, when it is damaged, in the old format, or of
    /// another dtype than float32.
    public static func read(from path: String, remedy: CheckpointRemedy,
                            fits: ((Declaration) -> (problem: CheckpointError, expected: String)?)? = nil) throws -> Checkpoint {
        try reading(path, remedy: remedy) { layout, readData in
            if let fits, let refused = fits(Declaration(layout)) {
                throw WorkbookError(message(for: refused.problem, path: shownPath(path), remedy: remedy, expected: refused.expected))
            }
            var checkpoint = try values(try readData(), layout)
            checkpoint.path = path
            return checkpoint
        }
    }

    /// What the checkpoint at `path` declares, from its header, checked against the file's size
    /// (steps 1–4) and none of its data read: what a program needs to know before it decides to
    /// read the rest. Throws as ``read(from:remedy:fits:)`` does.
    public static func readDeclaration(from path: String, remedy: CheckpointRemedy) throws -> Declaration {
        try reading(path, remedy: remedy) { layout, _ in Declaration(layout) }
    }

    /// Opens `path`, reads its length and the header it declares, checks them against the file's
    /// size (``layout(_:fileSize:)``) and gives `body` the layout and a function that reads the
    /// rest (the whole file's bytes). Every ``CheckpointError`` becomes a ``WorkbookError`` naming the file.
    private static func reading<T>(_ path: String, remedy: CheckpointRemedy,
                                   _ body: (Layout, () throws -> [UInt8]) throws -> T) throws -> T {
        var isFolder: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isFolder) else {
            throw WorkbookError("no checkpoint at \(shownPath(path)): \(remedy.missing)")
        }
        guard !isFolder.boolValue else {
            throw WorkbookError("\(shownPath(path)) is a folder, not a checkpoint: \(remedy.folder)")
        }
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw WorkbookError("cannot read \(shownPath(path)): \(remedy.unreadable)") }
        defer { close(descriptor) }
        var status = stat()
        guard fstat(descriptor, &status) == 0 else { throw WorkbookError("cannot read \(shownPath(path)): \(remedy.unreadable)") }
        let fileSize = Int(status.st_size)
        // The length, then the header it declares (or the byte after the length, when the file is too
        // short for that header), then, once the header fits the file's size, the data it declares:
        // a file far larger than its header says is refused without reading the rest.
        var bytes: [UInt8] = []
        func readMore(_ count: Int) throws {
            guard count > 0 else { return }
            let start = bytes.count
            bytes += [UInt8](repeating: 0, count: count)
            var done = 0
            while done < count {
                let got = bytes.withUnsafeMutableBytes { Foundation.read(descriptor, $0.baseAddress! + start + done, count - done) }
                if got < 0 && errno == EINTR { continue }
                guard got >= 0 else { throw WorkbookError("cannot read \(shownPath(path)): \(remedy.unreadable)") }
                if got == 0 { break }   // the file shrank meanwhile: what is there is checked
                done += got
            }
            bytes.removeLast(count - done)
        }
        do {
            try readMore(Swift.min(fileSize, 8))
            let length = headerLength(bytes).map { $0 <= UInt64(maximumHeaderSize) ? Int($0) : Int.max } ?? 0
            try readMore(Swift.min(fileSize - bytes.count, length <= fileSize - 8 ? length : 1))
            let declared = try layout(bytes, fileSize: bytes.count < 8 ? bytes.count : fileSize)
            return try body(declared) {
                try readMore(fileSize - bytes.count)
                guard bytes.count == fileSize else { throw CheckpointError.truncated }
                return bytes
            }
        } catch let error as CheckpointError {
            throw WorkbookError(message(for: error, path: shownPath(path), remedy: remedy))
        }
    }

    /// The one-line message for `error` met in the checkpoint at `path`: what is wrong, and what
    /// to do about it. `expected` says briefly which tensors the model has, for the errors about names.
    public static func message(for error: CheckpointError, path: String, remedy: CheckpointRemedy,
                               expected: String? = nil) -> String {
        let wants = expected.map { " (it expects \($0))" } ?? ""
        switch error {
        case .empty, .notACheckpoint, .truncated, .checksumMismatch, .malformed:
            return "\(path) is damaged (\(oneLine(error.description, limit: 200))): \(remedy.damaged)"
        case .oldFormat:
            return "\(path) is in the workbook's old RNNWBCK format, which it no longer reads (checkpoints are safetensors files now): "
                + remedy.damaged
        case .unsupportedDtype(let name, let dtype):
            return "\(path) holds \(oneLine(name)) as \(oneLine(dtype)), not F32: the workbook reads float32 tensors only "
                + "(in PyTorch, save model.float().state_dict()); \(remedy.again)"
        case .wrongModel(let found, let expected):
            // A model's name at 100: the workbook's own run to 85 characters, and must show whole.
            return "\(path) holds \(oneLine(found, limit: 100)), not \(oneLine(expected, limit: 100)): \(remedy.again)"
        case .missingTensor(let name):
            return "\(path) holds no tensor \(oneLine(name)), which the model needs\(wants): \(remedy.again)"
        case .unexpectedTensor(let name):
            return "\(path) holds a tensor \(oneLine(name)) the model does not have\(wants): \(remedy.again)"
        case .shapeMismatch(let name, let found, let expected):
            return "\(path) holds \(oneLine(name)) of shape \(describe(shape: found)), not \(describe(shape: expected)): \(remedy.again)"
        case .nonFiniteValue(let name, let index, let value):
            return "\(path) holds \(value.isNaN ? "NaN" : value > 0 ? "inf" : "-inf") at element \(index) of \(oneLine(name)), "
                + "not a weight a model can use: \(remedy.damaged)"
        }
    }

    // MARK: Loading into a model

    /// The first reason the checkpoint does not fit `tensors` (and `optional`) of the model
    /// `expectedModel`, or `nil` when it fits: the model identifier, when the file records one, is
    /// `expectedModel`; every name of `tensors` is there with its shape; those of `optional` are
    /// all there with their shapes, or none is; no other name is there; every value is finite.
    public func mismatch(with tensors: [(name: String, tensor: Tensor)], optional: [(name: String, tensor: Tensor)] = [],
                         expectedModel: String) -> CheckpointError? {
        if let problem = Checkpoint.mismatch(model: model, declared: self.tensors.map { ($0.name, "F32", $0.shape) },
                                             with: tensors, optional: optional, expectedModel: expectedModel) {
            return problem
        }
        // Well-formed bytes (and a matching checksum, when there is one) do not make the model
        // usable: a NaN or infinite weight would only show later as a `nan` loss.
        for entry in self.tensors {
            if let index = entry.values.firstIndex(where: { !$0.isFinite }) {
                return .nonFiniteValue(name: entry.name, index: index, value: entry.values[index])
            }
        }
        return nil
    }

    /// The first reason tensors declared as `declared` (names, dtypes, shapes) of the model
    /// `model` do not fit `tensors` and `optional` of the model `expectedModel`, as
    /// ``mismatch(with:optional:expectedModel:)`` decides it, and a dtype other than F32; nil when
    /// they fit. Needs no values: a reader asks it of a file's header before reading its data
    /// (``read(from:remedy:fits:)``).
    public static func mismatch(model: String?, declared: [(name: String, dtype: String, shape: [Int])],
                                with tensors: [(name: String, tensor: Tensor)], optional: [(name: String, tensor: Tensor)] = [],
                                expectedModel: String) -> CheckpointError? {
        if let model, model != expectedModel { return .wrongModel(found: model, expected: expectedModel) }
        var stored: [String: (dtype: String, shape: [Int])] = [:]
        for entry in declared { stored[entry.name] = (entry.dtype, entry.shape) }
        // The optional group counts as wanted when any of it is there: then all of it must be.
        let wantsOptional = optional.contains { stored[$0.name] != nil }
        var wanted = Set<String>()
        for (name, tensor) in tensors + (wantsOptional ? optional : []) {
            check(wanted.insert(name).inserted, "load(into:): the tensor name \(name) appears twice")
            guard let entry = stored[name] else { return .missingTensor(name) }
            if entry.shape != tensor.shape { return .shapeMismatch(name: name, found: entry.shape, expected: tensor.shape) }
        }
        if let extra = declared.first(where: { !wanted.contains($0.name) }) { return .unexpectedTensor(extra.name) }
        if let other = declared.first(where: { $0.dtype != "F32" }) {
            return .unsupportedDtype(name: other.name, dtype: other.dtype)
        }
        return nil
    }

    /// Copies the stored values into `tensors` (matched by name), and into `optional` when the file
    /// holds them, only when everything fits (see ``mismatch(with:optional:expectedModel:)``).
    /// Otherwise throws and changes nothing, so a model is never half-loaded.
    ///
    /// Throws a ``WorkbookError`` whose message names ``path`` (set by ``read(from:remedy:)``; "the
    /// checkpoint" when `nil`) and, for a name that does not fit, the tensors the model expects
    /// (`expected`, or ``summary(_:optional:)``).
    /// - Returns: whether `optional` was loaded (`false`: the file holds none of it, and those
    ///   tensors keep their values).
    @discardableResult
    public func load(into tensors: [(name: String, tensor: Tensor)], optional: [(name: String, tensor: Tensor)] = [],
                     expectedModel: String, remedy: CheckpointRemedy, expected: String? = nil) throws -> Bool {
        if let problem = mismatch(with: tensors, optional: optional, expectedModel: expectedModel) {
            throw WorkbookError(Checkpoint.message(for: problem, path: path.map(shownPath) ?? "the checkpoint", remedy: remedy,
                                                   expected: expected ?? Checkpoint.summary(tensors, optional: optional)))
        }
        var stored: [String: NamedValues] = [:]
        for entry in self.tensors { stored[entry.name] = entry }
        var loadedOptional = false
        for (name, tensor) in tensors + optional {
            // Present with the right shape, or an optional one absent: mismatch(with:) checked every one.
            guard let entry = stored[name] else { continue }
            tensor.assign(Tensor(entry.values, shape: entry.shape))
            if optional.contains(where: { $0.name == name }) { loadedOptional = true }
        }
        return loadedOptional
    }

    /// The tensors a model expects, briefly: `W_xh [8, 8], W_hh [8, 8], …, b_q [1]: 10 tensors`,
    /// the first four and the last when there are more than five; the optional ones named after.
    public static func summary(_ tensors: [(name: String, tensor: Tensor)], optional: [(name: String, tensor: Tensor)] = []) -> String {
        let shown = tensors.map { "\(oneLine($0.name)) \(describe(shape: $0.tensor.shape))" }
        var text = shown.count <= 5 ? shown.joined(separator: ", ")
            : (shown.prefix(4) + ["…", shown[shown.count - 1]]).joined(separator: ", ") + ": \(shown.count) tensors"
        if !optional.isEmpty {
            text += ", and may hold " + optional.map { oneLine($0.name) }.joined(separator: ", ")
        }
        return text
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

/// What a message about an unusable checkpoint tells the reader to do: for a checkpoint the program
/// found where `program` writes them, run `program` (again), or pass `skipFlag`, which does without
/// it; for a file the reader named with an option (`givenWith`, e.g. `--checkpoint brnn`), give
/// that option another file, or leave it out.
public struct CheckpointRemedy: Sendable, Equatable {
    public let program: String
    public let skipFlag: String
    /// The option that named the file, or `nil` for a checkpoint found in its usual place.
    public let givenWith: String?

    public init(program: String, skipFlag: String) { (self.program, self.skipFlag, givenWith) = (program, skipFlag, nil) }

    /// For a file named by `option` (`--checkpoint brnn`), which no program remakes.
    public init(givenWith option: String) { (program, skipFlag, givenWith) = ("", "", option) }

    /// When there is no file.
    var missing: String {
        givenWith.map { "check the path given to \($0), or leave that option out" }
            ?? "run \(program) first, or pass \(skipFlag)"
    }
    /// When a folder is where the file should be.
    var folder: String { givenWith.map(otherFile) ?? "remove it or choose another path, or pass \(skipFlag)" }
    /// When the file cannot be read.
    var unreadable: String {
        givenWith.map { "check that it is readable, or give \($0) another file" }
            ?? "check that it is readable, or delete it and run \(program) again"
    }
    /// When the bytes are damaged or the values unusable.
    var damaged: String { givenWith.map(otherFile) ?? "delete it and run \(program) again, or pass \(skipFlag)" }
    /// When the file is sound but not of the model wanted.
    var again: String { givenWith.map(otherFile) ?? "run \(program) again with the same options, or pass \(skipFlag)" }

    private func otherFile(_ option: String) -> String { "give \(option) another file, or leave that option out" }
}

/// Stops with `message` when `condition` is false: for programming errors (a shape that does not
/// fit its values), never for the bytes of a file.
private func check(_ condition: Bool, _ message: @autoclosure () -> String) {
    if !condition { fatalError(message()) }
}

/// Keeps a message on one line and short when a name read from a file holds line breaks, escape
/// sequences or other controls (shown escaped, `\u{1B}`), or is very long (cut, with "…"): at 60
/// characters, as every text from outside; the reader's own sentences and model names at `limit`.
private func oneLine(_ text: String, limit: Int = 60) -> String {
    excerpt(text, limit: limit)
}

/// What is wrong with a checkpoint's bytes, or why it does not fit a model.
public enum CheckpointError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file has no bytes.
    case empty
    /// The file is not a safetensors file (its header length or header's first byte is wrong).
    case notACheckpoint
    /// The file is in the workbook's old format (`RNNWBCK`), before checkpoints were safetensors.
    case oldFormat
    /// The file ends too soon.
    case truncated
    /// The data section's CRC-32 is not the one the metadata records: it changed after it was written.
    case checksumMismatch
    /// The body breaks the format; the phrase says how.
    case malformed(String)
    /// A well-formed file whose tensor `name` is of `dtype`, not F32 (a model saved in float16 or float64).
    case unsupportedDtype(name: String, dtype: String)
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
        case .notACheckpoint: "the file is not a safetensors checkpoint"
        case .oldFormat: "the file is in the workbook's old RNNWBCK format"
        case .truncated: "the file is truncated"
        case .checksumMismatch: "the checksum does not match: the file changed after it was written"
        case .malformed(let what): "the file is malformed: \(what)"
        case .unsupportedDtype(let name, let dtype): "the tensor \(name) is \(dtype), not F32"
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

// MARK: A strict, bounded JSON reader for safetensors headers

/// The JSON a safetensors header holds: objects (keys in the file's order), arrays, strings and
/// non-negative integers.
enum JSONValue {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case integer(UInt64)
}

/// Parses `bytes[position..<end]` as one JSON value followed only by spaces (the padding). Stricter
/// than JSON: no key twice in an object (JSONSerialization would keep one silently), depth at most
/// 3, numbers only whole and non-negative, no `true`, `false` or `null`. Every step consumes a byte,
/// so it runs in time linear in the header and never recurses deeper than 3.
struct JSONParser {
    struct Failure: Error {
        let what: String
        let offset: Int
    }

    let bytes: [UInt8]
    var position: Int
    let end: Int
    static let maximumDepth = 3

    init(bytes: [UInt8], position: Int, end: Int) { (self.bytes, self.position, self.end) = (bytes, position, end) }

    mutating func document() throws(Failure) -> JSONValue {
        let value = try parseValue(depth: 1)
        skipWhitespace()
        guard position == end else { throw fail("unexpected text after the header's object") }
        return value
    }

    private func fail(_ what: String) -> Failure { Failure(what: what, offset: position) }

    private mutating func skipWhitespace() {
        while position < end, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[position]) { position += 1 }
    }

    private mutating func expect(_ byte: UInt8) throws(Failure) {
        skipWhitespace()
        guard position < end, bytes[position] == byte else {
            throw fail(position < end ? "expected '\(Character(Unicode.Scalar(byte)))'" : "the header ends too soon")
        }
        position += 1
    }

    private mutating func parseValue(depth: Int) throws(Failure) -> JSONValue {
        skipWhitespace()
        guard position < end else { throw fail("the header ends too soon") }
        switch bytes[position] {
        case UInt8(ascii: "{"):
            guard depth <= Self.maximumDepth else { throw fail("objects nested deeper than \(Self.maximumDepth)") }
            position += 1
            var fields: [(String, JSONValue)] = []
            var keys = Set<String>()
            skipWhitespace()
            if position < end, bytes[position] == UInt8(ascii: "}") { position += 1; return .object(fields) }
            while true {
                skipWhitespace()
                let key = try parseString()
                guard keys.insert(key).inserted else { throw fail("the key \(key) appears twice") }
                try expect(UInt8(ascii: ":"))
                fields.append((key, try parseValue(depth: depth + 1)))
                skipWhitespace()
                guard position < end else { throw fail("the header ends too soon") }
                if bytes[position] == UInt8(ascii: "}") { position += 1; return .object(fields) }
                try expect(UInt8(ascii: ","))
            }
        case UInt8(ascii: "["):
            guard depth <= Self.maximumDepth else { throw fail("arrays nested deeper than \(Self.maximumDepth)") }
            position += 1
            var items: [JSONValue] = []
            skipWhitespace()
            if position < end, bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
            while true {
                items.append(try parseValue(depth: depth + 1))
                skipWhitespace()
                guard position < end else { throw fail("the header ends too soon") }
                if bytes[position] == UInt8(ascii: "]") { position += 1; return .array(items) }
                try expect(UInt8(ascii: ","))
            }
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "0")...UInt8(ascii: "9"):
            var value: UInt64 = 0
            let start = position
            while position < end, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(bytes[position]) {
                let (times10, o1) = value.multipliedReportingOverflow(by: 10)
                let (sum, o2) = times10.addingReportingOverflow(UInt64(bytes[position] - UInt8(ascii: "0")))
                guard !o1, !o2 else { throw fail("a number too large") }
                value = sum
                position += 1
            }
            guard bytes[start] != UInt8(ascii: "0") || position == start + 1 else { throw fail("a number with a leading zero") }
            if position < end, [UInt8(ascii: "."), UInt8(ascii: "e"), UInt8(ascii: "E")].contains(bytes[position]) {
                throw fail("a number that is not whole")
            }
            return .integer(value)
        default:
            throw fail("unexpected '\(excerpt(String(decoding: [bytes[position]], as: UTF8.self), limit: 4))'")
        }
    }

    private mutating func parseString() throws(Failure) -> String {
        guard position < end, bytes[position] == UInt8(ascii: "\"") else { throw fail("expected a string") }
        position += 1
        var utf8: [UInt8] = []
        while true {
            guard position < end else { throw fail("a string is not closed") }
            let byte = bytes[position]
            position += 1
            switch byte {
            case UInt8(ascii: "\""):
                // The header was checked to be UTF-8 and escapes decode to whole scalars.
                return String(decoding: utf8, as: UTF8.self)
            case 0..<0x20:
                throw fail("a control character inside a string")
            case UInt8(ascii: "\\"):
                guard position < end else { throw fail("a string is not closed") }
                let escape = bytes[position]
                position += 1
                switch escape {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): utf8.append(escape)
                case UInt8(ascii: "b"): utf8.append(0x08)
                case UInt8(ascii: "f"): utf8.append(0x0C)
                case UInt8(ascii: "n"): utf8.append(0x0A)
                case UInt8(ascii: "r"): utf8.append(0x0D)
                case UInt8(ascii: "t"): utf8.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800..<0xDC00).contains(scalar) {
                        guard position + 1 < end, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                            throw fail("a lone surrogate escape")
                        }
                        position += 2
                        let low = try hex4()
                        guard (0xDC00..<0xE000).contains(low) else { throw fail("a lone surrogate escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    }
                    guard let unicode = Unicode.Scalar(scalar) else { throw fail("a lone surrogate escape") }
                    utf8 += Array(String(Character(unicode)).utf8)
                default:
                    throw fail("an unknown escape in a string")
                }
            default:
                utf8.append(byte)
            }
        }
    }

    private mutating func hex4() throws(Failure) -> UInt32 {
        guard position + 4 <= end else { throw fail("a \\u escape cut short") }
        var value: UInt32 = 0
        for _ in 0..<4 {
            let byte = bytes[position]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - UInt8(ascii: "0"))
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - UInt8(ascii: "a")) + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - UInt8(ascii: "A")) + 10
            default: throw fail("a \\u escape with a non-hex digit")
            }
            value = value << 4 | digit
            position += 1
        }
        return value
    }
}

/// `text` as a JSON string: quotes, backslashes and control characters escaped, the rest as UTF-8
/// (the checkpoints' headers, and the chapters' `--json`).
public func jsonString(_ text: String) -> String {
    var out = "\""
    for scalar in text.unicodeScalars {
        switch scalar {
        case "\"": out += "\\\""
        case "\\": out += "\\\\"
        case "\n": out += "\\n"
        case "\r": out += "\\r"
        case "\t": out += "\\t"
        case _ where scalar.value < 0x20:
            let digits = String(scalar.value, radix: 16)
            out += "\\u" + String(repeating: "0", count: 4 - digits.count) + digits
        default: out.unicodeScalars.append(scalar)
        }
    }
    return out + "\""
}
