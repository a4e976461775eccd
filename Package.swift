// swift-tools-version:6.0
import PackageDescription

/// The kernels (Sources/Kernels, and the modules below it: the loops, the helper thread) are
/// compiled with whole-module optimisation even in debug builds, so that the plain
/// `swift run ChapterNN-…` trains in seconds: `-O` after SwiftPM's `-Onone` wins.
let kernelFlags: [String] = ["-O", "-wmo", "-num-threads", "2", "-enforce-exclusivity=unchecked"]
/// The loops (Sources/Loops) are compiled twice, from the same files: PortableLoops for the
/// target's baseline (any x86-64, arm64), and _AVX2Loops, through the folder of links
/// Sources/AVX2Loops, with AVX2 and FMA; the Kernels module runs the AVX2 copy where the processor
/// has them (Sources/Kernels/KernelPath.swift). The features are given to clang's code generator
/// (`-Xclang -target-feature`, which Swift's uses too) rather than as `-mavx2`, which clang refuses
/// for other architectures: the same manifest builds for arm64, where these two flags are ignored
/// with a note ("not a recognized feature for this target") and _AVX2Loops is a second portable
/// copy that never runs. The condition `AVX2` lets that copy call the C files' AVX2 transpose and
/// AVX-512 tiles, which the portable copy never does.
///
/// The underscore matters: every module emits its own copy of the small functions Swift shares
/// between modules (value witnesses such as `__swift_memcpy24_8`, generic specialisations), and
/// the linker keeps the first copy it is given. SwiftPM links the modules in the order of their
/// names, and `_` sorts after every capital letter, so the baseline copies come first and the AVX2
/// module's are the ones dropped: otherwise an x86-64 without AVX2 would run AVX code from any
/// module (it did: SIGILL in `__swift_memcpy24_8`). Tests/ChapterTests/KernelPathChapterTests.swift
/// runs a chapter on an emulated processor without AVX2 to keep it so.
let avx2Flags: [String] = ["+avx2", "+fma"].flatMap { ["-Xcc", "-Xclang", "-Xcc", "-target-feature", "-Xcc", "-Xclang", "-Xcc", $0] }
/// The engine a learner reads and edits (Sources/Workbook) is optimised file by file, without
/// `-wmo`: after an edit only the changed file is compiled again, in about a second, and its loops
/// still run optimised. Its hot loops are calls into the kernels.
let engineFlags: [String] = ["-O", "-enforce-exclusivity=unchecked"]
/// The C files (an 8 × 8 transpose, the AVX-512 tiles, the processor's features), optimised in the
/// same way, for the target's baseline: their AVX2 and AVX-512 functions say so themselves (clang's
/// `target` attribute) and run only where the processor has them. Their debug information is in
/// DWARF 4, which valgrind (the instruction counts of BENCHMARKS.md) can read; swift-atomics' C
/// file gets the toolchain's DWARF 5, so a build for valgrind adds `-Xcc -gdwarf-4`
/// (`swift build -c release -Xcc -gdwarf-4`).
let kernelCFlags: [String] = ["-O2", "-gdwarf-4"]
/// The loops' `fmaf` (a fused multiply-add where the processor has no instruction for it) is in libm.
let mathLibrary: [LinkerSetting] = [.linkedLibrary("m", .when(platforms: [.linux]))]

/// Atomics that macOS 13 has (the standard library's `Synchronization.Atomic` needs macOS 15): the
/// kernels' helper thread and the atomic files use them.
let atomics = Package.Dependency.package(url: "https://github.com/apple/swift-atomics", from: "1.3.0")

/// One executable target per notebook section, in Chapters/ChapterNN-Name/.
let chapters = [
    "Chapter00-Data", "Chapter01-Loader", "Chapter02-Model", "Chapter03-Loss",
    "Chapter04-Clipping", "Chapter05-Training", "Chapter06-Approximation", "Chapter07-Beyond",
]

