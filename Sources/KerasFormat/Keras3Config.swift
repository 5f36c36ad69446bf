import RecurrentLayers

/// A Keras 3 Functional config written from a loaded model itself, whatever generation wrote the source:
/// how a Keras 1/2 or tf.keras model becomes a `.keras` archive Keras 3 loads.
struct Keras3Config {
    let source: KerasModel
    /// The file named in errors: the output being written.
    let file: String
    /// Changes Keras 3 cannot express exactly (Keras 2's hard_sigmoid), one sentence each.
    var changes: [String] = []

    init(_ source: KerasModel, file: String) {
        self.source = source
        self.file = file
    }

    static func object(_ entries: [(String, JSONValue)]) -> JSONValue { .object(JSONObject(entries)) }
    static func shape(_ dims: [Int?]) -> JSONValue { .array(dims.map { $0.map { .int(Int64($0)) } ?? .null }) }

    /// The config, and the config layers (class names and configs) matching each model layer, for writing.
    mutating func build() throws -> (JSONValue, [ModelConfig.Layer]) {
        let model = source.model
        let shapes = try tensorShapes(model)
        var callCount: [Int: Int] = [:]
        var nodeCall: [Int] = []
        for node in model.nodes {
            nodeCall.append(callCount[node.layer, default: 0])
            callCount[node.layer, default: 0] += 1
        }
        let consumersOfEmbedding = Set(
            model.nodes.compactMap { node -> Int? in
                guard case .feedForward(let layer) = model.layers[node.layer], layer is Embedding else { return nil }
                return node.inputs.first?.node
            })
        func tensor(_ reference: Model.TensorReference, dtype: String = "float32") -> JSONValue {
            let node = model.nodes[reference.node]
            return Self.object([
                ("class_name", .string("__keras_tensor__")),
                (
                    "config",
                    Self.object([
                        ("shape", Self.shape(shapes[reference] ?? [])), ("dtype", .string(dtype)),
                        (
                            "keras_history",
                            .array([
                                .string(model.layers[node.layer].name), .int(Int64(nodeCall[reference.node])),
                                .int(Int64(reference.output)),
                            ])
                        ),
                    ])
                ),
            ])
        }
        var entries: [JSONValue] = []
        var sources: [ModelConfig.Layer] = []
        var names = Set(model.layers.map(\.name))
        for index in Self.kerasOrder(model) {
            let layer = model.layers[index]
            let calls = model.nodes.enumerated().filter { $0.element.layer == index }
            // MultiHeadAttention takes query and value as two arguments and key as a keyword.
            let separateArguments: Bool = if case .feedForward(is MultiHeadAttention) = layer { true } else { false }
            let listCall =
                switch layer {
                case .feedForward(let inner): inner.takesList && !separateArguments
                case .operation(_, .concatenate): true
                default: false
                }
            var maskEntries: [JSONValue] = []
            let inbound: [JSONValue] = try calls.map { _, node in
                var tensors = node.inputs.map { tensor($0) }
                var kwargs: [(String, JSONValue)] = []
                if separateArguments, tensors.count > 2 { kwargs.append(("key", tensors.removeLast())) }
                var args = listCall ? [JSONValue.array(tensors)] : tensors
                if case .operation(_, let operation) = layer, let constant = Self.constant(operation) {
                    if operation.constantComesFirst { args.insert(constant, at: 0) } else { args.append(constant) }
                }
                if !node.initialState.isEmpty {
                    kwargs.append(("initial_state", .array(node.initialState.map { tensor($0) })))
                }
                if separateArguments, !node.masks.isEmpty {
                    for (key, mask) in zip(["query_mask", "value_mask", "key_mask"], node.masks) {
                        kwargs.append((key, mask.map { tensor($0, dtype: "bool") } ?? .null))
                    }
                } else if listCall, !node.masks.isEmpty {
                    kwargs.append(("mask", .array(node.masks.map { $0.map { tensor($0, dtype: "bool") } ?? .null })))
                } else if let mask = node.mask {
                    kwargs.append(("mask", tensor(mask, dtype: "bool")))
                } else if try needsExplicitMask(node, in: model), let input = node.inputs.first {
                    // Keras 3 runs an RNN called with initial_state without its input's mask; tf.keras used it.
                    // The mask, rebuilt as Keras 3 operation nodes, goes in as the call's explicit mask.
                    let (made, mask) = try explicitMask(
                        for: input, in: model, shapes: shapes, tensor: tensor, names: &names)
                    maskEntries += made
                    kwargs.append(("mask", mask))
                }
                if let attentionMask = node.attentionMask {
                    kwargs.append(("attention_mask", tensor(attentionMask)))
                }
                if case .feedForward(let attention as any AttentionLayer) = layer {
                    if node.attention.useCausalMask || (attention as? Attention)?.causal == true {
                        kwargs.append(("use_causal_mask", .bool(true)))
                    }
                    if node.attention.returnAttentionScores { kwargs.append(("return_attention_scores", .bool(true))) }
                }
                let quirk: Bool =
                    switch layer {
                    case .bidirectional(let wrapper):
                        wrapper.forward.zeroesUnreversedMaskPositions || wrapper.backward.zeroesUnreversedMaskPositions
                    case .recurrent(let rnn): rnn.zeroesUnreversedMaskPositions
                    default: false
                    }
                if quirk, try node.mask != nil || node.inputs.first.map({ try maskOrigin($0, in: model) }) != nil {
                    changes.append(
                        "layer '\(layer.name)': tf.keras's unrolled backward loop zeroed masked outputs at the unreversed mask's positions, which Keras 3 does not"
                    )
                }
                if case .bidirectional(let wrapper) = layer, wrapper.forward.cell is ConvLSTMCell,
                    wrapper.returnSequences, !wrapper.forward.zeroOutputForMask,
                    try node.mask != nil || node.inputs.first.map({ try maskOrigin($0, in: model) }) != nil
                {
                    changes.append(
                        "layer '\(wrapper.name)': Keras 3's Bidirectional zeroes the outputs of masked steps, where tf.keras's ConvLSTM carried the previous output"
                    )
                }
                return Self.object([("args", .array(args)), ("kwargs", Self.object(kwargs))])
            }
            entries += maskEntries
            let inputShape = calls.first.flatMap { $0.element.inputs.first }.flatMap { shapes[$0] }
            let isEmbeddingInput = calls.contains { consumersOfEmbedding.contains($0.offset) }
            let sourceEntry = index < source.sources.count ? source.sources[index].entry : nil
            let sourceDtype = sourceEntry?["config"]?["dtype"]?.stringValue
            var (entry, className) = try serialize(
                layer, inputShape: inputShape,
                inputDtype: sourceDtype.flatMap { ["bool", "int32", "int64"].contains($0) ? $0 : nil }
                    ?? (isEmbeddingInput ? "int32" : "float32"),
                source: sourceEntry.map { .object($0) })
            var object = entry.objectValue ?? JSONObject()
            if case .operation = layer {
            } else if separateArguments, let first = calls.first {
                // MultiHeadAttention is built from its query's, value's (and key's) shapes by name.
                let all = first.element.inputs.map { Self.shape(shapes[$0] ?? []) }
                let named = zip(["query_shape", "value_shape", "key_shape"], all).map { ($0, $1) }
                object["build_config"] = Self.object([("shapes_dict", Self.object(named))])
            } else if listCall, let first = calls.first {
                // A layer called on a list is built from the list of its inputs' shapes.
                let all = first.element.inputs.map { Self.shape(shapes[$0] ?? []) }
                object["build_config"] = Self.object([("input_shape", .array(all))])
            } else if case .feedForward(is NestedModel) = layer {
                // Keras 3 writes a nested model's build config empty (it is built by its own config).
            } else if let inputShape, !(layer.isInput) {
                object["build_config"] = Self.object([("input_shape", Self.shape(inputShape))])
            }
            object["name"] = .string(layer.name)
            object["inbound_nodes"] = .array(layer.isInput ? [] : inbound)
            entry = .object(object)
            entries.append(entry)
            sources.append(
                ModelConfig.Layer(
                    className: className, name: layer.name, config: entry["config"]?.objectValue ?? JSONObject(),
                    entry: object, calls: []))
        }
        func references(_ refs: [Model.TensorReference]) -> JSONValue {
            let triples = refs.map { ref -> JSONValue in
                // A nested model's own construction is its node 0 here (ModelConfig.skipBuiltInNodes).
                let layer = model.layers[model.nodes[ref.node].layer]
                let skipped: Int = if case .feedForward(is NestedModel) = layer { 1 } else { 0 }
                return .array([
                    .string(layer.name), .int(Int64(nodeCall[ref.node] + skipped)), .int(Int64(ref.output)),
                ])
            }
            return triples.count == 1 ? triples[0] : .array(triples)
        }
        let config = Self.object([
            ("module", .string("keras.src.models.functional")), ("class_name", .string("Functional")),
            (
                "config",
                Self.object([
                    ("name", .string(model.name)), ("trainable", .bool(true)), ("layers", .array(entries)),
                    ("input_layers", references(model.inputs)), ("output_layers", references(model.outputs)),
                ])
            ),
            ("registered_name", .string("Functional")), ("build_config", Self.object([("input_shape", .null)])),
            ("compile_config", .null),
        ])
        return (config, sources)
    }

