import Foundation
import ZIPFoundation

/// A `.keras` archive's members, read into memory (stored or deflated; KERAS.md C.1).
public struct KerasArchive: Sendable {
    public var path: String
    /// Member names in archive order.
    public var members: [String]
    private var contents: [String: [UInt8]]

    /// Reads every member of the archive at `path`.
    /// - Throws: `KerasFormatError.unreadable` when it is not a readable zip or a member is damaged.
    public init(path: String) throws {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw KerasFormatError(
                .unreadable, file: path, reason: "the .keras archive cannot be read as a zip file (\(error))")
        }
        self.path = path
        var members: [String] = []
        var contents: [String: [UInt8]] = [:]
        for entry in archive where entry.type == .file {
            var bytes = [UInt8]()
            bytes.reserveCapacity(Int(clamping: entry.uncompressedSize))
            do {
                _ = try archive.extract(entry, skipCRC32: false) { bytes.append(contentsOf: $0) }
            } catch {
                throw KerasFormatError(
                    .unreadable, file: path, reason: "the archive member \(entry.path) is damaged (\(error))")
            }
            members.append(entry.path)
            contents[entry.path] = bytes
        }
        self.members = members
        self.contents = contents
    }

    /// A member's bytes, or nil when the archive has no such member.
    public func member(_ name: String) -> [UInt8]? { contents[name] }

    /// A member's bytes.
    /// - Throws: `KerasFormatError.unreadable` naming the missing member and the ones present.
    public func require(_ name: String) throws -> [UInt8] {
        guard let bytes = contents[name] else {
            throw KerasFormatError(
                .unreadable, file: path,
                reason: "the .keras archive has no \(name) (members: \(members.joined(separator: ", ")))")
        }
        return bytes
    }
}
