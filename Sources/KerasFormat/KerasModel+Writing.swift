import Foundation
import HDF5
import RecurrentLayers
import ZIPFoundation

/// The layouts RNNKit writes.
public enum KerasWriteFormat: String, Sendable, CaseIterable {
    /// Keras 3 `model.save('x.keras')`: a stored zip of metadata, config and weights.
    case kerasArchive = "keras"
    /// Keras 3 `save_weights('x.weights.h5')`.
    case kerasWeights = "weights.h5"
    /// Legacy full model `.h5` (`model_config` + `model_weights`).
    case legacyModel = "h5"
    /// Legacy weights-only `.h5` (Keras 2's `save_weights('x.h5')`): the weights group at the root.
    case legacyWeights = "weights-only.h5"
}

extension KerasModel {
    /// The Keras version RNNKit's Keras 3 files say wrote them: the format version it targets.
    public static let targetKerasVersion = "3.15.1"

    /// Writes the model in `format`, atomically, its config in `dialect`.
    /// - Parameters:
    ///   - path: The file to write (its directory must exist); a failed write leaves no file behind.
    ///   - format: The layout.
    ///   - dialect: Keras 3's or tf.keras's config; by default Keras 3's for `.keras` and
    ///     `.weights.h5` and the model's own for the legacy layouts. The model is converted when its own
    ///     dialect differs (see `conversion(to:file:)`). `.keras2` is for the legacy layouts only.
    ///   - overwrite: Replace an existing file; without it an existing file is kept and the write refused.
    ///   - acceptingChanges: Write a conversion that changes the math (hard_sigmoid's form); refused
    ///     without it.
    /// - Throws: `KerasFormatError.cannotWrite` when the file exists and `overwrite` is false, or
    ///   `.unsupportedLayer` when the target dialect cannot hold the model.
    public func write(
        to path: String, format: KerasWriteFormat, dialect: KerasDialect? = nil, overwrite: Bool = false,
        acceptingChanges: Bool = false
    ) throws {
        do {
            let keras3Only = format == .kerasArchive || format == .kerasWeights
            let wanted = dialect ?? (keras3Only ? .keras3 : self.dialect)
            if keras3Only && wanted == .keras2 {
                throw KerasFormatError(
                    .unsupportedLayer, file: path,
                    reason:
                        "the tf.keras (Keras 2) dialect is written to the legacy .h5 layouts only, not \(format.rawValue)"
                )
            }
            if wanted != self.dialect {
                try target(wanted, acceptingChanges: acceptingChanges, file: path).write(
                    to: path, format: format, dialect: wanted, overwrite: overwrite)
                return
            }
            switch format {
            case .kerasWeights:
                try AtomicFile.write(to: path, overwrite: overwrite) { temporary in
                    let file = try HDF5File(creating: temporary, overwrite: true)
                    defer { file.close() }
                    try writeKeras3Weights(into: file.root, file: path)
                }
            case .kerasArchive:
                let config = try keras3ConfigText(file: path)
                let weights = try HDF5File.inMemory(name: path + "/model.weights.h5")
                try writeKeras3Weights(into: weights.root, file: path)
                let metadata = JSONValue.object(
                    JSONObject([
                        ("keras_version", .string(Self.targetKerasVersion)), ("date_saved", .string(Self.dateSaved())),
                    ]))
                let members: [(String, [UInt8])] = [
                    ("metadata.json", Array(metadata.jsonText.utf8)), ("config.json", Array(config.utf8)),
                    ("model.weights.h5", try weights.image()),
                ]
                try AtomicFile.write(to: path, overwrite: overwrite) { temporary in
                    let archive = try Archive(url: URL(fileURLWithPath: temporary), accessMode: .create)
                    for (name, bytes) in members {
                        try archive.addEntry(
                            with: name, type: .file, uncompressedSize: Int64(bytes.count), compressionMethod: .none,
                            provider: { position, size in Data(bytes[Int(position)..<(Int(position) + size)]) })
                    }
                }
            case .legacyModel:
                try AtomicFile.write(to: path, overwrite: overwrite) { temporary in
                    let file = try HDF5File(creating: temporary, overwrite: true)
                    defer { file.close() }
                    try writeLegacyModel(into: file.root)
                }
            case .legacyWeights:
                try AtomicFile.write(to: path, overwrite: overwrite) { temporary in
                    let file = try HDF5File(creating: temporary, overwrite: true)
                    defer { file.close() }
                    try writeLegacyWeights(into: file.root)
                }
            }
        } catch let error as HDF5Error {
            throw KerasFormatError(error)
        }
    }

