import RecurrentLayers

/// The config dialects RNNKit writes: Keras 3's, or Keras 2's as tf.keras (tf_keras 2.x) reads it.
public enum KerasDialect: String, Sendable, CaseIterable {
    /// tf.keras / Keras 2 (KERAS.md C.8), written only to the legacy `.h5` layouts.
    case keras2
    /// Keras 3 (KERAS.md C.9): every layout.
    case keras3
}

extension KerasModel {
    /// The tf_keras version whose dialect `KerasDialect.keras2` writes, recorded as the file's `keras_version`.
    public static let targetKeras2Version = "2.21.0"

    /// The dialect of the model's config: Keras 3's, or Keras 1/2's (tf.keras included).
    public var dialect: KerasDialect { isKeras3Dialect ? .keras3 : .keras2 }

    /// The model in `dialect`: itself when it already is, otherwise a config in that dialect and the
    /// layers rebuilt from it with that generation's semantics, the same weights. `changes` lists what the
    /// target cannot express exactly (hard_sigmoid differs between Keras 2 and 3).
    /// - Parameters:
    ///   - dialect: The dialect to convert to.
    ///   - file: The file named in errors, normally the file about to be written.
    public func conversion(to dialect: KerasDialect, file: String) throws -> (model: KerasModel, changes: [String]) {
        switch dialect {
        case .keras3: return try keras3Conversion(file: file)
        case .keras2: return try keras2Conversion(file: file)
        }
    }

    /// The model as tf.keras would hold it (see `Keras2Config`).
    func keras2Conversion(file: String) throws -> (model: KerasModel, changes: [String]) {
        if !isKeras3Dialect { return (self, []) }
        var translator = Keras2Config(file: file)
        // Keras 3 runs a recurrent layer called with initial_state without its input's mask; tf.keras applies
        // it. Such a call gets an explicit all-true mask, which tf.keras uses instead.
        var unmasked: [String] = []
        let graph = Keras3Config(self, file: file)
        for node in model.nodes where !node.initialState.isEmpty && node.masks.isEmpty && !node.usesInputMask {
            switch model.layers[node.layer] {
            case .recurrent, .bidirectional:
                if let input = node.inputs.first, try graph.maskOrigin(input, in: model) != nil {
                    let name = model.layers[node.layer].name
                    if model.nodes.filter({ $0.layer == node.layer }).count == 1 {
                        unmasked.append(name)
                    } else {
                        translator.changes.append(
                            "layer '\(name)': tf.keras applies its input's mask to a recurrent layer called with initial_state, which Keras 3 does not"
                        )
                    }
                }
            default: break
            }
        }
        // Keras 3's unrolled Bidirectional carries the previous output at masked steps; tf.keras's (written
        // not unrolled) writes zeros there, as Bidirectional asks.
        for node in model.nodes {
            guard case .bidirectional(let wrapper) = model.layers[node.layer], wrapper.returnSequences,
                wrapper.forward.unroll || wrapper.backward.unroll
            else { continue }
            let masked =
                try node.mask != nil || node.inputs.first.map { try graph.maskOrigin($0, in: model) != nil } == true
            if masked {
                translator.changes.append(
                    "layer '\(wrapper.name)': Keras 3's unrolled loop carries the previous output at masked steps, where tf.keras's Bidirectional writes zeros"
                )
            }
        }
        var config = try translator.translate(
            unmasked.isEmpty ? self.config : Self.withAllTrueMasks(self.config, layers: unmasked))
        let parsed = try ModelConfig(config, file: file)
        let (built, sources) = try ModelBuilder(
            factory: LayerFactory(file: file, keras2: true, customObjects: customObjects)
        ).build(parsed)
        if parsed.kind == .functional {
            // tf.keras orders a Functional model's layers by depth, its TFOpLambda layers among them: the
            // config lists them in that order, as tf.keras writes it (weights are paired by that order).
            config = Self.reordered(config, names: Keras3Config.kerasOrder(built).map { built.layers[$0].name })
        }
        return (
            try withWeights(
                of: built, sources: sources, config: config, version: Self.targetKeras2Version, kind: parsed.kind,
                file: file), translator.changes
        )
    }

