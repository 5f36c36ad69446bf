import RecurrentLayers

/// A Keras model config, read from any generation's dialect (KERAS.md C.1, C.8, C.9) into one shape:
/// layers in order, each with its calls (inbound nodes), and the model's inputs and outputs.
struct ModelConfig {
    /// A reference to a tensor: output `tensor` of call `node` of layer `layer`.
    struct TensorReference: Hashable {
        var layer: String
        var node: Int
        var tensor: Int
    }

    /// One call of a layer.
    struct Call {
        /// Positional tensor inputs, in order.
        var inputs: [TensorReference]
        /// Constant (non-tensor) positional arguments, such as the `0` of `NotEqual(tokens, 0)`.
        var constants: [JSONValue]
        var initialState: [TensorReference]
        /// True when a constant comes before the first tensor (`Subtract(2.0, x)` is 2 - x).
        var constantFirst = false
        /// The explicit `mask` argument: one tensor, or one entry per input (nil for none).
        var masks: [TensorReference?] = []
        /// Attention's `use_causal_mask` and `return_attention_scores`.
        var useCausalMask = false
        var returnAttentionScores = false
        /// MultiHeadAttention's `attention_mask` tensor.
        var attentionMask: TensorReference?

        /// Every tensor the call needs before it can run.
        var needed: [TensorReference] {
            inputs + initialState + masks.compactMap { $0 } + (attentionMask.map { [$0] } ?? [])
        }
    }

    struct Layer {
        var className: String
        var name: String
        var config: JSONObject
        /// The layer's entry as written, for messages and round trips.
        var entry: JSONObject
        var calls: [Call]
        /// A tf.keras `TFOpLambda` read as the Keras 3 operation that computes the same (`className`).
        var isTFOperation = false
    }

    enum Kind { case sequential, functional }

    var kind: Kind
    var name: String
    var layers: [Layer]
    var inputs: [TensorReference]
    var outputs: [TensorReference]
    /// A Sequential's `build_input_shape` (tf.keras, Keras 2.2.4), when written.
    var buildInputShape: [Int?]?

    /// Reads a model config: `{"class_name": "Sequential" | "Functional" | "Model", "config": ...}`, or a
    /// Keras 2.0-2.2 Sequential config stored as a plain list of layers.
    init(_ json: JSONValue, file: String) throws {
        func fail(_ reason: String, layer: String? = nil) -> KerasFormatError {
            KerasFormatError(.unreadable, file: file, layer: layer, reason: reason)
        }
        let className = json["class_name"]?.stringValue ?? (json.arrayValue != nil ? "Sequential" : "")
        let config = json["config"] ?? json
        switch className {
        case "Sequential":
            kind = .sequential
            name = config["name"]?.stringValue ?? "sequential"
            guard let entries = config["layers"]?.arrayValue ?? config.arrayValue else {
                throw fail("the Sequential config has no layers list")
            }
            layers = try entries.map { try Self.layer($0, fail: fail) }
            inputs = []
            outputs = []
            buildInputShape = config["build_input_shape"]?.arrayValue.flatMap { items in
                items.allSatisfy({ $0.isNull || $0.intValue != nil }) ? items.map(\.intValue) : nil
            }
        case "Functional", "Model":
            kind = .functional
            name = config["name"]?.stringValue ?? "functional"
            guard let entries = config["layers"]?.arrayValue else {
                throw fail("the Functional config has no layers list")
            }
            layers = try entries.map { try Self.layer($0, fail: fail) }
            inputs = try Self.references(config["input_layers"], fail: fail)
            outputs = try Self.references(config["output_layers"], fail: fail)
            // Keras 3 writes inbound nodes as {"args", "kwargs"} objects, Keras 1/2 and tf.keras as lists.
            let keras3Nodes = entries.contains { $0["inbound_nodes"]?.arrayValue?.first?.objectValue != nil }
            skipBuiltInNodes(keras3Nodes: keras3Nodes)
        default:
            throw fail("the model config's class is '\(className)', not Sequential or Functional")
        }
    }

