import CHDF5
import Foundation

/// The one door to libhdf5. Every call into the C library happens inside `Library.run`, which holds a
/// process-wide lock (libhdf5 keeps global state; even a thread-safe build serializes internally) and
/// silences libhdf5's error printing on the calling thread, so nothing reaches stderr from any thread.
enum Library {
    /// Recursive so that a handle released while the lock is held (an `HDF5File` dropped inside a
    /// closure) can close itself without deadlocking.
    private static let lock = NSRecursiveLock()

    /// Runs `body` with exclusive access to libhdf5 and error printing turned off for this thread.
    static func run<R>(_ body: () throws -> R) rethrows -> R {
        lock.lock()
        defer { lock.unlock() }
        rnk_silence_errors()
        return try body()
    }

    /// Drains libhdf5's error stack for this thread (`H5Ewalk2`, then `H5Eclear2`) into readable lines,
    /// innermost cause last.
    static func takeErrorStack() -> [String] {
        final class Lines { var items: [String] = [] }
        let lines = Lines()
        let walker: H5E_walk2_t = { _, entry, context in
            guard let entry, let context else { return 0 }
            let lines = Unmanaged<Lines>.fromOpaque(context).takeUnretainedValue()
            let function = entry.pointee.func_name.map { String(cString: $0) } ?? "?"
            let text = entry.pointee.desc.map { String(cString: $0) } ?? ""
            let major = Library.message(entry.pointee.maj_num)
            let minor = Library.message(entry.pointee.min_num)
            lines.items.append("\(function): \(text) (\(major); \(minor))")
            return 0
        }
        _ = H5Ewalk2(rnk_e_default(), H5E_WALK_UPWARD, walker, Unmanaged.passUnretained(lines).toOpaque())
        _ = H5Eclear2(rnk_e_default())
        return lines.items
    }

    /// The text libhdf5 has for an error message id (`H5Eget_msg`).
    private static func message(_ id: hid_t) -> String {
        var buffer = [CChar](repeating: 0, count: 256)
        let count = H5Eget_msg(id, nil, &buffer, buffer.count)
        guard count > 0 else { return "?" }
        return String(
            decoding: buffer.prefix(min(count, buffer.count - 1)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// A unique name for an in-memory file: libhdf5 silently hands back an already open in-memory file
    /// that has the same name.
    /// The name lives under `/dev/null/`, which can hold no file on any POSIX system: the core driver
    /// refuses to open an image whose name exists on disk, so a name a file could take would let a file in
    /// the working directory break (or shadow) an in-memory open.
    static func uniqueMemoryName(_ label: String) -> String {
        memoryFileCounter += 1
        return "/dev/null/rnnkit-memory-\(ProcessInfo.processInfo.processIdentifier)-\(memoryFileCounter)"
    }

    /// Guarded by `lock`: only read or written inside `run`.
    nonisolated(unsafe) private static var memoryFileCounter = 0
}
