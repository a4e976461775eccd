// Per-thread values, and what this processor runs.

import CProcessor
import Foundation

/// A value for each thread, nil until a ``with(_:_:)`` on that thread sets it (the thread count of
/// ``withThreadCount(_:_:)``, the per-thread switches of Kernels: `ThreadFlag`, `KernelPath`).
package struct ThreadSpecific: @unchecked Sendable {
    @usableFromInline let key: pthread_key_t

    package init() {
        var key = pthread_key_t()
        pthread_key_create(&key, nil)
        self.key = key
    }

    /// This thread's value.
    @inlinable package var value: UnsafeRawPointer? { pthread_getspecific(key).map(UnsafeRawPointer.init) }

    /// Runs `body` with this thread's value set to `value`, then restores the one before.
    package func with<T>(_ value: UnsafeRawPointer?, _ body: () throws -> T) rethrows -> T {
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, value)
        defer { pthread_setspecific(key, previous) }
        return try body()
    }
}

/// Whether the matrix product's tiles of 16 columns or more and tanh run in AVX-512
/// (Sources/CWideProduct) in the AVX2 copy of the loops: where the processor and its operating
/// system run AVX-512, unless this thread turned them off (`WideVectors.withoutThem` in Kernels).
package enum WideTiles {
    /// Whether this processor and its operating system run AVX-512 (asked once).
    @inlinable @inline(__always) package static var available: Bool { wb_has_avx512() != 0 }

    /// Set on the threads that run without them.
    @usableFromInline package static let off = ThreadSpecific()

    @inlinable @inline(__always) package static var inUse: Bool { available && off.value == nil }
}
