import Foundation
import HDF5
import RecurrentLayers

/// A Keras model read from a file, ready to run: the layer-module `Model` with its weights, and what
/// the file says about itself.
///
/// ```swift
/// var loaded = try KerasModel.load(path: "model.keras")
/// let y = try loaded.model.call([x])[0]
/// ```
public struct KerasModel: Sendable {
    /// The model, ready to run: `model.call([inputs])`.
    public var model: Model
    /// The layout the file is in.
    public var layout: KerasLayout
    /// The Keras version that wrote the file, when recorded.
    public var kerasVersion: String?
    /// The `backend` attribute of a legacy `.h5` (`tensorflow`, `jax`, `theano`, ...), when recorded.
    public var backend: String?
    /// The model config as the file (or the separate JSON) holds it.
    public var config: JSONValue
    /// For each model layer, the config layer it was built from (class names and configs, for writing).
    var sources: [ModelConfig.Layer]
    /// Sequential or Functional.
    var kind: ModelConfig.Kind
    /// The user's cells and layers the model was loaded with: a conversion rebuilds with them.
    var customObjects = CustomObjects()
    /// The file the model was loaded from (empty for a model made otherwise), named when the model fails.
    public internal(set) var path = ""

    /// Reads a model from any layout, detected by content.
    /// - Parameters:
    ///   - path: A `.keras` archive, a legacy `.h5` model, or a weights file (`.weights.h5` or legacy
    ///     weights `.h5`), which needs `configPath`.
    ///   - configPath: The model's JSON (`model.to_json()`), required for weights-only files.
    ///   - customObjects: Your own cells and layers, by Keras class name.
    /// - Throws: `KerasFormatError` naming the file, the layer and what is wrong.
    public static func load(path: String, configPath: String? = nil, customObjects: CustomObjects = CustomObjects())
        throws -> KerasModel
    {
        var loaded = try read(path: path, configPath: configPath, customObjects: customObjects)
        loaded.customObjects = customObjects
        loaded.path = path
        return loaded
    }

    static func read(path: String, configPath: String?, customObjects: CustomObjects) throws -> KerasModel {
        let layout = try KerasLayout.detect(path: path)
        do {
            switch layout {
            case .kerasArchive:
                let archive = try KerasArchive.model(path: path, customObjects: customObjects)
                let config: JSONValue
                do {
                    config = try parseJSON(try archive.require("config.json"), file: path + "/config.json")
                } catch var error as KerasFormatError {
                    error.member = "config.json"
                    throw error
                }
                let version = (try? archive.member("metadata.json").map { try JSONValue.parse($0) })??["keras_version"]?
                    .stringValue
                let weights = try HDF5File(
                    image: try archive.require("model.weights.h5"), name: path + "/model.weights.h5")
                return try assemble(
                    config: config, weights: weights.root, layout: layout, version: version, backend: nil, file: path,
                    customObjects: customObjects)
            case .legacyModel:
                let file = try HDF5File(opening: path)
                defer { file.close() }
                let root = file.root
                let config =
                    try configPath.map { try readConfig($0) }
                    ?? parseJSON(Array(try root.readString("model_config").utf8), file: path + "@model_config")
                // A legacy file that records no Keras version was written by Keras 1 (KERAS.md C.5, C.7).
                return try assemble(
                    config: config, weights: root, layout: layout, version: try attribute(root, "keras_version") ?? "1",
                    backend: try attribute(root, "backend"), file: path, customObjects: customObjects)
            case .shardedWeights:
                let shards = try ShardedWeights(path: path)
                return try assemble(
                    config: try readConfig(try weightsOnlyConfig(configPath, layout: layout, path: path)),
                    layout: layout, version: nil, backend: nil, file: path, customObjects: customObjects
                ) { model, sources, kind in
                    try WeightReaders.keras3(model: model, sources: sources, sequential: kind == .sequential) {
                        group, count, layer in
                        try shards.variables(
                            group, count: count, layer: layer, limit: WeightReaders.elementLimit(model))
                    }
                }
            case .kerasWeights, .legacyWeights:
                let config = try readConfig(try weightsOnlyConfig(configPath, layout: layout, path: path))
                let file = try HDF5File(opening: path)
                defer { file.close() }
                let root = file.root
                let version =
                    layout == .legacyWeights
                    ? try attribute(root, "keras_version") ?? "1" : try attribute(root, "keras_version")
                return try assemble(
                    config: config, weights: root, layout: layout, version: version,
                    backend: try attribute(root, "backend"), file: path, customObjects: customObjects)
            }
        } catch let error as HDF5Error {
            var wrapped = KerasFormatError(error)
            if layout == .kerasArchive, error.file.hasPrefix(path + "/") {
                wrapped.member = String(error.file.dropFirst(path.count + 1))
            }
            throw wrapped
        }
    }

