// Where a chapter's relative paths start: the working folder, as for any command-line program;
// or the package's folder when the program runs in the folder that holds it, as Xcode runs it (its
// working folder is DerivedData's build folder), so that plots/ and checkpoints/ land where the
// README says rather than out of sight.

import AtomicFiles
import Foundation
import StandardStreams

enum WorkingFolder {
    /// The package's folder, from where this file was compiled
    /// (`<package>/Sources/ChapterSupport/WorkingFolder.swift`); nil when it is not there any more.
    static let package: String? = {
        let folder = URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let manifest = folder.appendingPathComponent("Package.swift").path
        return FileManager.default.fileExists(atPath: manifest) ? folder.path : nil
    }()

    /// The folder to start relative paths from instead of `current`: `package` when `current` is
    /// the folder of the running program (`programFolder`) and not the package's; nil otherwise.
    static func replacement(current: String, programFolder: String, package: String?) -> String? {
        guard let package else { return nil }
        let (here, program, root) = (canonical(current), canonical(programFolder), canonical(package))
        return here == program && here != root ? root : nil
    }

    /// Moves to the package's folder when the program runs in its own folder (``replacement``), and
    /// says so in one line on standard error: standard output stays what it is anywhere else.
    static func moveToPackageIfInProgramFolder() {
        guard let program = Bundle.main.executableURL?.deletingLastPathComponent().path,
              let root = replacement(current: FileManager.default.currentDirectoryPath,
                                     programFolder: program, package: package),
              FileManager.default.changeCurrentDirectoryPath(root) else { return }
        let note = "note: running in the program's own folder (as Xcode does), so plots/, "
            + "checkpoints/ and other relative paths start at the package's folder, "
            + excerpt(root, limit: 1000)
        StandardError.write(note + "\n")
    }

    private static func canonical(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}
