// A chapter run in its own build folder, as Xcode runs it, writes where the README says: relative
// paths start at the package's folder, and one line on standard error says so.

import Foundation
import Testing
import AtomicFiles
@testable import ChapterSupport

@Suite struct WorkingFolderTests {
    @Test func onlyTheProgramsOwnFolderIsReplaced() {
        let package = "/p/RNNWorkbook"
        // Xcode: the working folder is the build products folder, which holds the program.
        #expect(WorkingFolder.replacement(current: "/d/Build/Products/Debug",
                                          programFolder: "/d/Build/Products/Debug",
                                          package: package) == package)
        // `swift run` in the package, or a chapter run in any other folder: unchanged.
        #expect(WorkingFolder.replacement(current: package, programFolder: package + "/.build/debug",
                                          package: package) == nil)
        #expect(WorkingFolder.replacement(current: "/home/learner/work", programFolder: "/d/Build/Products/Debug",
                                          package: package) == nil)
        // No package folder any more (the program was copied elsewhere): unchanged.
        #expect(WorkingFolder.replacement(current: "/d", programFolder: "/d", package: nil) == nil)
        // A program built inside its package's own folder: that folder is already the package's.
        #expect(WorkingFolder.replacement(current: package, programFolder: package, package: package) == nil)
    }

    @Test func theSourcesPackageFolderIsFound() throws {
        let package = try #require(WorkingFolder.package)
        #expect(FileManager.default.fileExists(atPath: package + "/Chapters/Chapter00-Data/Chapter00.swift"))
    }

    /// Run in the build folder, the chapter says where relative paths start; an absolute
    /// `--plots-dir` is still used as given (the test writes nothing into the package).
    @Test func aRunInTheBuildFolderSaysWhereRelativePathsStart() throws {
        let plots = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: plots) }
        let run = try runChapter("Chapter00-Data", ["--plots-dir", plots.path, "--no-render", "--quiet"],
                                 in: productsDirectory)
        #expect(run.status == 0, "\(run.standardError)")
        let package = try #require(WorkingFolder.package)
        let notes = run.standardError.split(separator: "\n").filter { $0.hasPrefix("note: running in the program's own folder") }
        #expect(notes.count == 1, "\(run.standardError)")
        #expect(notes.first?.hasSuffix(excerpt(package, limit: 1000)) == true, "\(run.standardError)")
        #expect(FileManager.default.fileExists(atPath: plots.appendingPathComponent("DEEPRNN_fig1.gp").path))

        // Anywhere else, no note.
        let elsewhere = try runChapter("Chapter00-Data", ["--plots-dir", plots.path, "--no-render", "--quiet"],
                                       in: plots)
        #expect(elsewhere.status == 0)
        #expect(!elsewhere.standardError.contains("note: running in the program's own folder"))
    }
}
