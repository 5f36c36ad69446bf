import Foundation
import RecurrentLayers
import ZIPFoundation

/// A `.keras` archive's members (stored or deflated; KERAS.md C.1), read into memory with bounds: the
/// archive is untrusted until read.
///
/// - Each member is inflated only up to the size its headers declare, and that size must be plausible:
///   at most `jsonLimit` for a JSON member; for a compressed member, at most `weightsLimit` (the caller
///   derives it from the model's config when it can: the bytes the model's weights need) and never more
///   than deflate's largest ratio to its compressed size; a stored member's bytes are in the file.
/// - Every member's CRC-32 is checked against the central directory; a mismatch names the member.
/// - Member names are only keys: nothing is ever written to the disk.
public struct KerasArchive: Sendable {
    /// The archive's path.
    public var path: String
    /// Member names in archive order.
    public var members: [String]
    fileprivate var contents: [String: [UInt8]]

    /// JSON members (config.json, metadata.json) above this size are refused: 64 MiB.
    public static let jsonLimit = 64 << 20
    /// A compressed weights member of a model whose config cannot be built inflates to at most 256 MiB.
    static let unknownModelLimit = 256 << 20
    /// Deflate cannot compress by more than about 1032:1; a member that declares more is forged.
    static let deflateRatio = 1100

    /// Reads the members of the archive at `path` (all of them, or only `only`).
    /// - Parameters:
    ///   - path: The `.keras` file.
    ///   - only: The members to read (`config.json`, ...); nil for every member.
    ///   - weightsLimit: The most bytes a compressed non-JSON member may inflate to; nil for the default
    ///     (the archive's size times deflate's largest ratio, capped at 256 MiB). A stored member may be
    ///     as large as the archive.
    /// - Throws: `KerasFormatError.unreadable` when it is not a readable zip, a member is damaged (CRC-32),
    ///   or a member declares or inflates to more than it can legitimately hold.
    public init(path: String, only: Set<String>? = nil, weightsLimit: Int? = nil) throws {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw KerasFormatError(
                .unreadable, file: path, reason: "the .keras archive cannot be read as a zip file (\(error))",
                underlying: error)
        }
        let fileSize = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        let defaultLimit = min(
            Self.unknownModelLimit, fileSize.multipliedReportingOverflow(by: Self.deflateRatio).partialValue)
        let otherLimit = weightsLimit ?? defaultLimit
        self.path = path
        var members: [String] = []
        var contents: [String: [UInt8]] = [:]
        var total = 0
        for entry in archive where entry.type == .file {
            members.append(entry.path)
            if let only, !only.contains(entry.path) { continue }
            // A stored member's bytes are in the file itself: no bomb, only the file's own size bounds it.
            let limit =
                entry.path.hasSuffix(".json")
                ? Self.jsonLimit : entry.isCompressed ? otherLimit : max(otherLimit, min(fileSize, Int.max / 2))
            let declared = entry.uncompressedSize
            let compressed = entry.compressedSize
            guard declared <= UInt64(limit) else {
                throw KerasFormatError(
                    .unreadable, file: path, member: entry.path,
                    reason:
                        "the archive member \(entry.path) declares \(declared) bytes, more than it can hold (at most \(limit) bytes)"
                )
            }
            guard
                declared <= compressed.multipliedReportingOverflow(by: UInt64(Self.deflateRatio)).partialValue
                    || compressed.multipliedReportingOverflow(by: UInt64(Self.deflateRatio)).overflow
            else {
                throw KerasFormatError(
                    .unreadable, file: path, member: entry.path,
                    reason:
                        "the archive member \(entry.path) declares \(declared) bytes from \(compressed) compressed bytes, beyond what deflate can produce (a forged size or a zip bomb)"
                )
            }
            total = total.addingReportingOverflow(Int(declared)).partialValue
            guard total <= max(otherLimit, min(fileSize, Int.max / 2)) + 2 * Self.jsonLimit else {
                throw KerasFormatError(
                    .unreadable, file: path, reason: "the archive's members declare more bytes than a model can hold")
            }
            contents[entry.path] = try Self.extract(entry, from: archive, declared: Int(declared), file: path)
        }
        self.members = members
        self.contents = contents
    }

    /// Inflates one member, stopping as soon as it yields more than it declared, and checks its CRC-32.
    private static func extract(_ entry: Entry, from archive: Archive, declared: Int, file: String) throws -> [UInt8] {
        struct Overflow: Error {}
        var bytes = [UInt8]()
        bytes.reserveCapacity(declared)
        do {
            _ = try archive.extract(entry, skipCRC32: true) { chunk in
                guard bytes.count + chunk.count <= declared else { throw Overflow() }
                bytes.append(contentsOf: chunk)
            }
        } catch is Overflow {
            throw KerasFormatError(
                .unreadable, file: file, member: entry.path,
                reason: "the archive member \(entry.path) inflates to more than the \(declared) bytes it declares")
        } catch {
            throw KerasFormatError(
                .unreadable, file: file, member: entry.path,
                reason: "the archive member \(entry.path) is damaged (\(error))",
                underlying: error)
        }
        guard bytes.count == declared else {
            throw KerasFormatError(
                .unreadable, file: file, member: entry.path,
                reason: "the archive member \(entry.path) holds \(bytes.count) bytes, its header declares \(declared)")
        }
        let checksum = Data(bytes).crc32(checksum: 0)
        guard checksum == entry.checksum else {
            throw KerasFormatError(
                .unreadable, file: file, member: entry.path,
                reason:
                    "the archive member \(entry.path) is damaged: its CRC-32 is \(String(checksum, radix: 16)), the archive records \(String(entry.checksum, radix: 16))"
            )
        }
        return bytes
    }

    /// A member's bytes, or nil when the archive has no such member (or it was not read).
    public func member(_ name: String) -> [UInt8]? { contents[name] }

    /// A member's bytes.
    /// - Throws: `KerasFormatError.unreadable` naming the missing member and the ones present.
    public func require(_ name: String) throws -> [UInt8] {
        guard let bytes = contents[name] else {
            throw KerasFormatError(
                .unreadable, file: path, member: name,
                reason: "the .keras archive has no \(name) (members: \(members.joined(separator: ", ")))")
        }
        return bytes
    }
}

extension KerasArchive {
    /// The archive of a Keras model, its weights member bounded by what the model's config needs: the
    /// JSON members are read first, the model is built (without weights) to count its weights, and
    /// `model.weights.h5` may then hold at most 8 bytes per weight (float64) plus HDF5's own overhead.
    /// When the config cannot be built, the default bound applies (the loader reports the config's error).
    public static func model(path: String, customObjects: CustomObjects = CustomObjects()) throws -> KerasArchive {
        let head = try KerasArchive(path: path, only: ["config.json", "metadata.json"])
        let version = head.member("metadata.json").flatMap { try? JSONValue.parse($0) }?["keras_version"]?.stringValue
        var limit: Int?
        if let config = head.member("config.json"), let json = try? JSONValue.parse(config),
            let (model, _, _) = try? KerasModel.build(
                config: json, file: path, version: version, customObjects: customObjects)
        {
            let weights = WeightReaders.elementLimit(model).multipliedReportingOverflow(by: 8)
            limit = weights.overflow ? nil : weights.partialValue.addingReportingOverflow(1 << 20).partialValue
        }
        var archive = try KerasArchive(path: path, only: ["model.weights.h5"], weightsLimit: limit)
        archive.contents.merge(head.contents) { new, _ in new }
        return archive
    }
}
