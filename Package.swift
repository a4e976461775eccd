// swift-tools-version:6.0
import PackageDescription

/// The Workbook library is compiled with optimisation even in debug builds, so that the plain
/// `swift run ChapterNN-…` trains in seconds. `-O` after SwiftPM's `-Onone` wins; the kernels
/// use AVX2 and FMA on x86-64 (every x86-64 CPU since 2013–2015 has them).
var fastFlags: [String] = ["-O", "-wmo", "-num-threads", "2", "-enforce-exclusivity=unchecked"]
/// The one C file (an 8 × 8 transpose, Sources/CTranspose), optimised in the same way; its debug
/// information in DWARF 4, which valgrind (the instruction counts of BENCHMARKS.md) can read.
var fastCFlags: [String] = ["-O2", "-gdwarf-4"]
#if arch(x86_64)
fastFlags += ["-Xcc", "-mavx2", "-Xcc", "-mfma"]
fastCFlags += ["-mavx2", "-mfma"]
#endif

/// One executable target per notebook section, in Chapters/ChapterNN-Name/.
let chapters = [
    "Chapter00-Data", "Chapter01-Loader", "Chapter02-Model", "Chapter03-Loss",
    "Chapter04-Clipping", "Chapter05-Training", "Chapter06-Approximation", "Chapter07-Beyond",
]

let package = Package(
    name: "RNNWorkbook",
    products: [
        .library(name: "Workbook", targets: ["Workbook"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        // `swift package generate-documentation --target Workbook` builds the library's DocC documentation.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        .target(
            name: "Workbook",
            dependencies: ["CTranspose"],
            path: "Sources/Workbook",
            swiftSettings: [.unsafeFlags(fastFlags)]
        ),
        .target(name: "CTranspose", path: "Sources/CTranspose", cSettings: [.unsafeFlags(fastCFlags)]),
        // What the chapter programs share: options, output, the notebooks' settings.
        .target(
            name: "ChapterSupport",
            dependencies: ["Workbook", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Sources/ChapterSupport"
        ),
        // Generates docs/ from the chapters' sources and output: `swift build && swift run Pages`.
        .target(name: "PageGenerator", path: "Tools/PageGenerator"),
        .executableTarget(name: "Pages", dependencies: ["PageGenerator"], path: "Tools/Pages"),
        .testTarget(name: "PageGeneratorTests", dependencies: ["PageGenerator"], path: "Tests/PageGeneratorTests"),
        .executableTarget(
            name: "Benchmarks",
            dependencies: ["Workbook"],
            path: "Benchmarks/Benchmarks"
        ),
        .testTarget(
            name: "WorkbookTests",
            dependencies: ["Workbook"],
            path: "Tests/WorkbookTests",
            resources: [.copy("Fixtures")]
        ),
        // Runs the built chapter programs and compares what they print and compute.
        .testTarget(
            name: "ChapterTests",
            dependencies: chapters.map { .target(name: $0) },
            path: "Tests/ChapterTests",
            exclude: ["Expected"]
        ),
    ] + chapters.map { name in
        .executableTarget(
            name: name,
            dependencies: ["Workbook", "ChapterSupport", .product(name: "ArgumentParser", package: "swift-argument-parser")],
            path: "Chapters/\(name)"
        )
    }
)