let package = Package(
    name: "RNNWorkbook",
    // macOS 13 for `ContinuousClock`; Linux on x86-64 and arm64 alike.
    platforms: [.macOS(.v13)],
    products: [
        .library(name: "Workbook", targets: ["Workbook"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.0"),
        atomics,
        // `swift package generate-documentation --target Workbook` builds the library's DocC documentation.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // What a learner reads and changes: tensors, autodiff, models, losses, optimisers, training, data.
        .target(name: "Workbook", dependencies: ["Kernels"], path: "Sources/Workbook",
                swiftSettings: [.unsafeFlags(engineFlags)]),
        // What makes it fast, on buffers and sizes: the interface the engine calls, `Floats` and the
        // buffer pool; it runs one of the two copies of the loops.
        .target(name: "Kernels", dependencies: ["KernelRuntime", "PortableLoops", "_AVX2Loops", "CProcessor"],
                path: "Sources/Kernels", swiftSettings: [.unsafeFlags(kernelFlags)]),
        // The loops: products, sums, tanh, ReLU, on pointers and sizes; twice, from the same files.
        .target(name: "PortableLoops", dependencies: ["KernelRuntime", "CTranspose", "CWideProduct"],
                path: "Sources/Loops", swiftSettings: [.unsafeFlags(kernelFlags)], linkerSettings: mathLibrary),
        .target(name: "_AVX2Loops", dependencies: ["KernelRuntime", "CTranspose", "CWideProduct"],
                path: "Sources/AVX2Loops", swiftSettings: [.define("AVX2"), .unsafeFlags(kernelFlags + avx2Flags)],
                linkerSettings: mathLibrary),
        // What both copies share at run time: the helper thread, the thread count, per-thread values.
        .target(name: "KernelRuntime", dependencies: ["CProcessor", .product(name: "Atomics", package: "swift-atomics")],
                path: "Sources/KernelRuntime", swiftSettings: [.unsafeFlags(kernelFlags)]),
        .target(name: "CTranspose", path: "Sources/CTranspose", cSettings: [.unsafeFlags(kernelCFlags)]),
        // The product's tiles in AVX-512, run only on processors that have it (its own `target` attribute).
        .target(name: "CWideProduct", path: "Sources/CWideProduct", cSettings: [.unsafeFlags(kernelCFlags)]),
        // What the processor runs: AVX2 and FMA, AVX-512 (CPUID).
        .target(name: "CProcessor", path: "Sources/CProcessor", cSettings: [.unsafeFlags(kernelCFlags)]),
        // Standard error (and output) written without ever trapping, whatever the stream: for the
        // chapters, the pages' generator and the exercises' checker alike.
        .target(name: "StandardStreams", path: "Sources/StandardStreams"),
        // Files written whole or not at all, and what Ctrl-C must remove.
        .target(name: "AtomicFiles", dependencies: [.product(name: "Atomics", package: "swift-atomics")],
                path: "Sources/AtomicFiles"),
        // Figures as gnuplot scripts, and their rendering.
        .target(name: "Figures", dependencies: ["AtomicFiles"], path: "Sources/Figures"),
        // Trained models saved and loaded.
        .target(name: "Checkpoints", dependencies: ["Workbook", "AtomicFiles"], path: "Sources/Checkpoints"),
        // What the chapter programs share: options, output, the notebooks' settings.
        .target(
            name: "ChapterSupport",
            dependencies: ["Workbook", "Kernels", "AtomicFiles", "Figures", "Checkpoints", "StandardStreams",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/ChapterSupport"
        ),
        // Generates docs/ from the chapters' sources and output: `swift build && swift run Pages`.
        .target(name: "PageGenerator", path: "Tools/PageGenerator"),
        .executableTarget(name: "Pages", dependencies: ["PageGenerator", "StandardStreams"], path: "Tools/Pages"),
        .testTarget(name: "PageGeneratorTests", dependencies: ["PageGenerator"], path: "Tests/PageGeneratorTests"),
        .executableTarget(
            name: "Benchmarks",
            dependencies: ["Workbook", "Kernels"],
            path: "Benchmarks/Benchmarks"
        ),
        .testTarget(
            name: "WorkbookTests",
            dependencies: ["Workbook", "Kernels", "KernelRuntime", "PortableLoops", "_AVX2Loops", "AtomicFiles", "Figures",
                           "Checkpoints"],
            path: "Tests/WorkbookTests",
            resources: [.copy("Fixtures")]
        ),
        // Runs the built chapter programs and compares what they print and compute.
        .testTarget(
            name: "ChapterTests",
            dependencies: chapters.map { .target(name: $0) } + ["ChapterSupport", "AtomicFiles"],
            path: "Tests/ChapterTests",
            exclude: ["Expected", "Fixtures"]
        ),
        // The notebooks' experiments as the chapters build them (data and models from one
        // generator, the loaders), their training functions with a progress line, and the trained
        // models that the chapters after Chapter05-Training load, or train as it does.
        .target(name: "Experiments", dependencies: ["Workbook", "ChapterSupport"], path: "Sources/Experiments"),
    ] + chapters.map { name in
        .executableTarget(
            name: name,
            dependencies: ["Workbook", "ChapterSupport", "Experiments", "Figures",
                           .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Chapters/\(name)"
        )
    }
)

// MARK: Exercises

/// The exercises, `Exercises/NN-Name.swift`, graded by `swift run Exercises` (Exercises/Driver).
let exercises = [
    "01-SequencesPreparation", "02-StepForward", "03-StepBackward", "04-BackpropagationThroughTime",
    "05-GlobalNormClipping", "06-BidirectionalLoss", "07-BidirectionalLayer", "08-XavierInitialization",
    "09-AdamStep", "10-GRUCell",
]

/// The checker: builds and runs the exercises' checks (it depends on none of them).
package.targets.append(.executableTarget(name: "Exercises", dependencies: ["PageGenerator", "StandardStreams"],
                                         path: "Exercises/Driver"))

/// The checker builds the exercises in a folder of their own (`.build-exercises`) with
/// `WORKBOOK_EXERCISES` set to the folder their sources come from, `Exercises` or `Solutions`.
/// Only then does this manifest declare them, with the engine and nothing else (of the packages,
/// only swift-atomics, which the kernels use), so that `swift build` and `swift test` never compile a half-written
/// exercise. Each exercise is a library of its one file, and its check (Exercises/Checks/NN-Name)
/// an executable that depends on it alone: a compile error stops only its own exercise.
/// `WORKBOOK_EXERCISES_SKIP` (`03,07`) leaves out exercises that do not compile, so that the others build,
/// and those a folder has no file for (Solutions/Mistakes/NAME holds one or two).
if let folder = Context.environment["WORKBOOK_EXERCISES"] {
    let engine: Set = ["Workbook", "Kernels", "KernelRuntime", "PortableLoops", "_AVX2Loops", "CProcessor",
                       "CTranspose", "CWideProduct"]
    let skipped = (Context.environment["WORKBOOK_EXERCISES_SKIP"] ?? "").split(separator: ",").map(String.init)
    package.products = []
    package.dependencies = [atomics]
    package.targets = package.targets.filter { engine.contains($0.name) } + [
        // What the exercises may use beside the engine: Matrix, the gradients' types, the GRU model.
        .target(name: "ExerciseSupport", dependencies: ["Workbook"], path: "Exercises/Support"),
        // What the checks share: comparisons that say what is wrong, PyTorch's fixtures, finite differences.
        .target(name: "CheckSupport", dependencies: ["ExerciseSupport", "Workbook"], path: "Exercises/CheckSupport"),
    ] + exercises.filter { !skipped.contains(String($0.prefix(2))) }.flatMap { name -> [Target] in
        let number = String(name.prefix(2))
        // The folder's other files belong to other targets (or none: the checks' fixtures).
        let others = exercises.filter { $0 != name }.map { "\($0).swift" }
            + (folder == "Exercises" ? ["README.md", "Checks", "Support", "CheckSupport", "Driver", "Fixtures"] : [])
            + (folder == "Solutions" ? ["Mistakes"] : [])
        return [
            .target(name: "Exercise\(number)", dependencies: ["ExerciseSupport", "Workbook"],
                    path: folder, exclude: others, sources: ["\(name).swift"]),
            .executableTarget(name: "Check\(number)",
                              dependencies: [.target(name: "Exercise\(number)"), "CheckSupport", "ExerciseSupport", "Workbook"],
                              path: "Exercises/Checks/\(name)", exclude: ["Hint.md"]),
        ]
    }
}