    /// The shape of every tensor in the graph, from the input layers on.
    func tensorShapes(_ model: Model) throws -> [Model.TensorReference: [Int?]] {
        var shapes: [Model.TensorReference: [Int?]] = [:]
        for (index, node) in model.nodes.enumerated() {
            let input = node.inputs.first.flatMap { shapes[$0] } ?? []
            let outputs: [[Int?]]
            switch model.layers[node.layer] {
            case .input(_, let shape, let batch): outputs = [[batch] + shape]
            case .recurrent(let layer): outputs = layer.outputShapes(inputShape: input)
            case .bidirectional(let layer): outputs = layer.outputShapes(inputShape: input)
            case .feedForward(let attention as any AttentionLayer):
                let all = node.inputs.map { shapes[$0] ?? [] }
                outputs =
                    [attention.outputShape(inputShapes: all)]
                    + (node.attention.returnAttentionScores ? [attention.scoresShape(inputShapes: all)] : [])
            case .feedForward(let layer) where layer.takesList:
                outputs = [layer.outputShape(inputShapes: node.inputs.map { shapes[$0] ?? [] })]
            case .feedForward(let layer): outputs = [layer.outputShape(inputShape: input)]
            case .operation: outputs = [input]
            }
            for (output, shape) in outputs.enumerated() {
                shapes[Model.TensorReference(node: index, output: output)] = shape
            }
        }
        return shapes
    }