    /// `YYYY-MM-DD@HH:MM:SS`, as Keras writes `date_saved`.
    static func dateSaved() -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyy-MM-dd@HH:mm:ss"
        return formatter.string(from: Date())
    }

    /// The config as Keras 3's `config.json`: the file's own Keras 3 config (every key kept), with the
    /// `module` keys a legacy `.h5`'s `model_config` leaves out at the top level.
    func keras3ConfigText(file: String) throws -> String {
        guard var object = config.objectValue, object["config"] != nil else {
            throw KerasFormatError(
                .unsupportedLayer, file: file, reason: "the model config is not an object with class_name and config")
        }
        guard isKeras3Dialect else {
            throw KerasFormatError(
                .unsupportedLayer, file: file,
                reason:
                    "the model config is in the Keras 1/2 dialect; converting it to Keras 3's is not implemented yet")
        }
        if case .object(var inner) = object["config"], case .array(let layers) = inner["layers"] {
            inner["layers"] = .array(layers.map(Self.withOperationModule))
            object["config"] = .object(inner)
        }
        if object["module"] == nil {
            let className = object["class_name"]?.stringValue ?? ""
            var fixed = JSONObject([
                ("module", .string(className == "Sequential" ? "keras" : "keras.src.models.functional"))
            ])
            for (key, value) in object.entries { fixed[key] = value }
            if fixed["registered_name"] == nil { fixed["registered_name"] = .null }
            object = fixed
        }
        return JSONValue.object(object).jsonText
    }

    /// A layer entry of a Keras 3 legacy `.h5` that is an operation node (no `module` and no `trainable`,
    /// as `ModelBuilder` tells them apart) with the module and registered name `.keras` configs give such
    /// nodes: without them Keras 3 looks the class up among its layers ("Unknown layer: 'NotEqual'").
    static func withOperationModule(_ entry: JSONValue) -> JSONValue {
        guard case .object(var object) = entry, object["module"] == nil,
            let className = object["class_name"]?.stringValue, className != "InputLayer",
            object["config"]?["trainable"] == nil
        else { return entry }
        let core = ["Cast", "ConvertToTensor"].contains(className)
        var fixed = JSONObject([("module", .string(core ? "keras.src.ops.core" : "keras.src.ops.numpy"))])
        for (key, value) in object.entries { fixed[key] = value }
        if fixed["registered_name"] == nil || fixed["registered_name"]?.isNull == true {
            fixed["registered_name"] = .string(className)
        }
        object = fixed
        return .object(object)
    }

    /// True when the config was written by Keras 3 (nested objects carry `module` keys, dtypes are policies).
    var isKeras3Dialect: Bool {
        if let version = kerasVersion { return version.hasPrefix("3.") }
        return config.jsonText.contains("\"module\": \"keras")
    }

    /// The Keras 3 path-scheme tree (KERAS.md C.2): `layers/<path>/vars/<i>` as float32, each `vars` group
    /// named after its object, and the model's own empty `vars`.
    func writeKeras3Weights(into root: HDF5Group, file: String) throws {
        for (index, owner, groups) in try WeightReaders.keras3Paths(
            model: model, sources: sources, sequential: kind == .sequential)
        {
            try root.createGroup("\(owner)/vars").setAttribute(
                "name", string: model.layers[index].name, form: .variableUTF8)
            var weights = model.layers[index].weights[...]
            for group in groups {
                let vars = try root.createGroup(group.path)
                try vars.setAttribute("name", string: group.name, form: .variableUTF8)
                for position in 0..<group.count {
                    let tensor = weights.removeFirst()
                    try vars.createDataset(String(position), values: tensor.scalars, shape: tensor.shape)
                }
            }
        }
        try root.createGroup("vars").setAttribute("name", string: model.name, form: .variableUTF8)
    }

    /// Legacy full-model `.h5` (KERAS.md C.5, D.5): root `keras_version`, `backend`, `model_config`;
    /// `/model_weights` with `layer_names` and per layer `weight_names` and datasets.
    func writeLegacyModel(into root: HDF5Group) throws {
        let version = kerasVersion ?? Self.targetKerasVersion
        let backend = self.backend ?? (version.hasPrefix("3.") ? "jax" : "tensorflow")
        var modelConfig = JSONObject()
        modelConfig["class_name"] = config["class_name"] ?? .string(kind == .sequential ? "Sequential" : "Functional")
        modelConfig["config"] = config["config"] ?? config
        // Keras 3 cannot load its own legacy .h5 when the graph holds operation nodes ("Unknown layer:
        // 'NotEqual'"); with the module a .keras config gives them, it can.
        if isKeras3Dialect, case .object(var inner) = modelConfig["config"], case .array(let layers) = inner["layers"] {
            inner["layers"] = .array(layers.map(Self.withOperationModule))
            modelConfig["config"] = .object(inner)
        }
        try root.setAttribute("keras_version", string: version, form: .variableUTF8)
        try root.setAttribute("backend", string: backend, form: .variableUTF8)
        try root.setAttribute("model_config", string: JSONValue.object(modelConfig).jsonText, form: .variableASCII)
        try writeLegacyWeights(into: try root.createGroup("model_weights"))
    }

    /// The legacy weights group (KERAS.md C.5): `layer_names`, `backend`, `keras_version` and a group per
    /// layer with `weight_names` and datasets; `/model_weights` of a full model, or the root of a
    /// weights-only file.
    func writeLegacyWeights(into weightsGroup: HDF5Group) throws {
        let version = kerasVersion ?? Self.targetKerasVersion
        let backend = self.backend ?? (version.hasPrefix("3.") ? "jax" : "tensorflow")
        let suffix = version.hasPrefix("3.") ? "" : ":0"
        // Weight names follow the objects' paths (unique within a layer, as Keras's are); loaders use
        // their order only.
        let paths = Dictionary(
            try WeightReaders.keras3Paths(model: model, sources: sources, sequential: kind == .sequential).map {
                ($0.index, $0)
            },
            uniquingKeysWith: { first, _ in first })
        var layerNames: [String] = []
        // Keras's loaders match the layers with weights by position, in the order Keras holds a Functional
        // model's layers (by depth from the outputs), not the config's order.
        let order = kind == .functional ? Keras3Config.kerasOrder(model) : Array(model.layers.indices)
        for index in order {
            let layer = model.layers[index]
            if kind == .sequential, case .input = layer { continue }
            if case .operation = layer { continue }
            layerNames.append(layer.name)
            let group = try weightsGroup.createGroup(layer.name)
            var names: [String] = []
            let slots = layer.weightSlots.map { $0.name.split(separator: "/").last.map(String.init) ?? $0.name }[...]
            var remaining = slots
            for variables in paths[index]?.groups ?? [] {
                let owner = paths[index]!.owner
                let inner = variables.path.dropFirst(owner.count).replacingOccurrences(of: "/vars", with: "")
                let prefix = layer.name + inner
                for _ in 0..<variables.count { names.append("\(prefix)/\(remaining.removeFirst())\(suffix)") }
            }
            try group.setChunkedStringList("weight_names", names)
            for (name, tensor) in zip(names, layer.weights) {
                try group.createDataset(name, values: tensor.scalars, shape: tensor.shape)
            }
        }
        try weightsGroup.createGroup("top_level_model_weights").setChunkedStringList("weight_names", [])
        try weightsGroup.setChunkedStringList("layer_names", layerNames)
        try weightsGroup.setAttribute("backend", string: backend, form: .variableASCII)
        try weightsGroup.setAttribute("keras_version", string: version, form: .variableASCII)
    }
}