    /// The config with its layers listed in the order of `names` (layers not named keep their place after).
    static func reordered(_ config: JSONValue, names: [String]) -> JSONValue {
        guard case .object(var top) = config, case .object(var body) = top["config"],
            let entries = body["layers"]?.arrayValue
        else { return config }
        let rank = Dictionary(names.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        let sorted = entries.enumerated().sorted {
            (rank[$0.element["name"]?.stringValue ?? ""] ?? names.count + $0.offset)
                < (rank[$1.element["name"]?.stringValue ?? ""] ?? names.count + $1.offset)
        }
        body["layers"] = .array(sorted.map(\.element))
        top["config"] = .object(body)
        return .object(top)
    }

    /// A Keras 3 config in which each of `layers` (called once, on a `[batch, time, features]` tensor) is
    /// called with the mask `any(cast(ones_like(x), bool), axis=-1)`: every step, as Keras 3 runs them.
    static func withAllTrueMasks(_ config: JSONValue, layers: [String]) -> JSONValue {
        guard case .object(var top) = config, case .object(var body) = top["config"],
            var entries = body["layers"]?.arrayValue
        else { return config }
        var names = Set(entries.compactMap { $0["name"]?.stringValue })
        func unique(_ base: String) -> String {
            var (name, suffix) = (base, 1)
            while names.contains(name) {
                name = "\(base)_\(suffix)"
                suffix += 1
            }
            names.insert(name)
            return name
        }
        func tensor(_ name: String, shape: JSONValue, dtype: String) -> JSONValue {
            .object(
                JSONObject([
                    ("class_name", .string("__keras_tensor__")),
                    (
                        "config",
                        .object(
                            JSONObject([
                                ("shape", shape), ("dtype", .string(dtype)),
                                ("keras_history", .array([.string(name), .int(0), .int(0)])),
                            ]))
                    ),
                ]))
        }
        func operation(_ className: String, module: String, options: [(String, JSONValue)], argument: JSONValue)
            -> (JSONValue, String)
        {
            let name = unique(WeightReaders.snakeCase(className))
            let entry = JSONValue.object(
                JSONObject([
                    ("module", .string(module)), ("class_name", .string(className)),
                    ("config", .object(JSONObject([("name", .string(name))] + options))),
                    ("registered_name", .string(className)), ("name", .string(name)),
                    (
                        "inbound_nodes",
                        .array([.object(JSONObject([("args", .array([argument])), ("kwargs", .object(JSONObject()))]))])
                    ),
                ]))
            return (entry, name)
        }
        for layer in layers {
            guard let index = entries.firstIndex(where: { $0["name"]?.stringValue == layer }),
                case .object(var entry) = entries[index], var nodes = entry["inbound_nodes"]?.arrayValue,
                nodes.count == 1, case .object(var node) = nodes[0], let x = node["args"]?.arrayValue?.first,
                let shape = x["config"]?["shape"]?.arrayValue, shape.count == 3
            else { continue }
            let (ones, onesName) = operation("OnesLike", module: "keras.src.ops.numpy", options: [], argument: x)
            let (cast, castName) = operation(
                "Cast", module: "keras.src.ops.core", options: [("dtype", .string("bool"))],
                argument: tensor(onesName, shape: .array(shape), dtype: "float32"))
            let (any, anyName) = operation(
                "Any", module: "keras.src.ops.numpy", options: [("axis", .int(-1)), ("keepdims", .bool(false))],
                argument: tensor(castName, shape: .array(shape), dtype: "bool"))
            var kwargs = node["kwargs"]?.objectValue ?? JSONObject()
            kwargs["mask"] = tensor(anyName, shape: .array(Array(shape.prefix(2))), dtype: "bool")
            node["kwargs"] = .object(kwargs)
            nodes[0] = .object(node)
            entry["inbound_nodes"] = .array(nodes)
            entries[index] = .object(entry)
            entries.insert(contentsOf: [ones, cast, any], at: index)
        }
        body["layers"] = .array(entries)
        top["config"] = .object(body)
        return .object(top)
    }

    /// `model` (rebuilt from a converted config, layer for layer) holding this model's weights.
    func withWeights(
        of model: Model, sources: [ModelConfig.Layer], config: JSONValue, version: String, kind: ModelConfig.Kind,
        file: String
    ) throws -> KerasModel {
        var converted = model
        // By name: a conversion may add weightless operation nodes (a mask made explicit).
        let sourceLayers = Dictionary(self.model.layers.map { ($0.name, $0) }) { first, _ in first }
        for index in converted.layers.indices where !converted.layers[index].weightSlots.isEmpty {
            guard let layer = sourceLayers[converted.layers[index].name] else {
                throw KerasFormatError(
                    .unsupportedLayer, file: file,
                    reason: "the converted model's layer '\(converted.layers[index].name)' is not in the source")
            }
            try converted.layers[index].setWeights(layer.weights)
        }
        var result = KerasModel(
            model: converted, layout: layout, kerasVersion: version,
            backend: version.hasPrefix("3.") ? backend : "tensorflow", config: config, sources: sources, kind: kind)
        result.customObjects = customObjects
        return result
    }

    /// The model as Keras 3 would hold it: a Keras 3 Functional config written from the model itself,
    /// layers rebuilt from that config with Keras 3's semantics, the same weights. `changes` lists what
    /// Keras 3 cannot express exactly (Keras 2's hard_sigmoid); the converted model computes with Keras
    /// 3's formulas, so its outputs show the difference.
    /// - Parameter file: the file named in errors, normally the Keras 3 file about to be written.
    /// - Throws: `KerasFormatError.unsupportedLayer` when Keras 3 has no form for a layer at all (a
    ///   time-major layer, a cell that is not built in).
    public func keras3Conversion(file: String) throws -> (model: KerasModel, changes: [String]) {
        if isKeras3Dialect { return (self, []) }
        var serializer = Keras3Config(self, file: file)
        let (config, _) = try serializer.build()
        let parsed = try ModelConfig(config, file: file)
        let (built, sources) = try ModelBuilder(
            factory: LayerFactory(file: file, keras2: false, customObjects: customObjects)
        ).build(parsed)
        let result = try withWeights(
            of: built, sources: sources, config: config, version: Self.targetKerasVersion, kind: .functional,
            file: file)
        return (result, serializer.changes)
    }

    /// The model to write in `dialect`: this one, or its conversion.
    /// - Throws: `KerasFormatError.unsupportedLayer` listing the changes when the conversion is not exact
    ///   and `acceptingChanges` is false.
    func target(_ dialect: KerasDialect, acceptingChanges: Bool, file: String) throws -> KerasModel {
        let (converted, changes) = try conversion(to: dialect, file: file)
        guard changes.isEmpty || acceptingChanges else {
            throw KerasFormatError(
                .unsupportedLayer, file: file,
                reason:
                    "\(dialect.generation) cannot express this model exactly: \(changes.joined(separator: "; ")); accept the change to write it anyway"
            )
        }
        return converted
    }
}

/// What converting a model to Keras 3 changes, measured.
public struct ConversionReport: Sendable {
    /// The Keras 3 model to write: the conversion, or the model itself when it already is Keras 3.
    /// Writing it does not convert again.
    public var model: KerasModel
    /// One sentence per change Keras 3 cannot express exactly; empty for an exact conversion.
    public var changes: [String]
    /// The largest absolute difference between the original and the converted model's outputs on a
    /// probe input (zero for an exact conversion).
    public var largestDifference: Float
}

extension KerasModel {
    /// Runs the model and its Keras 3 conversion on the same seeded probe input and reports the largest
    /// output difference: token ids within the vocabulary for an Embedding's input, normal values
    /// otherwise; unknown batch and time dimensions become 2 and 8.
    /// - Parameters:
    ///   - dialect: The dialect to convert to.
    ///   - file: The file named in errors, normally the file about to be written.
    public func measureConversion(to dialect: KerasDialect = .keras3, file: String) throws -> ConversionReport {
        let (converted, changes) = try conversion(to: dialect, file: file)
        guard !changes.isEmpty else { return ConversionReport(model: converted, changes: [], largestDifference: 0) }
        let probe = try probeInputs(file: file)
        // Probe copies: stateful layers carry state across calls, and the returned model must not.
        var original = model
        var probed = converted.model
        let before = try original.call(probe)
        let after = try probed.call(probe)
        let difference =
            zip(before, after).map { a, b in zip(a.scalars, b.scalars).map { abs($0 - $1) }.max() ?? 0 }.max() ?? 0
        return ConversionReport(model: converted, changes: changes, largestDifference: difference)
    }
}

extension KerasModel {
    /// The most values a probe input may hold (64 Mi): an input shape beyond it comes from a damaged config.
    static let probeLimit = 1 << 26

