import CHDF5
import Foundation

/// An open HDF5 file, on disk or in memory.
///
/// The file is closed by `close()`, at the end of `withFile`, or when the last reference goes away.
/// Groups and datasets are addressed by path through the file and hold no libhdf5 handles of their own,
/// so closing the file never leaves objects behind.
///
/// ```swift
/// let names = try HDF5File.withFile(opening: "model.h5") { file in
///     try file.root.group("model_weights").readStringList("layer_names")
/// }
/// ```
///
/// External links are never followed: a model file cannot make RNNKit open another file.
public final class HDF5File: @unchecked Sendable {
    // @unchecked: the only mutable state, `identifier`, is read and written inside `Library.run`, which
    // holds the process-wide libhdf5 lock.

    /// How an existing file is opened.
    public enum Mode: Sendable {
        /// Reading only (`H5F_ACC_RDONLY`).
        case readOnly
        /// Reading and writing (`H5F_ACC_RDWR`).
        case readWrite
    }

    /// The file's path, or the name given to an in-memory file; used in every error message.
    public let name: String
    /// True when the file lives in memory (the core driver) rather than on disk.
    public let isInMemory: Bool
    /// True when the file was opened or created for writing.
    public let isWritable: Bool

    /// The libhdf5 file id; nil once closed. Guarded by the library lock.
    private var identifier: hid_t?

    private init(identifier: hid_t, name: String, isInMemory: Bool, isWritable: Bool) {
        self.identifier = identifier
        self.name = name
        self.isInMemory = isInMemory
        self.isWritable = isWritable
    }

    deinit {
        Library.run {
            if let identifier { _ = H5Fclose(identifier) }
        }
    }

    // MARK: Opening and creating

