import RecurrentLayers

extension KerasModel {
    /// A model built in Swift, ready to be written in every layout Keras reads (`write(to:format:)`):
    /// its Keras 3 config is written from the layers themselves, the layers are rebuilt from that config
    /// (so what is written is what RNNKit reads back), and the weights are the model's own.
    ///
    /// ```swift
    /// let model = Model.sequential([
    ///     .input(name: "signal", shape: [40, 1], batchSize: nil),
    ///     .recurrent(RNN(cell: try LSTMCell(units: 16, inputSize: 1))),
    ///     .feedForward(try Dense(units: 3, inputSize: 16, activation: .softmax)),
    /// ])
    /// try KerasModel(model).write(to: "waveforms.keras", format: .kerasArchive)
    /// ```
    ///
    /// Layers that kept RNNKit's default name (`rnn`, `dense`, `bidirectional`, ...) get Keras's own for
    /// their class, numbered as Keras numbers them (`lstm`, `lstm_1`, `dense`, ...); names you gave are kept
    /// and must be unique. A chain of layers (what `Model.sequential` builds) is written as Keras's
    /// Sequential config, any other graph as a Functional one.
    /// - Parameters:
    ///   - model: The model, with its weights.
    ///   - acceptingChanges: Write a model Keras 3 cannot express exactly (Keras 2's hard_sigmoid) with
    ///     Keras 3's form; without it such a model is refused, the change named.
    ///   - customObjects: Makers for your own layers and cells: the layers are rebuilt from the config with
    ///     them. The model's own `KerasSerializableCell`s need none: each builds again as itself.
    /// - Throws: `KerasFormatError.invalidModel` for two layers with one name; `.unsupportedLayer` when
    ///   Keras 3 has no form for a layer (a time-major RNN, a cell without a Keras config) or cannot express
    ///   it exactly and `acceptingChanges` is false.
    public init(_ model: Model, acceptingChanges: Bool = false, customObjects: CustomObjects = CustomObjects())
        throws
    {
        let file = "model '\(model.name)'"
        let named = try Self.kerasNamed(model, file: file)
        var provisional = KerasModel(
            model: named, layout: .kerasArchive, kerasVersion: nil, backend: nil, config: .null, sources: [],
            kind: .functional)
        let customObjects = customObjects.including(cellsOf: named)
        provisional.customObjects = customObjects
        let (converted, changes) = try provisional.keras3Conversion(file: file)
        guard changes.isEmpty || acceptingChanges else {
            throw KerasFormatError(
                .unsupportedLayer, file: file,
                reason:
                    "Keras 3 cannot express this model exactly: \(changes.joined(separator: "; ")); accept the change to write it anyway"
            )
        }
        self = converted
        self.backend = "jax"
        if let sequential = Self.sequentialConfig(of: named, functional: converted.config) {
            let parsed = try ModelConfig(sequential, file: file)
            let (built, sources) = try ModelBuilder(
                factory: LayerFactory(file: file, keras2: false, customObjects: customObjects)
            ).build(parsed)
            self = try converted.withWeights(
                of: built, sources: sources, config: sequential, version: Self.targetKerasVersion, kind: .sequential,
                file: file)
            self.backend = "jax"
        }
    }

