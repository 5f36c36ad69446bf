import Foundation
import HDF5

/// The Keras file layouts (KERAS.md C.1-C.5), told apart by content, never by file name.
public enum KerasLayout: String, Sendable, Codable, CaseIterable {
    /// `model.save('x.h5')` in any Keras: a `model_config` attribute and a `model_weights` group.
    case legacyModel = "legacy-h5-model"
    /// Keras 1/2/tf.keras `save_weights('x.h5')`: `layer_names` at the root, no config.
    case legacyWeights = "legacy-h5-weights"
    /// Keras 3 `save_weights('x.weights.h5')`: the `layers/<path>/vars/<i>` tree.
    case kerasWeights = "keras-weights-h5"
    /// Keras 3 `model.save('x.keras')`: a zip of `config.json`, `metadata.json`, `model.weights.h5`.
    case kerasArchive = "keras-archive"
    /// Keras 3 `save_weights('x.weights.json', max_shard_size=...)`: a JSON `weight_map` naming, for
    /// each variable group, the `.weights.h5` shards that hold it (KERAS.md C.3).
    case shardedWeights = "keras-sharded-weights"

    /// A phrase for people.
    public var summary: String {
        switch self {
        case .legacyModel: "legacy full-model .h5"
        case .legacyWeights: "legacy weights-only .h5"
        case .kerasWeights: "Keras 3 .weights.h5"
        case .kerasArchive: ".keras archive"
        case .shardedWeights: "Keras 3 sharded .weights.json"
        }
    }

    /// The zip local-file-header signature, `PK\u{3}\u{4}`.
    static let zipSignature: [UInt8] = [0x50, 0x4B, 0x03, 0x04]

    /// Detects the layout of the file at `path` from its bytes.
    /// - Throws: `KerasFormatError` `.fileNotFound`, `.unknownLayout` (neither HDF5 nor zip, or an HDF5
    ///   file with none of the Keras markers), or `.unreadable`.
    public static func detect(path: String) throws -> KerasLayout {
        guard FileManager.default.fileExists(atPath: path) else {
            throw KerasFormatError(.fileNotFound, file: path, reason: "no such file")
        }
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw KerasFormatError(.unreadable, file: path, reason: "the file cannot be read")
        }
        let head = (try? handle.read(upToCount: 4)).map { [UInt8]($0) } ?? []
        try? handle.close()
        if head == zipSignature { return .kerasArchive }
        if head.first == UInt8(ascii: "{"), let data = FileManager.default.contents(atPath: path),
            (try? JSONValue.parse([UInt8](data)))?["weight_map"]?.objectValue != nil
        {
            return .shardedWeights
        }
        guard HDF5File.hasSignature(atPath: path) else {
            throw KerasFormatError(
                .unknownLayout, file: path, reason: "it is neither an HDF5 file nor a .keras (zip) archive")
        }
        do {
            return try detect(HDF5File(opening: path), path: path)
        } catch let error as HDF5Error {
            throw KerasFormatError(error)
        }
    }

    /// Detects the layout of an open HDF5 file from its root attributes and groups.
    static func detect(_ file: HDF5File, path: String) throws -> KerasLayout {
        let root = file.root
        if try root.hasAttribute("model_config") { return .legacyModel }
        // Keras's legacy loader descends into model_weights when the root has no layer_names: weights only.
        if try root.hasAttribute("layer_names") || root.hasAttribute("layer_names0") || root.exists("model_weights") {
            return .legacyWeights
        }
        if try root.kind(of: "layers") == .group || root.kind(of: "vars") == .group { return .kerasWeights }
        throw KerasFormatError(
            .unknownLayout, file: path,
            reason: "it is an HDF5 file, but not one Keras wrote (no model_config, layer_names or layers group)")
    }
}
