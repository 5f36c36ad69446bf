import Foundation
import HDF5

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a file so that readers only ever see the old file or the complete new one: the content goes to
/// a temporary file in the same directory (named `.NAME.rnnkit-PID-UUID.tmp`), is flushed to disk, and then
/// takes the target's name in one step: `rename` when replacing is allowed, otherwise `link` + `unlink`,
/// which fails when anything (even a dangling symlink) holds the name, so that of several concurrent
/// writers exactly one wins. A failed write removes the temporary file and leaves any existing file
/// untouched; temporary files of processes that died are removed by the next write to the directory.
package enum AtomicFile {
    /// Runs `write` with a temporary path beside `path`, then moves the result into place.
    /// - Throws: `KerasFormatError.cannotWrite`, naming `path`: the target exists and `overwrite` is false,
    ///   the directory is missing or not writable, the disk is full, or `write` failed.
    static func write(to path: String, overwrite: Bool, _ write: (String) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw KerasFormatError(.cannotWrite, file: path, reason: "the directory \(directory) does not exist")
        }
        if !overwrite && exists(path) { throw existing(path) }
        removeStaleTemporaryFiles(besides: path)
        let temporary = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).rnnkit-\(getpid())-\(UUID().uuidString).tmp"
        ).path
        // Probe first, so that an unwritable directory is named as such (not through the writer's error).
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard descriptor >= 0 else { throw systemFailure(path, "cannot create a file in \(directory)") }
        close(descriptor)
        unlink(temporary)
        registry.withLock { _ = $0.insert(temporary) }
        defer {
            unlink(temporary)
            registry.withLock { _ = $0.remove(temporary) }
        }
        do {
            try write(temporary)
        } catch {
            if diskFull(directory) {
                throw KerasFormatError(.cannotWrite, file: path, reason: "the disk is full; nothing was written")
            }
            if error is KerasFormatError || error is HDF5Error { throw error }
            // Foundation's and ZIPFoundation's messages name the temporary file: keep only the system's reason.
            let underlying = (error as NSError).userInfo[NSUnderlyingErrorKey] as? NSError
            let cause = underlying.map { " (\(String(cString: strerror(Int32($0.code)))))" } ?? ""
            throw KerasFormatError(.cannotWrite, file: path, reason: "the write failed\(cause); nothing was written")
        }
        let flushed = open(temporary, O_RDONLY)
        guard flushed >= 0 else { throw systemFailure(path, "cannot reopen the written file") }
        let synced = fsync(flushed)
        close(flushed)
        guard synced == 0 else { throw systemFailure(path, "cannot flush the written file to disk") }
        if overwrite {
            guard rename(temporary, path) == 0 else {
                throw systemFailure(path, "cannot move the written file into place")
            }
        } else {
            guard link(temporary, path) == 0 else {
                if errno == EEXIST { throw existing(path) }
                throw systemFailure(path, "cannot move the written file into place")
            }
        }
    }

    /// Removes the temporary files of writers that are no longer running from the directory of `path`.
    package static func removeStaleTemporaryFiles(besides path: String) {
        let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return }
        for name in names where name.hasPrefix(".") && name.hasSuffix(".tmp") {
            guard let marker = name.range(of: ".rnnkit-", options: .backwards) else { continue }
            let pid = name[marker.upperBound...].prefix { $0.isNumber }
            guard let owner = Int32(pid), owner > 0, owner != getpid(), kill(owner, 0) != 0, errno == ESRCH else {
                continue
            }
            unlink(directory + "/" + name)
        }
    }

    /// Removes this process's temporary files (for a process about to be killed).
    package static func removeOwnTemporaryFiles() {
        for path in registry.withLock({ $0 }) { unlink(path) }
    }

    private static let registry = Locked(Set<String>())

    private static func exists(_ path: String) -> Bool {
        var status = stat()
        return lstat(path, &status) == 0
    }

    private static func existing(_ path: String) -> KerasFormatError {
        KerasFormatError(.cannotWrite, file: path, reason: "the file exists; pass --force (overwrite) to replace it")
    }

    private static func systemFailure(_ path: String, _ what: String) -> KerasFormatError {
        KerasFormatError(.cannotWrite, file: path, reason: "\(what) (\(String(cString: strerror(errno))))")
    }

    private static func diskFull(_ directory: String) -> Bool {
        var info = statvfs()
        return statvfs(directory, &info) == 0 && info.f_bavail == 0
    }
}

/// A value behind a lock (Synchronization's `Mutex` needs macOS 15).
final class Locked<Value>: @unchecked Sendable {
    // @unchecked: `value` is only touched while `lock` is held.
    private var value: Value
    private let lock = NSLock()

    init(_ value: Value) { self.value = value }

    func withLock<Result>(_ body: (inout Value) throws -> Result) rethrows -> Result {
        lock.lock()
        defer { lock.unlock() }
        return try body(&value)
    }
}
