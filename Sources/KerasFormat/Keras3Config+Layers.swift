import RecurrentLayers

extension Keras3Config {
    /// SimpleRNN / LSTM / GRU over a built-in cell, or RNN over a stack or the user's own cell.
    /// - Parameter source: the layer's config in the source file.
    mutating func recurrent(_ rnn: RNN, source: JSONValue?) throws -> (JSONValue, String) {
        var config: [(String, JSONValue)] = [
            ("name", .string(rnn.name)), ("trainable", .bool(true)), ("dtype", .string("float32")),
            ("return_sequences", .bool(rnn.returnSequences)), ("return_state", .bool(rnn.returnState)),
            ("go_backwards", .bool(rnn.goBackwards)), ("stateful", .bool(rnn.stateful)), ("unroll", .bool(rnn.unroll)),
            ("zero_output_for_mask", .bool(rnn.zeroOutputForMask)),
        ]
        if rnn.timeMajor {
            throw KerasFormatError(
                .unsupportedLayer, file: file, layer: rnn.name,
                reason:
                    "it is time-major, which Keras 3 does not support; write it as a legacy .h5 instead"
            )
        }
        let className: String
        switch rnn.cell {
        case let cell as SimpleRNNCell:
            className = "SimpleRNN"
            config += try cellFields(cell, in: rnn.name, source: source)
        case let cell as LSTMCell:
            className = "LSTM"
            config += try cellFields(cell, in: rnn.name, source: source)
        case let cell as GRUCell:
            className = "GRU"
            config += try cellFields(cell, in: rnn.name, source: source)
        case let cell as ConvLSTMCell:
            className = "ConvLSTM\(cell.rank)D"
            config += convLSTMFields(cell, in: rnn.name) + Self.trainingFields(source, besides: config.map(\.0))
        default:
            className = "RNN"
            config.append(("cell", try cellEntry(rnn.cell, in: rnn.name, source: source?["cell"])))
        }
        config.append(("activity_regularizer", Self.regularizer(rnn.activityRegularizer)))
        return (
            Self.object([
                ("module", .string("keras.layers")), ("class_name", .string(className)),
                ("config", Self.object(config)), ("registered_name", .null),
            ]), className
        )
    }

    /// `{"module": "keras.layers", "class_name": "LSTMCell", "config": ...}`, a StackedRNNCells, or the
    /// user's own cell with the config its source entry holds.
    mutating func cellEntry(_ cell: any RecurrentCell, in layer: String, source: JSONValue?) throws -> JSONValue {
        let (className, fields): (String, [(String, JSONValue)])
        switch cell {
        case let cell as SimpleRNNCell:
            (className, fields) = ("SimpleRNNCell", try cellFields(cell, in: layer, source: source?["config"]))
        case let cell as LSTMCell:
            (className, fields) = ("LSTMCell", try cellFields(cell, in: layer, source: source?["config"]))
        case let cell as GRUCell:
            (className, fields) = ("GRUCell", try cellFields(cell, in: layer, source: source?["config"]))
        case let stack as StackedRNNCells:
            var cells: [JSONValue] = []
            // tf.keras writes a list of cells as StackedRNNCells; an older file may hold the list itself.
            let sourceCells = source?["config"]?["cells"]?.arrayValue ?? source?.arrayValue ?? []
            for (position, inner) in stack.cells.enumerated() {
                cells.append(
                    try cellEntry(
                        inner, in: layer, source: position < sourceCells.count ? sourceCells[position] : nil))
            }
            (className, fields) = (
                "StackedRNNCells",
                [
                    ("name", .string(stack.name)), ("trainable", .bool(true)), ("dtype", .string("float32")),
                    ("cells", .array(cells)),
                ]
            )
        case let custom as any KerasSerializableCell:
            let registered = custom.kerasRegisteredName
            return Self.object([
                ("module", .null),
                ("class_name", .string(registered.split(separator: ">").last.map(String.init) ?? registered)),
                ("config", .object(custom.kerasConfig)), ("registered_name", .string(registered)),
            ])
        default:
            guard let (entry, _) = Self.customEntry(source) else {
                throw KerasFormatError(
                    .unsupportedLayer, file: file, layer: layer,
                    reason:
                        "the custom cell \(type(of: cell)) has no Keras config: conform it to KerasSerializableCell (its registered name and get_config())"
                )
            }
            return entry
        }
        return Self.object([
            ("module", .string("keras.layers")), ("class_name", .string(className)), ("config", Self.object(fields)),
            ("registered_name", .null),
        ])
    }