    static func constant(_ operation: ModelOperation) -> JSONValue? {
        switch operation {
        case .notEqual(let v), .equal(let v), .greater(let v), .greaterEqual(let v), .less(let v), .lessEqual(let v),
            .add(let v),
            .subtract(let v), .multiply(let v), .divide(let v), .constantMinus(let v), .constantOver(let v):
            return v == v.rounded() && abs(v) < 1e9 ? .int(Int64(v)) : .double(Double(v))
        default:
            return nil
        }
    }

    /// `{"module", "class_name", "config", "registered_name"}` for a layer, and its class name.
    /// - Parameter source: the layer's entry in the source config (`{class_name, config}`), where the
    ///   configs of the user's own cells and layers come from.
    mutating func serialize(_ layer: ModelLayer, inputShape: [Int?]?, inputDtype: String, source: JSONValue?) throws
        -> (JSONValue, String)
    {
        func entry(
            _ className: String, _ config: [(String, JSONValue)], module: String = "keras.layers",
            registered: JSONValue = .null
        ) -> (JSONValue, String) {
            (
                Self.object([
                    ("module", .string(module)), ("class_name", .string(className)), ("config", Self.object(config)),
                    ("registered_name", registered),
                ]), className
            )
        }
        switch layer {
        case .input(let name, let shape, let batch):
            return entry(
                "InputLayer",
                [
                    ("batch_shape", Self.shape([batch] + shape)), ("dtype", .string(inputDtype)),
                    ("sparse", .bool(false)), ("ragged", .bool(false)),
                    ("name", .string(name)), ("optional", .bool(false)),
                ])
        case .recurrent(let rnn):
            return try recurrent(rnn, source: source?["config"])
        case .bidirectional(let wrapper):
            let (forward, _) = try recurrent(wrapper.forward, source: source?["config"]?["layer"]?["config"])
            let (backward, _) = try recurrent(
                wrapper.backward,
                source: (source?["config"]?["backward_layer"] ?? source?["config"]?["layer"])?["config"])
            return entry(
                "Bidirectional",
                [
                    ("name", .string(wrapper.name)), ("trainable", .bool(true)), ("dtype", .string("float32")),
                    ("merge_mode", wrapper.mergeMode.map { .string($0.rawValue) } ?? .null), ("layer", forward),
                    ("backward_layer", backward),
                ])
        case .feedForward(let inner):
            return try feedForward(inner, source: source)
        case .operation(let name, let operation):
            var config: [(String, JSONValue)] = [("name", .string(name))]
            var module = "keras.src.ops.numpy"
            switch operation {
            case .cast(let toBool):
                module = "keras.src.ops.core"
                config.append(("dtype", .string(toBool ? "bool" : "float32")))
            case .any(let axis, let keepDims), .all(let axis, let keepDims):
                config += [("axis", .int(Int64(axis))), ("keepdims", .bool(keepDims))]
            case .expandDims(let axis), .concatenate(let axis):
                config.append(("axis", .int(Int64(axis))))
            default:
                break
            }
            return entry(
                operation.kerasClassName, config, module: module, registered: .string(operation.kerasClassName))
        }
    }