    /// The Sequential config Keras writes for a model that is a chain (an input layer, then layers each
    /// called once on the one before, every call on one tensor giving one tensor, as `Model.sequential`
    /// builds), from the Functional config written for it; nil for any other model.
    static func sequentialConfig(of model: Model, functional: JSONValue) -> JSONValue? {
        guard model.inputs == [Model.TensorReference(node: 0)], model.outputs.count == 1,
            model.outputs[0] == Model.TensorReference(node: model.nodes.count - 1),
            model.nodes.count == model.layers.count, model.layers.first?.isInput == true,
            let body = functional["config"]?.objectValue, let entries = body["layers"]?.arrayValue,
            entries.count == model.layers.count
        else { return nil }
        for (index, node) in model.nodes.enumerated() {
            let expected = index == 0 ? [] : [Model.TensorReference(node: index - 1)]
            guard node.layer == index, node.inputs == expected, node.initialState.isEmpty, node.masks.isEmpty
            else { return nil }
            switch model.layers[index] {
            case .operation: return nil
            case .feedForward(let layer) where layer.takesList: return nil
            case .recurrent(let rnn) where rnn.returnState: return nil
            case .bidirectional(let wrapper) where wrapper.returnState: return nil
            default: break
            }
        }
        // Keras 3's Sequential.get_config: each layer serialized alone (no name or inbound nodes beside it),
        // the input layer first, and the input's batch shape.
        let layers = entries.map { entry -> JSONValue in
            var object = entry.objectValue ?? JSONObject()
            object["name"] = nil
            object["inbound_nodes"] = nil
            return .object(object)
        }
        let inputShape = entries[0]["config"]?["batch_shape"] ?? .null
        return .object(
            JSONObject([
                ("module", .string("keras")), ("class_name", .string("Sequential")),
                (
                    "config",
                    .object(
                        JSONObject([
                            ("name", body["name"] ?? .string(model.name)), ("trainable", .bool(true)),
                            ("layers", .array(layers)), ("build_input_shape", inputShape),
                        ]))
                ),
                ("registered_name", .null), ("build_config", .object(JSONObject([("input_shape", inputShape)]))),
            ]))
    }

    /// The model with Keras's names for the layers left with RNNKit's defaults.
    static func kerasNamed(_ model: Model, file: String) throws -> Model {
        var serializer = Keras3Config(
            KerasModel(
                model: model, layout: .kerasArchive, kerasVersion: nil, backend: nil, config: .null, sources: [],
                kind: .functional), file: file)
        var bases: [String?] = []
        for layer in model.layers {
            let className = try serializer.serialize(layer, inputShape: nil, inputDtype: "float32", source: nil).1
            let base = WeightReaders.snakeCase(className)
            let defaults: Set<String> =
                switch layer {
                case .recurrent: ["rnn", base]
                case .input: ["input", base]
                default: [base]
                }
            let renamable: Bool =
                switch layer {
                case .feedForward(let inner): inner is any RenamableLayer
                default: true
                }
            bases.append(renamable && defaults.contains(layer.name) ? base : nil)
        }
        var taken = Set<String>()
        for (layer, base) in zip(model.layers, bases) where base == nil {
            guard taken.insert(layer.name).inserted else {
                throw KerasFormatError(
                    .invalidModel, file: file,
                    reason: "two layers are named '\(layer.name)'; Keras needs every layer name to be unique")
            }
        }
        var renamed = model
        for index in model.layers.indices {
            guard let base = bases[index] else { continue }
            var (name, number) = (base, 0)
            while taken.contains(name) {
                number += 1
                name = "\(base)_\(number)"
            }
            taken.insert(name)
            renamed.layers[index] = Self.renaming(model.layers[index], to: name, base: base)
        }
        return renamed
    }

    /// `layer` named `name`; a Bidirectional's directions become `forward_<base>` and `backward_<base>`
    /// when they kept the default `forward_rnn` and `backward_rnn`.
    static func renaming(_ layer: ModelLayer, to name: String, base: String) -> ModelLayer {
        switch layer {
        case .input(_, let shape, let batchSize):
            return .input(name: name, shape: shape, batchSize: batchSize)
        case .recurrent(var rnn):
            rnn.name = name
            return .recurrent(rnn)
        case .bidirectional(var wrapper):
            wrapper.name = name
            for (direction, prefix) in [(\Bidirectional.forward, "forward_"), (\Bidirectional.backward, "backward_")] {
                if wrapper[keyPath: direction].name == prefix + "rnn" {
                    let inner = WeightReaders.snakeCase(
                        {
                            switch wrapper[keyPath: direction].cell {
                            case is SimpleRNNCell: "SimpleRNN"
                            case is LSTMCell: "LSTM"
                            case is GRUCell: "GRU"
                            default: "RNN"
                            }
                        }())
                    wrapper[keyPath: direction].name = prefix + inner
                }
            }
            return .bidirectional(wrapper)
        case .feedForward(let inner):
            guard var renamable = inner as? any RenamableLayer else { return layer }
            renamable.name = name
            return .feedForward(renamable)
        case .operation(_, let operation):
            return .operation(name: name, operation)
        }
    }
}