    /// The shared fields of a built-in cell, and each kind's own. The initializers are the cell's own, or
    /// for a cell built from a file (placeholders) the source config's, or else Keras's defaults.
    mutating func cellFields(_ cell: any RecurrentCell, in layer: String, source: JSONValue? = nil) throws -> [(
        String, JSONValue
    )] {
        guard let cell = cell as? any BuiltInCell else {
            throw KerasFormatError(
                .unsupportedLayer, file: file, layer: layer, reason: "\(type(of: cell)) is not a built-in cell")
        }
        let rules = cell.rules
        var fields: [(String, JSONValue)] = [
            ("units", .int(Int64(cell.units))), ("activation", activation(cell.activation, in: layer)),
            ("use_bias", .bool(cell.useBias)),
            (
                "kernel_initializer",
                Self.initializer(cell.initializers.kernel, source?["kernel_initializer"], .glorotUniform)
            ),
            (
                "recurrent_initializer",
                Self.initializer(cell.initializers.recurrent, source?["recurrent_initializer"], .orthogonal())
            ),
            ("bias_initializer", Self.initializer(cell.initializers.bias, source?["bias_initializer"], .zeros)),
            ("kernel_regularizer", Self.regularizer(rules.kernelRegularizer)),
            ("recurrent_regularizer", Self.regularizer(rules.recurrentRegularizer)),
            ("bias_regularizer", Self.regularizer(rules.biasRegularizer)),
            ("kernel_constraint", Self.constraint(rules.kernelConstraint)),
            ("recurrent_constraint", Self.constraint(rules.recurrentConstraint)),
            ("bias_constraint", Self.constraint(rules.biasConstraint)),
            ("dropout", .double(Double(cell.dropout))), ("recurrent_dropout", .double(Double(cell.recurrentDropout))),
            ("seed", cell.seed.map { .int(Int64(truncatingIfNeeded: $0)) } ?? .null),
        ]
        if let lstm = cell as? LSTMCell {
            fields += [
                ("recurrent_activation", activation(lstm.recurrentActivation, in: layer)),
                ("unit_forget_bias", .bool(lstm.unitForgetBias)),
            ]
        } else if let gru = cell as? GRUCell {
            fields += [
                ("recurrent_activation", activation(gru.recurrentActivation, in: layer)),
                ("reset_after", .bool(gru.resetAfter)),
            ]
        }
        return fields
    }

