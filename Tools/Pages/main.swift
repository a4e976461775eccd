// Regenerates docs/ (a page per chapter and the index) and plots/ (every figure of the default run,
// and of the corrected run in plots/corrected/) by running the built chapter programs.
//
//     swift build && swift run Pages            regenerate
//     swift build && swift run Pages --check    fail, naming each file, when docs/ or plots/ is stale
//                                               or a page links a file that does not exist
//     swift run Pages --check --no-images       the same, without comparing the rendered images:
//                                               another gnuplot, cairo or font draws other bytes

import Foundation
import PageGenerator
import StandardStreams

let arguments = CommandLine.arguments.dropFirst()
let check = arguments.contains("--check")
let compareImages = !arguments.contains("--no-images")
let unknown = arguments.filter { $0 != "--check" && $0 != "--no-images" }
func fail(_ message: String) -> Never {
    StandardError.write("error: \(message)\n")
    exit(1)
}
if !unknown.isEmpty {
    fail("unknown argument \(unknown[0]); use no argument to regenerate, or --check (with --no-images)")
}
if !check && !compareImages { fail("--no-images goes with --check") }

let root = URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
guard FileManager.default.fileExists(atPath: root.appendingPathComponent("Package.swift").path),
      FileManager.default.fileExists(atPath: root.appendingPathComponent("Chapters").path) else {
    fail("run Pages from the package's root folder (where Package.swift is)")
}
let products = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent()
let gnuplot = (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":")
    .contains { FileManager.default.isExecutableFile(atPath: "\($0)/gnuplot") }
let site = Site(root: root, products: products)

do {
    if !check && !gnuplot { fail("gnuplot is needed to regenerate the figures (Debian/Ubuntu: apt-get install gnuplot-nox)") }
    let files = try site.generate { StandardError.write("\($0)\n") }
    if check {
        let stale = site.staleFiles(files, includingImages: gnuplot && compareImages)
        let broken = try site.brokenLinks()
        for path in stale { print("stale: \(path)") }
        for link in broken { print("broken link: \(link)") }
        if !stale.isEmpty || !broken.isEmpty {
            fail("docs/ or plots/ is out of date: run `swift build && swift run Pages` and commit the result")
        }
        print("docs/ and plots/ are up to date (\(files.count) files\(!gnuplot ? "; images not compared without gnuplot" : compareImages ? "" : "; images not compared"))")
    } else {
        try site.write(files)
        let broken = try site.brokenLinks()
        for link in broken { print("broken link: \(link)") }
        if !broken.isEmpty { fail("some pages link files that do not exist") }
        print("wrote \(files.count) files in docs/ and plots/")
    }
} catch {
    fail("\(error)")
}
