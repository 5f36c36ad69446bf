import Foundation

/// Writes a file so that readers only ever see the old file or the complete new one: the content goes to
/// a temporary file in the same directory, which then replaces the target with one `rename`. A failed
/// write removes the temporary file and leaves any existing file untouched.
enum AtomicFile {
    /// Runs `write` with a temporary path beside `path`, then moves the result into place.
    /// - Throws: `KerasFormatError.unreadable`-class errors: the target exists and `overwrite` is false,
    ///   the directory is missing or not writable, or `write` failed.
    static func write(to path: String, overwrite: Bool, _ write: (String) throws -> Void) throws {
        let url = URL(fileURLWithPath: path)
        let directory = url.deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw KerasFormatError(.cannotWrite, file: path, reason: "the directory \(directory) does not exist")
        }
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw KerasFormatError(
                .cannotWrite, file: path, reason: "the file exists; pass --force (overwrite) to replace it")
        }
        let temporary = url.deletingLastPathComponent().appendingPathComponent(
            ".\(url.lastPathComponent).rnnkit-\(UUID().uuidString).tmp"
        ).path
        do {
            try write(temporary)
            guard rename(temporary, path) == 0 else {
                throw KerasFormatError(
                    .cannotWrite, file: path,
                    reason: "cannot move the written file into place (\(String(cString: strerror(errno))))")
            }
        } catch {
            try? FileManager.default.removeItem(atPath: temporary)
            throw error
        }
    }
}