    /// The layer of `config` that each of `model`'s layers came from, found by name (names are unique
    /// within a model); a layer without one (a Sequential's input layer made from the shape it was called
    /// on, or no config at all) gets an empty InputLayer entry.
    static func sources(of model: Model, in config: ModelConfig?) -> [Layer] {
        let byName = Dictionary(
            (config?.layers ?? []).map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        return model.layers.map { layer in
            byName[layer.name]
                ?? Layer(
                    className: "InputLayer", name: layer.name, config: JSONObject(), entry: JSONObject(), calls: [])
        }
    }

    /// The classes of whole models used as layers.
    static let modelClasses: Set<String> = ["Sequential", "Functional", "Model"]

    /// A nested model's own construction is its node 0 in Keras's count, which the config leaves out of
    /// its inbound nodes: references to it are one more than the call they mean, where Keras says so.
    /// Keras 3 subtracts 1 only in `input_layers`/`output_layers` and only for a Functional (its
    /// `get_tensor`; `{"args", "kwargs"}` nodes name calls as they are). tf.keras subtracts 1 everywhere
    /// for a Functional, and for a Sequential whose first layer is an InputLayer
    /// (`_should_skip_first_node`); Keras 1 and 2.0-2.2 for every nested model (`kept_nodes = 1` for each
    /// Container / Network), whose Sequential configs have no InputLayer. In these list-form configs a
    /// model's references are 1-based exactly when one of them names call N of a layer called N times (every
    /// kept call is referenced, so 0-based references stop at N - 1), which tells the generations apart
    /// without their version. Every reference to such a layer is made 0-based here.
    private mutating func skipBuiltInNodes(keras3Nodes: Bool) {
        for layer in layers where Self.modelClasses.contains(layer.className) {
            let named = (layers.flatMap { $0.calls.flatMap(\.needed) } + outputs).filter { $0.layer == layer.name }
            let skips =
                keras3Nodes
                ? layer.className != "Sequential"
                : !layer.calls.isEmpty && named.contains { $0.node == layer.calls.count }
            guard skips else { continue }
            func shifted(_ reference: TensorReference) -> TensorReference {
                guard reference.layer == layer.name else { return reference }
                return TensorReference(layer: reference.layer, node: reference.node - 1, tensor: reference.tensor)
            }
            if !keras3Nodes {
                for index in layers.indices {
                    for call in layers[index].calls.indices {
                        layers[index].calls[call].inputs = layers[index].calls[call].inputs.map(shifted)
                        layers[index].calls[call].initialState = layers[index].calls[call].initialState.map(shifted)
                        layers[index].calls[call].masks = layers[index].calls[call].masks.map { $0.map(shifted) }
                        layers[index].calls[call].attentionMask = layers[index].calls[call].attentionMask.map(shifted)
                    }
                }
            }
            outputs = outputs.map(shifted)
        }
    }

    private static func layer(_ json: JSONValue, fail: (String, String?) -> KerasFormatError) throws -> Layer {
        guard let entry = json.objectValue, let className = json["class_name"]?.stringValue else {
            throw fail("a layer entry has no class_name: \(json.jsonText.prefix(120))", nil)
        }
        let config = json["config"]?.objectValue ?? JSONObject()
        let name = json["name"]?.stringValue ?? config["name"]?.stringValue ?? className.lowercased()
        if className == "TFOpLambda" { return try tfOperation(entry, config: config, name: name, fail: fail) }
        let calls = try (json["inbound_nodes"]?.arrayValue ?? []).map {
            try call($0, layer: name, takesList: LayerFactory.listClasses.contains(className), fail: fail)
        }
        return Layer(className: className, name: name, config: config, entry: entry, calls: calls)
    }

    /// One inbound node, in the Keras 3 form `{"args": [...], "kwargs": {...}}` or the Keras 1/2 form
    /// `[[layer, node, tensor, kwargs], ...]` (extra entries after the first are initial states, A.7,
    /// except for layers called on a list, `takesList`, where every entry is an input).
    private static func call(
        _ json: JSONValue, layer: String, takesList: Bool, fail: (String, String?) -> KerasFormatError
    ) throws -> Call {
        if let object = json.objectValue {
            var inputs: [TensorReference] = []
            var constants: [JSONValue] = []
            var constantFirst = false
            for argument in object["args"]?.arrayValue ?? [] {
                let tensors = tensorReferences(in: argument)
                if tensors.isEmpty {
                    constantFirst = constantFirst || inputs.isEmpty
                    constants.append(argument)
                } else {
                    inputs += tensors
                }
            }
            let kwargs = object["kwargs"] ?? .null
            let initialState = kwargs["initial_state"].map(tensorReferences) ?? []
            var call = Call(inputs: inputs, constants: constants, initialState: initialState)
            call.constantFirst = constantFirst
            return call.with(kwargs)
        }
        guard let entries = json.arrayValue else {
            throw fail("an inbound node is neither a list nor an object", layer)
        }
        let references = try entries.map { entry -> TensorReference in
            guard let parts = entry.arrayValue, parts.count >= 3, let name = parts[0].stringValue,
                let node = parts[1].intValue,
                let tensor = parts[2].intValue
            else { throw fail("an inbound node is malformed: \(entry.jsonText.prefix(80))", layer) }
            return TensorReference(layer: name, node: node, tensor: tensor)
        }
        let kwargs = entries.first?.arrayValue.flatMap { $0.count > 3 ? $0[3] : nil } ?? .null
        if takesList { return Call(inputs: references, constants: [], initialState: []).with(kwargs) }
        return Call(inputs: Array(references.prefix(1)), constants: [], initialState: Array(references.dropFirst()))
            .with(kwargs)
    }

    /// The TensorFlow functions tf.keras writes as `TFOpLambda` layers that a Keras 3 operation computes
    /// exactly: function -> (Keras 3 class, the keyword holding the second operand or nil).
    static let tfOperations: [String: (className: String, operand: String?)] = [
        "math.not_equal": ("NotEqual", "y"), "math.equal": ("Equal", "y"), "math.greater": ("Greater", "y"),
        "math.greater_equal": ("GreaterEqual", "y"), "math.less": ("Less", "y"), "math.less_equal": ("LessEqual", "y"),
        "__operators__.add": ("Add", "y"), "math.add": ("Add", "y"), "math.subtract": ("Subtract", "y"),
        "math.multiply": ("Multiply", "y"), "math.truediv": ("Divide", "y"), "math.divide": ("Divide", "y"),
        "cast": ("Cast", nil), "math.reduce_any": ("Any", nil), "math.reduce_all": ("All", nil),
        "math.logical_not": ("LogicalNot", nil), "math.logical_and": ("LogicalAnd", "y"),
        "math.logical_or": ("LogicalOr", "y"), "expand_dims": ("ExpandDims", nil), "zeros_like": ("ZerosLike", nil),
        "ones_like": ("OnesLike", nil),
    ]

    /// A tf.keras `TFOpLambda` layer (a TensorFlow function in the graph) as the Keras 3 operation that
    /// computes the same. Its inbound nodes are `[layer, node, tensor, kwargs]` each (not nested), the
    /// kwargs holding the other operands (`y`) and options (`dtype`, `axis`, `keepdims`).
    private static func tfOperation(
        _ entry: JSONObject, config: JSONObject, name: String, fail: (String, String?) -> KerasFormatError
    ) throws -> Layer {
        let function = config["function"]?.stringValue ?? "?"
        guard let (className, operand) = tfOperations[function] else {
            throw fail("the TensorFlow function tf.\(function) (a TFOpLambda layer) is not one RNNKit supports", name)
        }
        var options = JSONObject([("name", .string(name))])
        var calls: [Call] = []
        for node in entry["inbound_nodes"]?.arrayValue ?? [] {
            var parts = node.arrayValue ?? []
            if parts.first?.arrayValue != nil, parts.count == 1 { parts = parts[0].arrayValue ?? [] }
            guard parts.count >= 3, let input = parts[0].stringValue, let nodeIndex = parts[1].intValue,
                let tensor = parts[2].intValue
            else { throw fail("an inbound node is malformed: \(node.jsonText.prefix(80))", name) }
            var call = Call(
                inputs: [TensorReference(layer: input, node: nodeIndex, tensor: tensor)], constants: [],
                initialState: [])
            for (key, value) in (parts.count > 3 ? parts[3].objectValue : nil) ?? JSONObject() {
                if key == operand {
                    if let reference = kwargTensor(value) {
                        call.inputs.append(reference)
                    } else {
                        call.constants.append(value)
                    }
                } else if key == "name" || value.isNull {
                    continue
                } else if kwargTensor(value) != nil {
                    throw fail("tf.\(function) takes the tensor argument '\(key)', which RNNKit does not support", name)
                } else {
                    options[key] = value
                }
            }
            calls.append(call)
        }
        return Layer(
            className: className, name: name, config: options, entry: entry, calls: calls, isTFOperation: true)
    }

    /// A tensor named in a call's kwargs: Keras 3's `__keras_tensor__` object or tf.keras's
    /// `[layer, node, tensor]` triple.
    fileprivate static func kwargTensor(_ json: JSONValue) -> TensorReference? {
        if let reference = tensorReferences(in: json).first, json.arrayValue == nil { return reference }
        if let parts = json.arrayValue, parts.count == 3, let name = parts[0].stringValue,
            let node = parts[1].intValue, let tensor = parts[2].intValue
        {
            return TensorReference(layer: name, node: node, tensor: tensor)
        }
        return nil
    }

    /// Every `__keras_tensor__` reference in a Keras 3 argument (a tensor, or a list or dict of them).
    private static func tensorReferences(in json: JSONValue) -> [TensorReference] {
        if json["class_name"]?.stringValue == "__keras_tensor__",
            let history = json["config"]?["keras_history"]?.arrayValue, history.count == 3,
            let name = history[0].stringValue, let node = history[1].intValue, let tensor = history[2].intValue
        {
            return [TensorReference(layer: name, node: node, tensor: tensor)]
        }
        if let items = json.arrayValue { return items.flatMap(tensorReferences) }
        if let object = json.objectValue, json["class_name"] == nil {
            return object.entries.flatMap { tensorReferences(in: $0.value) }
        }
        return []
    }

    /// `input_layers` / `output_layers`: `[[name, node, tensor], ...]`, or one such triple.
    private static func references(_ json: JSONValue?, fail: (String, String?) -> KerasFormatError) throws
        -> [TensorReference]
    {
        guard let items = json?.arrayValue else {
            throw fail("the Functional config lacks input_layers or output_layers", nil)
        }
        let triples = items.first?.arrayValue == nil ? [JSONValue.array(items)] : items
        return try triples.map { triple in
            guard let parts = triple.arrayValue, parts.count == 3, let name = parts[0].stringValue,
                let node = parts[1].intValue,
                let tensor = parts[2].intValue
            else { throw fail("a model input or output reference is malformed: \(triple.jsonText.prefix(80))", nil) }
            return TensorReference(layer: name, node: node, tensor: tensor)
        }
    }
}

extension ModelConfig.Call {
    /// The call with the kwargs RNNKit reads besides `initial_state`: the explicit mask (one tensor or a
    /// list with nulls) and attention's two switches.
    fileprivate func with(_ kwargs: JSONValue) -> Self {
        var call = self
        if let mask = kwargs["mask"], !mask.isNull {
            if let single = ModelConfig.kwargTensor(mask) {
                call.masks = [single]
            } else if let items = mask.arrayValue {
                call.masks = items.map(ModelConfig.kwargTensor)
            }
        }
        // MultiHeadAttention: tf.keras passes value (and key) as keywords, Keras 3 the key; their masks as
        // query_mask, value_mask, key_mask.
        for key in ["value", "key"] {
            if let tensor = kwargs[key].flatMap(ModelConfig.kwargTensor) { call.inputs.append(tensor) }
        }
        let attentionMasks = ["query_mask", "value_mask", "key_mask"].map {
            kwargs[$0].flatMap(ModelConfig.kwargTensor)
        }
        if attentionMasks.contains(where: { $0 != nil }) { call.masks = attentionMasks }
        call.attentionMask = kwargs["attention_mask"].flatMap(ModelConfig.kwargTensor)
        call.useCausalMask = kwargs["use_causal_mask"]?.boolValue ?? false
        call.returnAttentionScores = kwargs["return_attention_scores"]?.boolValue ?? false
        return call
    }
}
