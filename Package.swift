// swift-tools-version:6.0
import PackageDescription

/// The Workbook library is compiled with optimisation even in debug builds, so that the plain
/// `swift run ChapterNN-…` trains in seconds. `-O` after SwiftPM's `-Onone` wins; the kernels
/// use AVX2 and FMA on x86-64 (every x86-64 CPU since 2013–2015 has them).
var fastFlags: [String] = ["-O", "-enforce-exclusivity=unchecked"]
#if arch(x86_64)
fastFlags += ["-Xcc", "-mavx2", "-Xcc", "-mfma"]
#endif

let package = Package(
    name: "RNNWorkbook",
    products: [
        .library(name: "Workbook", targets: ["Workbook"]),
    ],
    targets: [
        .target(
            name: "Workbook",
            path: "Sources/Workbook",
            swiftSettings: [.unsafeFlags(fastFlags)]
        ),
        // Chapters/ChapterNN-Name/ hold one executable target per notebook section
        // (Chapter00-Data … Chapter06-Approximation); they arrive with the chapters.
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
    ]
)
