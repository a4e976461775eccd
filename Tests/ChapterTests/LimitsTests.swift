// Too few file descriptors or too little address space for a run: one line before any work, not
// a trap in libdispatch or a crash while gnuplot starts.

import Foundation
import Testing

@Suite("System limits checked before any work", .serialized)
struct LimitsTests {
    @Test("ulimit -n 10, ulimit -v 100000: one line naming the limit, exit 71, nothing written",
          arguments: [("ulimit -n 10", "error: only 10 files may be open at once here (ulimit -n 10); a chapter needs 32: raise the limit (ulimit -n 1024) and run again"),
                      ("ulimit -v 100000", "error: the address space is limited to 97 MB here (ulimit -v 100000); a chapter needs 256 MB: raise the limit (ulimit -v unlimited) and run again")])
    func lowLimit(limit: String, message: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runRaw("Chapter05-Training", ["--epochs", "2"], in: folder, through: limit)
        #expect(run.reason == .exit && run.status == 71, "\(run.reason) \(run.status)")
        #expect(run.standardError == message + "\n", "\(run.standardError)")
        #expect(files(under: folder).isEmpty, "\(files(under: folder))")
    }

    @Test("A low soft limit under a high enough hard one is raised, and the run goes on",
          arguments: ["ulimit -S -n 10", "ulimit -S -v 100000"])
    func softLimit(limit: String) throws {
        let folder = try temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let run = try runRaw("Chapter05-Training", ["--epochs", "2"], in: folder, through: limit)
        #expect(run.reason == .exit && run.status == 0, "\(run.reason) \(run.status): \(run.standardError)")
        #expect(!files(under: folder).contains { $0.contains(".tmp") })
    }
}
