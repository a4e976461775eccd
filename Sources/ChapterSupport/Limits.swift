// The system limits a run needs, checked before any work: with too few file descriptors,
// libdispatch traps as it starts its event loop, and gnuplot cannot be started; with too little
// address space, a thread's allocation fails somewhere in the runtime.

import AtomicFiles
import Foundation

enum Limits {
    /// The file descriptors a chapter may need open at once: standard streams, the event loop's,
    /// a temporary file and a gnuplot's pipe per thread, with room to spare (16 is enough today).
    static let descriptors: rlim_t = 32
    /// The address space a chapter needs: the runtime, its threads' stacks, the models (about
    /// 200 MB is enough today).
    static let addressSpace: rlim_t = 256 << 20

    /// Raises the soft limits of open files and of the address space up to what a run needs, when
    /// the hard limits allow; otherwise the one-line message saying which limit is too low and how
    /// to raise it. Nil: the limits are enough.
    static func check() -> String? {
        #if os(Linux)
        let (files, memory) = (__rlimit_resource_t(RLIMIT_NOFILE.rawValue), __rlimit_resource_t(RLIMIT_AS.rawValue))
        #else
        let (files, memory) = (RLIMIT_NOFILE, RLIMIT_AS)
        #endif
        if let value = raise(resource: files, to: descriptors) {
            return "only \(value) files may be open at once here (ulimit -n \(value)); a chapter needs \(descriptors): "
                + "raise the limit (ulimit -n 1024) and run again"
        }
        if let value = raise(resource: memory, to: addressSpace) {
            return "the address space is limited to \(value >> 20) MB here (ulimit -v \(value >> 10)); a chapter needs "
                + "\(addressSpace >> 20) MB: raise the limit (ulimit -v unlimited) and run again"
        }
        return nil
    }

    /// Makes the soft limit of `resource` at least `needed`, if the hard limit allows; returns the
    /// limit that stays below it, or nil.
    #if os(Linux)
    typealias Resource = __rlimit_resource_t
    #else
    typealias Resource = Int32
    #endif

    private static func raise(resource: Resource, to needed: rlim_t) -> rlim_t? {
        var limit = rlimit()
        guard getrlimit(resource, &limit) == 0, limit.rlim_cur < needed else { return nil }   // unlimited: the largest value
        guard limit.rlim_max >= needed else { return limit.rlim_max }
        limit.rlim_cur = needed
        return setrlimit(resource, &limit) == 0 ? nil : limit.rlim_cur
    }
}