    mutating func activation(_ activation: Activation, in layer: String) -> JSONValue {
        if activation == .hardSigmoidKeras2 {
            changes.append(
                "layer '\(layer)': Keras 2's hard_sigmoid (0.2x + 0.5) becomes Keras 3's (x/6 + 0.5), which differs")
        }
        return .string(activation.kerasName)
    }

    /// The user's own cell or layer, from its source entry: Keras 3's `{module, class_name, config,
    /// registered_name}` with the source's config as it is. A tf.keras entry names a registered class
    /// `package>Name`: Keras 3 holds that as the registered name, `Name` as the class.
    static func customEntry(_ source: JSONValue?) -> (JSONValue, String)? {
        guard let className = source?["class_name"]?.stringValue, let config = source?["config"]?.objectValue else {
            return nil
        }
        let bare = className.split(separator: ">").last.map(String.init) ?? className
        return (
            object([
                ("module", source?["module"] ?? .null), ("class_name", .string(bare)), ("config", .object(config)),
                ("registered_name", source?["registered_name"] ?? .string(className)),
            ]), bare
        )
    }

    /// An initializer in Keras 3's form; a placeholder (a layer built from a file) is the source config's
    /// entry when it has one, else `fallback` (the Keras default for that weight).
    static func initializer(_ value: Initializer, _ source: JSONValue?, _ fallback: Initializer) -> JSONValue {
        if case .placeholder = value {
            if let source, source["class_name"] != nil { return source }
            return initializer(fallback, nil, fallback)
        }
        let seed: (String, JSONValue) = ("seed", .null)
        // Keras 3.15's variance-scaling family also records the axes it computes fans over (none: the defaults).
        let axes: [(String, JSONValue)] = [("input_axes", .null), ("output_axes", .null)]
        func number(_ value: Float) -> JSONValue { .double(Double(value)) }
        let (name, config): (String, [(String, JSONValue)]) =
            switch value {
            case .zeros, .placeholder: ("Zeros", [])
            case .ones: ("Ones", [])
            case .constant(let value): ("Constant", [("value", number(value))])
            case .randomNormal(let mean, let stddev):
                ("RandomNormal", [seed, ("mean", number(mean)), ("stddev", number(stddev))])
            case .randomUniform(let minval, let maxval):
                ("RandomUniform", [seed, ("minval", number(minval)), ("maxval", number(maxval))])
            case .truncatedNormal(let mean, let stddev):
                ("TruncatedNormal", [seed, ("mean", number(mean)), ("stddev", number(stddev))])
            case .glorotUniform: ("GlorotUniform", [seed] + axes)
            case .glorotNormal: ("GlorotNormal", [seed] + axes)
            case .heUniform: ("HeUniform", [seed] + axes)
            case .heNormal: ("HeNormal", [seed] + axes)
            case .lecunUniform: ("LecunUniform", [seed] + axes)
            case .lecunNormal: ("LecunNormal", [seed] + axes)
            case .varianceScaling(let scale, let mode, let distribution):
                (
                    "VarianceScaling",
                    [seed, ("scale", number(scale)), ("mode", .string(mode)), ("distribution", .string(distribution))]
                        + axes
                )
            case .orthogonal(let gain): ("Orthogonal", [seed, ("gain", number(gain))])
            case .identity(let gain): ("Identity", [("gain", number(gain))])
            }
        return object([
            ("module", .string("keras.initializers")), ("class_name", .string(name)), ("config", object(config)),
            ("registered_name", .null),
        ])
    }