    /// Dense, Embedding, Masking, Dropout, Activation and TimeDistributed, or the user's own layer with
    /// the config its source entry holds.
    mutating func feedForward(_ layer: any FeedForwardLayer, source: JSONValue?) throws -> (JSONValue, String) {
        let head: [(String, JSONValue)] = [
            ("name", .string(layer.name)), ("trainable", .bool(true)), ("dtype", .string("float32")),
        ]
        let (className, fields): (String, [(String, JSONValue)])
        switch layer {
        case let dense as Dense:
            // The initializers are the layer's own, or (built from a file) the source's; so are the
            // regularizers and constraints.
            let own = source?["config"]
            var denseFields: [(String, JSONValue)] = [
                ("units", .int(Int64(dense.units))), ("activation", activation(dense.activation, in: dense.name)),
                ("use_bias", .bool(dense.useBias)),
                (
                    "kernel_initializer",
                    Self.initializer(dense.kernelInitializer, own?["kernel_initializer"], .glorotUniform)
                ),
                ("bias_initializer", Self.initializer(dense.biasInitializer, own?["bias_initializer"], .zeros)),
            ]
            let rules: [(String, JSONValue)] = [
                ("kernel_regularizer", Self.regularizer(dense.rules.kernelRegularizer)),
                ("bias_regularizer", Self.regularizer(dense.rules.biasRegularizer)),
                ("kernel_constraint", Self.constraint(dense.rules.kernelConstraint)),
                ("bias_constraint", Self.constraint(dense.rules.biasConstraint)),
            ]
            for (key, written) in rules {
                let carried = own?[key].flatMap { $0["class_name"] != nil ? $0 : nil }
                denseFields.append((key, written.isNull ? carried ?? .null : written))
            }
            denseFields.append(("quantization_config", .null))
            (className, fields) = ("Dense", denseFields)
        case let embedding as Embedding:
            (className, fields) = (
                "Embedding",
                [
                    ("input_dim", .int(Int64(embedding.inputDim))), ("output_dim", .int(Int64(embedding.outputDim))),
                    ("mask_zero", .bool(embedding.maskZero)),
                ]
            )
        case let masking as Masking:
            (className, fields) = ("Masking", [("mask_value", .double(Double(masking.maskValue)))])
        case let dropout as Dropout:
            (className, fields) = (
                "Dropout", [("rate", .double(Double(dropout.rate))), ("seed", .null), ("noise_shape", .null)]
            )
        case let activationLayer as ActivationLayer:
            (className, fields) = (
                "Activation", [("activation", activation(activationLayer.activation, in: activationLayer.name))]
            )
        case let nested as NestedModel:
            return try nestedModel(nested, source: source)
        case let wrapper as TimeDistributed:
            (className, fields) = (
                "TimeDistributed", [("layer", try feedForward(wrapper.layer, source: source?["config"]?["layer"]).0)]
            )
        default:
            if let (name, config) = surrounding(layer) {
                // Keras 3's SpatialDropout1D/2D/3D take no `trainable` argument.
                var fields = (name.hasPrefix("SpatialDropout") ? head.filter { $0.0 != "trainable" } : head) + config
                fields += Self.trainingFields(source?["config"], besides: fields.map(\.0))
                // A weight's initializer the source does not name (a layer built in Swift): Keras's default,
                // as Keras's get_config writes it.
                for slot in layer.weightSlots {
                    guard let (key, fallback) = LayerFactory.initializerKey(slot: slot.name, className: name),
                        !fields.contains(where: { $0.0 == key })
                    else { continue }
                    fields.append((key, Self.initializer(fallback, nil, fallback)))
                }
                return (
                    Self.object([
                        ("module", .string("keras.layers")), ("class_name", .string(name)),
                        ("config", Self.object(fields)), ("registered_name", .null),
                    ]), name
                )
            }
            if let custom = Self.customEntry(source) { return custom }
            throw KerasFormatError(
                .unsupportedLayer, file: file, layer: layer.name,
                reason: "\(type(of: layer)) cannot be written to a Keras 3 config")
        }
        return (
            Self.object([
                ("module", .string("keras.layers")), ("class_name", .string(className)),
                ("config", Self.object(head + fields)), ("registered_name", .null),
            ]), className
        )
    }
}

extension ModelLayer {
    var isInput: Bool { if case .input = self { true } else { false } }
}

extension Keras3Config {
    /// A model used as a layer: the whole config Keras 3 writes for it (a Functional, whatever it was
    /// built as: Keras loads a Functional wherever a Sequential stood), from its own layers and the
    /// entries its source config gives them.
    mutating func nestedModel(_ nested: NestedModel, source: JSONValue?) throws -> (JSONValue, String) {
        var inner = KerasModel(
            model: nested.model, layout: .kerasArchive, kerasVersion: nil, backend: nil, config: .null,
            sources: Self.nestedSources(nested, entry: source), kind: .functional)
        inner.customObjects = self.source.customObjects
        var serializer = Keras3Config(inner, file: file)
        let (config, _) = try serializer.build()
        changes += serializer.changes
        return (config, "Functional")
    }

    /// The source config's entries of a nested model's layers, by name (a nested Sequential's input layer
    /// made from the shape it was called on has none: an empty entry).
    static func nestedSources(_ nested: NestedModel, entry: JSONValue?) -> [ModelConfig.Layer] {
        ModelConfig.sources(of: nested.model, in: entry.flatMap { try? ModelConfig($0, file: "") })
    }
}