    /// Opens an existing HDF5 file on disk (`H5Fopen`).
    /// - Parameters:
    ///   - path: The file's path.
    ///   - mode: `.readOnly` (the default) or `.readWrite`.
    /// - Throws: `HDF5Error` with code `.fileNotFound`, `.accessDenied`, `.notHDF5` (no HDF5 signature),
    ///   or `.damaged` (truncated or corrupted).
    public convenience init(opening path: String, mode: Mode = .readOnly) throws {
        let operation = "open file"
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue else {
            throw HDF5Error(.fileNotFound, operation: operation, file: path, reason: "no such file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw HDF5Error(.accessDenied, operation: operation, file: path, reason: "the file cannot be read")
        }
        let signed = Self.hasSignature(readingFrom: handle)
        try? handle.close()
        guard signed else {
            throw HDF5Error(
                .notHDF5, operation: operation, file: path, reason: "it is not an HDF5 file (no HDF5 signature)")
        }
        let id: hid_t = try Library.run {
            guard let fapl = OwnedID(rnk_file_access_plist(0, 0), .propertyList) else {
                throw Self.failure(.libraryFailure, operation, path, "cannot make a file-access property list")
            }
            let flags = mode == .readOnly ? rnk_f_acc_rdonly() : rnk_f_acc_rdwr()
            let id = H5Fopen(path, flags, fapl.raw)
            guard id >= 0 else {
                let stack = Library.takeErrorStack()
                if stack.contains(where: { $0.contains("unable to lock file") }) {
                    throw HDF5Error(
                        .locked, operation: operation, file: path,
                        reason: "another process has it open for writing (libhdf5 locks the files it writes); "
                            + "wait for that process to finish, or read a copy", libraryStack: stack)
                }
                throw HDF5Error(
                    .damaged, operation: operation, file: path, reason: "it is truncated or damaged",
                    libraryStack: stack)
            }
            _ = rnk_file_close_on_exec(id)
            return id
        }
        self.init(identifier: id, name: path, isInMemory: false, isWritable: mode == .readWrite)
    }

    /// Creates a new HDF5 file on disk (`H5Fcreate`), with libhdf5's default (oldest, most widely
    /// readable) file format, as h5py and Keras do.
    ///
    /// The file is not locked while it is open (libhdf5 locks the files it writes by default): RNNKit writes
    /// under a temporary name and renames the finished file, so no reader can find it before it is whole,
    /// and an unlocked file cannot be left locked by a program the host starts meanwhile. Write under a
    /// name no reader looks for, as RNNKit does, when other processes may read the destination.
    /// - Parameters:
    ///   - path: The file to create.
    ///   - overwrite: When false (the default), an existing file is an error and is left untouched.
    /// - Throws: `HDF5Error` with code `.fileExists` or `.accessDenied`.
    public convenience init(creating path: String, overwrite: Bool = false) throws {
        let operation = "create file"
        if !overwrite && FileManager.default.fileExists(atPath: path) {
            throw HDF5Error(
                .fileExists, operation: operation, file: path, reason: "the file exists; pass overwrite to replace it")
        }
        let id: hid_t = try Library.run {
            guard let fapl = OwnedID(rnk_file_access_plist(0, 0), .propertyList) else {
                throw Self.failure(.libraryFailure, operation, path, "cannot make a file-access property list")
            }
            guard rnk_file_access_without_lock(fapl.raw) == 0 else {
                throw Self.failure(.libraryFailure, operation, path, "cannot turn off the file lock")
            }
            let flags = overwrite ? rnk_f_acc_trunc() : rnk_f_acc_excl()
            let id = H5Fcreate(path, flags, rnk_p_default(), fapl.raw)
            guard id >= 0 else {
                throw Self.failure(
                    .accessDenied, operation, path, "libhdf5 could not create it (missing directory or no permission?)")
            }
            _ = rnk_file_close_on_exec(id)
            return id
        }
        self.init(identifier: id, name: path, isInMemory: false, isWritable: true)
    }

    /// Opens an HDF5 file image held in memory, such as `model.weights.h5` inside a `.keras` archive
    /// (core driver with `H5Pset_file_image`; libhdf5 copies the bytes).
    /// - Parameters:
    ///   - image: The file's bytes.
    ///   - name: A name for messages, such as `model.keras/model.weights.h5`.
    ///   - writable: When true, changes are allowed; they stay in memory (read them back with `image()`).
    /// - Throws: `HDF5Error` with code `.notHDF5` or `.damaged`.
    public convenience init(image: [UInt8], name: String, writable: Bool = false) throws {
        let operation = "open in-memory file"
        guard Self.hasSignature(image) else {
            throw HDF5Error(
                .notHDF5, operation: operation, file: name, reason: "it is not an HDF5 file (no HDF5 signature)")
        }
        let id: hid_t = try Library.run {
            guard let fapl = OwnedID(rnk_file_access_plist(1, 1 << 16), .propertyList) else {
                throw Self.failure(.libraryFailure, operation, name, "cannot make a core-driver property list")
            }
            let stored = image.withUnsafeBytes {
                H5Pset_file_image(fapl.raw, UnsafeMutableRawPointer(mutating: $0.baseAddress), $0.count)
            }
            guard stored >= 0 else {
                throw Self.failure(.libraryFailure, operation, name, "libhdf5 did not accept the image")
            }
            let flags = writable ? rnk_f_acc_rdwr() : rnk_f_acc_rdonly()
            let id = H5Fopen(Library.uniqueMemoryName(name), flags, fapl.raw)
            guard id >= 0 else {
                throw Self.failure(.damaged, operation, name, "it is truncated or damaged")
            }
            return id
        }
        self.init(identifier: id, name: name, isInMemory: true, isWritable: writable)
    }

    /// Creates an empty HDF5 file in memory; write to it, then take its bytes with `image()`.
    /// - Parameter name: A name for messages, such as `model.keras/model.weights.h5`.
    public static func inMemory(name: String) throws -> HDF5File {
        let operation = "create in-memory file"
        let id: hid_t = try Library.run {
            guard let fapl = OwnedID(rnk_file_access_plist(1, 1 << 16), .propertyList) else {
                throw failure(.libraryFailure, operation, name, "cannot make a core-driver property list")
            }
            let id = H5Fcreate(Library.uniqueMemoryName(name), rnk_f_acc_excl(), rnk_p_default(), fapl.raw)
            guard id >= 0 else { throw failure(.libraryFailure, operation, name, "libhdf5 could not create it") }
            return id
        }
        return HDF5File(identifier: id, name: name, isInMemory: true, isWritable: true)
    }

    /// Opens a file on disk, runs `body`, and closes the file whatever happens.
    public static func withFile<R>(opening path: String, mode: Mode = .readOnly, _ body: (HDF5File) throws -> R) throws
        -> R
    {
        let file = try HDF5File(opening: path, mode: mode)
        defer { file.close() }
        return try body(file)
    }

    // MARK: Using the file

    /// The root group, `/`.
    public var root: HDF5Group { HDF5Group(file: self, path: "/") }

    /// Writes buffered changes to the disk or the in-memory image (`H5Fflush`).
    public func flush() throws {
        try withIdentifier(operation: "flush file") { id in
            guard H5Fflush(id, H5F_SCOPE_LOCAL) >= 0 else {
                throw Self.failure(.libraryFailure, "flush file", name, "libhdf5 could not write the buffered changes")
            }
        }
    }

    /// The complete bytes of the file as it stands (`H5Fflush`, then `H5Fget_file_image`): how an
    /// in-memory file becomes `model.weights.h5` inside a `.keras` archive.
    public func image() throws -> [UInt8] {
        let operation = "take file image"
        try flush()
        return try withIdentifier(operation: operation) { id in
            let size = H5Fget_file_image(id, nil, 0)
            guard size > 0 else { throw Self.failure(.libraryFailure, operation, name, "libhdf5 reported no image") }
            var bytes = [UInt8](repeating: 0, count: size)
            let written = bytes.withUnsafeMutableBytes { H5Fget_file_image(id, $0.baseAddress, size) }
            guard written == size else {
                throw Self.failure(.libraryFailure, operation, name, "the image came back short")
            }
            return bytes
        }
    }

    /// Closes the file (`H5Fclose`). Later calls on it, its groups or datasets throw `.closed`.
    /// Closing twice is harmless.
    public func close() {
        Library.run {
            if let identifier { _ = H5Fclose(identifier) }
            identifier = nil
        }
    }

    /// True until `close()`.
    public var isOpen: Bool { Library.run { identifier != nil } }

    // MARK: Signature

    /// The 8-byte HDF5 format signature. libhdf5 looks for it at offset 0, 512, 1024, 2048, ... (after a
    /// user block).
    static let signature: [UInt8] = [0x89, 0x48, 0x44, 0x46, 0x0D, 0x0A, 0x1A, 0x0A]

    /// True when `bytes` start with an HDF5 signature at one of the offsets libhdf5 searches.
    public static func hasSignature(_ bytes: [UInt8]) -> Bool {
        var offset = 0
        while offset + signature.count <= bytes.count {
            if Array(bytes[offset..<offset + signature.count]) == signature { return true }
            offset = offset == 0 ? 512 : offset * 2
        }
        return false
    }

    /// True when the file at `path` carries an HDF5 signature (content detection, never the extension).
    public static func hasSignature(atPath path: String) -> Bool {
        guard let handle = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? handle.close() }
        return hasSignature(readingFrom: handle)
    }

    private static func hasSignature(readingFrom handle: FileHandle) -> Bool {
        var offset: UInt64 = 0
        while true {
            guard (try? handle.seek(toOffset: offset)) != nil,
                let data = try? handle.read(upToCount: signature.count), data.count == signature.count
            else { return false }
            if Array(data) == signature { return true }
            offset = offset == 0 ? 512 : offset * 2
        }
    }

    // MARK: Internal access

    /// Runs `body` with the open file's id inside the library lock.
    func withIdentifier<R>(operation: String, objectPath: String? = nil, _ body: (hid_t) throws -> R) throws -> R {
        try Library.run {
            guard let identifier else {
                throw HDF5Error(
                    .closed, operation: operation, file: name, objectPath: objectPath, reason: "the file is closed")
            }
            return try body(identifier)
        }
    }

    /// An error carrying libhdf5's current error stack. Call inside `Library.run`.
    static func failure(
        _ code: HDF5Error.Code, _ operation: String, _ file: String, _ reason: String, objectPath: String? = nil
    ) -> HDF5Error {
        HDF5Error(
            code, operation: operation, file: file, objectPath: objectPath, reason: reason,
            libraryStack: Library.takeErrorStack())
    }
}