    static func regularizer(_ value: Regularizer?) -> JSONValue {
        guard let value else { return .null }
        let (name, config): (String, [(String, JSONValue)]) =
            switch value {
            case .l1(let l1): ("L1", [("l1", .double(Double(l1)))])
            case .l2(let l2): ("L2", [("l2", .double(Double(l2)))])
            case .l1l2(let l1, let l2): ("L1L2", [("l1", .double(Double(l1))), ("l2", .double(Double(l2)))])
            case .orthogonal(let factor, let mode):
                ("OrthogonalRegularizer", [("factor", .double(Double(factor))), ("mode", .string(mode.rawValue))])
            }
        return object([
            ("module", .string("keras.regularizers")), ("class_name", .string(name)), ("config", object(config)),
            ("registered_name", .null),
        ])
    }

    static func constraint(_ value: Constraint?) -> JSONValue {
        guard let value else { return .null }
        func axis(_ axes: [Int]) -> JSONValue {
            axes.count == 1 ? .int(Int64(axes[0])) : .array(axes.map { .int(Int64($0)) })
        }
        let (name, config): (String, [(String, JSONValue)]) =
            switch value {
            case .maxNorm(let maxValue, let axes):
                ("MaxNorm", [("max_value", .double(Double(maxValue))), ("axis", axis(axes))])
            case .nonNeg: ("NonNeg", [])
            case .unitNorm(let axes): ("UnitNorm", [("axis", axis(axes))])
            case .minMaxNorm(let minValue, let maxValue, let rate, let axes):
                (
                    "MinMaxNorm",
                    [
                        ("min_value", .double(Double(minValue))), ("max_value", .double(Double(maxValue))),
                        ("rate", .double(Double(rate))), ("axis", axis(axes)),
                    ]
                )
            }
        return object([
            ("module", .string("keras.constraints")), ("class_name", .string(name)), ("config", object(config)),
            ("registered_name", .null),
        ])
    }
}