    /// The model JSON a weights-only file needs, or the sentence that asks for it.
    static func weightsOnlyConfig(_ configPath: String?, layout: KerasLayout, path: String) throws -> String {
        guard let configPath else {
            throw KerasFormatError(
                .configRequired, file: path,
                reason:
                    "it is a weights-only file (\(layout.summary)); give the model's JSON (model.to_json()) with --config"
            )
        }
        return configPath
    }

    static func attribute(_ root: HDF5Group, _ name: String) throws -> String? {
        try root.hasAttribute(name) ? root.readString(name) : nil
    }

    static func readConfig(_ path: String) throws -> JSONValue {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KerasFormatError(.fileNotFound, file: path, reason: "no such file")
        }
        return try parseJSON([UInt8](data), file: path)
    }

    static func parseJSON(_ bytes: [UInt8], file: String) throws -> JSONValue {
        do {
            return try JSONValue.parse(bytes)
        } catch let error as JSONError {
            throw KerasFormatError(.unreadable, file: file, reason: error.description, underlying: error)
        }
    }

    /// The model a config describes, without weights; the file's Keras version picks the hard_sigmoid form.
    static func build(
        config json: JSONValue, file: String, version: String?, customObjects: CustomObjects,
        initializing: Bool = false
    ) throws -> (Model, [ModelConfig.Layer], ModelConfig.Kind) {
        let keras2 = version.map { $0.hasPrefix("1.") || $0.hasPrefix("2.") || $0 == "1" } ?? false
        let config = try ModelConfig(json, file: file)
        do {
            var factory = LayerFactory(file: file, keras2: keras2, customObjects: customObjects)
            factory.initializing = initializing
            let (model, sources) = try ModelBuilder(factory: factory).build(config)
            return (model, sources, config.kind)
        } catch let error as RecurrentError {
            // A layer refused its config (sizes that cannot exist, say): the file is at fault.
            throw KerasFormatError(.unreadable, file: file, error)
        }
    }

    /// Builds the model from its config and loads the weights from `weights` (either path scheme).
    static func assemble(
        config json: JSONValue, weights: HDF5Group, layout: KerasLayout, version: String?, backend: String?,
        file: String, customObjects: CustomObjects
    ) throws -> KerasModel {
        try assemble(
            config: json, layout: layout, version: version, backend: backend, file: file, customObjects: customObjects
        ) { model, sources, kind in
            layout == .kerasArchive || layout == .kerasWeights
                ? try WeightReaders.keras3(
                    weights, model: model, sources: sources, sequential: kind == .sequential, file: file)
                : try WeightReaders.legacy(
                    weights, model: model, sources: sources,
                    configOrder: try ModelConfig(json, file: file).layers.map(\.name), file: file)
        }
    }

    /// Builds the model from its config and gives every layer with weights the tensors `read` finds for it
    /// (by layer index); a layer without any is an error naming it.
    static func assemble(
        config json: JSONValue, layout: KerasLayout, version: String?, backend: String?, file: String,
        customObjects: CustomObjects,
        weights read: (Model, [ModelConfig.Layer], ModelConfig.Kind) throws -> [Int: [Tensor]]
    ) throws -> KerasModel {
        let (built, sources, kind) = try build(config: json, file: file, version: version, customObjects: customObjects)
        var model = built
        let tensors = try read(model, sources, kind)
        for index in model.layers.indices where !model.layers[index].weightSlots.isEmpty {
            guard let layerWeights = tensors[index] else {
                throw KerasFormatError(
                    .weightMismatch, file: file, layer: model.layers[index].name,
                    reason: "the file has no weights for it")
            }
            do {
                try model.layers[index].setWeights(layerWeights)
            } catch let error as RecurrentError {
                throw KerasFormatError(.weightMismatch, file: file, error)
            }
        }
        return KerasModel(
            model: model, layout: layout, kerasVersion: version, backend: backend, config: json, sources: sources,
            kind: kind)
    }
}