/// One layer's Keras config, both ways.
extension ModelLayer {
    /// The layer's Keras 3 config as `keras.saving.serialize_keras_object(layer)` gives it: `module`,
    /// `class_name`, `config` (Keras's `layer.get_config()`) and `registered_name`.
    /// - Throws: `KerasFormatError.unsupportedLayer` when Keras 3 has no form for the layer or cannot
    ///   express it exactly (Keras 2's hard_sigmoid).
    public func kerasConfig() throws -> JSONValue {
        let file = "layer '\(name)'"
        var serializer = Keras3Config(
            KerasModel(
                model: Model.sequential([self]), layout: .kerasArchive, kerasVersion: nil, backend: nil,
                config: .null, sources: [], kind: .functional), file: file)
        let (entry, _) = try serializer.serialize(self, inputShape: nil, inputDtype: "float32", source: nil)
        guard serializer.changes.isEmpty else {
            throw KerasFormatError(
                .unsupportedLayer, file: file,
                reason: "Keras 3 cannot express it exactly: \(serializer.changes.joined(separator: "; "))")
        }
        return entry
    }

    /// A layer from its Keras config (the `serialize_keras_object` form, or Keras 2's `{class_name,
    /// config}`), built for inputs of `inputShape` (without the batch dimension), as Keras's `from_config`
    /// and `build` make it: fresh weights from the config's initializers (Keras's defaults where it names
    /// none; `unit_forget_bias` honoured). Random initializers draw from RNNKit's generator, seeded by the
    /// initializer's `seed` or the layer's name: Keras's distributions, not Keras's numbers.
    /// - Parameters:
    ///   - kerasConfig: The layer's config, as `serialize_keras_object(layer)` or Keras 2 writes it.
    ///   - inputShape: The layer's input shape without the batch dimension (nil: any length).
    ///   - keras2: Read the config with Keras 1/2 semantics (hard_sigmoid's form).
    ///   - customObjects: Makers for your own layers and cells named in the config.
    /// - Throws: `KerasFormatError` naming what the config lacks, an initializer Keras does not have, or
    ///   what RNNKit does not implement.
    public init(
        kerasConfig: JSONValue, inputShape: [Int?], keras2: Bool = false, customObjects: CustomObjects = CustomObjects()
    ) throws {
        let input = JSONValue.object(
            JSONObject([
                ("class_name", .string("InputLayer")),
                (
                    "config",
                    .object(
                        JSONObject([
                            ("batch_shape", .array([.null] + inputShape.map { $0.map { .int(Int64($0)) } ?? .null })),
                            ("dtype", .string("float32")), ("name", .string("input_layer")),
                        ]))
                ),
            ]))
        let model = JSONValue.object(
            JSONObject([
                ("class_name", .string("Sequential")),
                (
                    "config",
                    .object(JSONObject([("name", .string("sequential")), ("layers", .array([input, kerasConfig]))]))
                ),
            ]))
        let (built, _, _) = try KerasModel.build(
            config: model, file: "layer config", version: keras2 ? "2" : KerasModel.targetKerasVersion,
            customObjects: customObjects, initializing: true)
        guard built.layers.count == 2, let layer = built.layers.last else {
            throw KerasFormatError(.unreadable, file: "layer config", reason: "the config does not describe one layer")
        }
        self = layer
    }
}

extension KerasModel {
    /// One layer in a model of its own, `Input(inputShape)` then the layer, ready to be written (the
    /// common "save this trained LSTM"): Keras loads the file as a model whose second layer is this one.
    /// - Parameters:
    ///   - layer: The layer, with its weights.
    ///   - inputShape: The layer's input shape without the batch dimension (nil: any length).
    ///   - acceptingChanges: As for a whole model: write what Keras 3 cannot express exactly in its form.
    public init(layer: ModelLayer, inputShape: [Int?], acceptingChanges: Bool = false) throws {
        try self.init(
            Model.sequential([.input(name: "input_layer", shape: inputShape, batchSize: nil), layer]),
            acceptingChanges: acceptingChanges)
    }
}