    /// A seeded probe input for each model input: token ids within the vocabulary for an Embedding's
    /// input, values in [-2, 2) otherwise; unknown batch and time dimensions become `batch` and `timesteps`.
    /// - Throws: `KerasFormatError.unreadable` when an input's declared shape is too large to probe.
    func probeInputs(batch: Int = 2, timesteps: Int = 8, file: String) throws -> [Tensor] {
        var generator = SeededGenerator(seed: 7)
        let vocabularies = Dictionary(
            model.nodes.compactMap { node -> (Int, Int)? in
                guard case .feedForward(let layer) = model.layers[node.layer], let embedding = layer as? Embedding,
                    let input = node.inputs.first?.node
                else { return nil }
                return (input, embedding.inputDim)
            }, uniquingKeysWith: { first, _ in first })
        return try inputs.enumerated().map { position, input -> Tensor in
            let shape = input.shape.enumerated().map { axis, dim in dim ?? (axis == 0 ? batch : timesteps) }
            let (count, overflow) = Tensor.checkedCount(shape)
            guard !overflow, count <= Self.probeLimit else {
                throw KerasFormatError(
                    .unreadable, file: file, reason: "input '\(input.name)' declares shape \(shape), too large to run")
            }
            if let vocabulary = vocabularies[model.inputs[position].node] {
                return Tensor(
                    shape: shape,
                    scalars: (0..<count).map { _ in Float(1 + Int(generator.next() % UInt64(max(1, vocabulary - 1)))) })
            }
            return Tensor(
                shape: shape, scalars: (0..<count).map { _ in 2 * Float(Double(generator.next() % 10_000) / 5_000 - 1) }
            )
        }
    }
}

extension KerasDialect {
    /// "Keras 3" or "tf.keras", for messages.
    public var generation: String {
        switch self {
        case .keras2: "tf.keras"
        case .keras3: "Keras 3"
        }
    }
}
