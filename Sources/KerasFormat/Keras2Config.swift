/// A Keras 3 model config rewritten in the dialect tf.keras 2.x (tf_keras) reads from a legacy `.h5`
/// (KERAS.md C.8): what lets a Keras 3 model go back to TensorFlow's Keras.
///
/// The rewrite is by key, so the keys RNNKit does not interpret travel with the layer:
/// - layer entries are `{class_name, config, name, inbound_nodes}` (no `module`, `registered_name`,
///   `build_config`), as tf_keras's own legacy `.h5` files hold them;
/// - `dtype` policies become their names; InputLayer's `batch_shape` becomes `batch_input_shape`;
/// - recurrent layers gain `time_major: false` (and `implementation: 2` for LSTM and GRU) and lose
///   Keras 3's `seed`; Keras 3's `lora_*` and `quantization_config` go when unset;
/// - `{"args", "kwargs"}` nodes become nested lists: the call's tensors, then its `initial_state`
///   tensors as extra inbound tensors (tf.keras's RNN call), with a `mask` tensor as a
///   `[layer, node, tensor]` kwarg;
/// - `input_layers` / `output_layers` are lists of triples.
///
/// What tf.keras cannot express is reported: an activation whose math differs there (hard_sigmoid, a
/// change the caller may accept) and one tf.keras does not know, or a Keras 3 operation node (refused).
struct Keras2Config {
    /// The file named in errors: the output being written.
    let file: String
    /// Changes tf.keras cannot express exactly, one sentence each.
    var changes: [String] = []
    /// The names of the models used as layers in the config being translated.
    var nestedModels: Set<String> = []

    /// The activation names tf_keras 2.21 resolves to the same function as Keras 3 (hard_sigmoid
    /// resolves to a different one: 0.2x + 0.5).
    static let sameActivations: Set<String> = [
        "linear", "tanh", "sigmoid", "relu", "relu6", "leaky_relu", "elu", "selu", "softplus", "softsign", "silu",
        "swish", "gelu", "exponential", "mish", "softmax", "log_softmax",
    ]
    static let recurrentClasses: Set<String> = ["SimpleRNN", "LSTM", "GRU", "RNN"]
    static let cellClasses: Set<String> = ["SimpleRNNCell", "LSTMCell", "GRUCell", "StackedRNNCells"]

    init(file: String) { self.file = file }

    func refuse(_ reason: String, layer: String? = nil) -> KerasFormatError {
        KerasFormatError(.unsupportedLayer, file: file, layer: layer, reason: reason)
    }

    /// The Keras 2 dialect of a Keras 3 `Sequential` or `Functional` config.
    mutating func translate(_ config: JSONValue) throws -> JSONValue {
        guard let className = config["class_name"]?.stringValue, let body = config["config"]?.objectValue else {
            throw refuse("the model config is not an object with class_name and config")
        }
        var out = JSONObject()
        out["name"] = body["name"] ?? .string("model")
        switch className {
        case "Sequential":
            var layers: [JSONValue] = []
            for entry in body["layers"]?.arrayValue ?? [] {
                let (layerClass, layerConfig) = try layer(entry)
                layers.append(
                    .object(JSONObject([("class_name", .string(layerClass)), ("config", .object(layerConfig))])))
            }
            out["layers"] = .array(layers)
        case "Functional", "Model":
            out["trainable"] = body["trainable"] ?? .bool(true)
            // tf.keras counts a nested model's construction as its node 0 in inbound nodes too.
            nestedModels = Set(
                (body["layers"]?.arrayValue ?? []).compactMap { entry in
                    ModelConfig.modelClasses.contains(entry["class_name"]?.stringValue ?? "")
                        ? entry["name"]?.stringValue ?? entry["config"]?["name"]?.stringValue : nil
                })
            var layers: [JSONValue] = []
            for entry in body["layers"]?.arrayValue ?? [] {
                if Self.isOperation(entry) {
                    layers.append(try tfOperation(entry))
                    continue
                }
                let (layerClass, layerConfig) = try layer(entry)
                let name = entry["name"] ?? layerConfig["name"] ?? .null
                var nodes: [JSONValue] = []
                for node in entry["inbound_nodes"]?.arrayValue ?? [] {
                    nodes.append(
                        try inboundNode(
                            node, layer: name.stringValue ?? "?",
                            keywordTensors: layerClass == "MultiHeadAttention" ? ["value", "key"] : []))
                }
                layers.append(
                    .object(
                        JSONObject([
                            ("class_name", .string(layerClass)), ("config", .object(layerConfig)), ("name", name),
                            ("inbound_nodes", .array(nodes)),
                        ])))
            }
            out["layers"] = .array(layers)
            out["input_layers"] = Self.triples(body["input_layers"])
            out["output_layers"] = Self.triples(body["output_layers"])
        default:
            throw refuse("a \(className) model config has no tf.keras form RNNKit writes")
        }
        return .object(
            JSONObject([
                ("class_name", .string(className == "Model" ? "Functional" : className)), ("config", .object(out)),
            ]))
    }

    /// `["x", 0, 0]` or `[["x", 0, 0], ...]` as a list of triples.
    static func triples(_ value: JSONValue?) -> JSONValue {
        guard let items = value?.arrayValue else { return .array([]) }
        if items.first?.stringValue != nil { return .array([.array(items)]) }
        return .array(items)
    }

    /// A layer entry's class name and its config in the Keras 2 dialect.
    mutating func layer(_ entry: JSONValue) throws -> (String, JSONObject) {
        guard let className = entry["class_name"]?.stringValue else {
            throw refuse("a layer entry without class_name")
        }
        let config = entry["config"]?.objectValue ?? JSONObject()
        let name = config["name"]?.stringValue ?? entry["name"]?.stringValue ?? "?"
        if Self.isOperation(entry) {
            throw refuse("the Keras 3 operation \(className) cannot be a layer of a Sequential model", layer: name)
        }
        var written = try layerConfig(className, config, layer: name)
        if className == "MultiHeadAttention" {
            // tf.keras builds MultiHeadAttention from these config keys (its from_config requires them).
            let shapes = entry["build_config"]?["shapes_dict"]
            guard let query = shapes?["query_shape"], let value = shapes?["value_shape"] else {
                throw refuse(
                    "the config does not record the query and value shapes tf.keras builds it from", layer: name)
            }
            written["query_shape"] = query
            written["value_shape"] = value
            written["key_shape"] = shapes?["key_shape"] ?? value
        }
        return (className, written)
    }

    /// True for a Keras 3 operation node: its module says so (`.keras`), or, in a Keras 3 legacy `.h5` (no
    /// modules), an operation class without the `trainable` every layer config has.
    static func isOperation(_ entry: JSONValue) -> Bool {
        if let module = entry["module"]?.stringValue { return module.hasPrefix("keras.src.ops") }
        guard let className = entry["class_name"]?.stringValue else { return false }
        return WeightReaders.operationClasses.contains(className) && entry["config"]?["trainable"] == nil
    }

    /// Keras 3 operation class -> the TensorFlow function tf.keras holds it as (a `TFOpLambda` layer),
    /// where the two compute the same.
    static let tfFunctions: [String: String] = [
        "NotEqual": "math.not_equal", "Equal": "math.equal", "Greater": "math.greater",
        "GreaterEqual": "math.greater_equal", "Less": "math.less", "LessEqual": "math.less_equal", "Add": "math.add",
        "Subtract": "math.subtract", "Multiply": "math.multiply", "Divide": "math.truediv", "Cast": "cast",
        "Any": "math.reduce_any", "All": "math.reduce_all", "LogicalNot": "math.logical_not",
        "LogicalAnd": "math.logical_and", "LogicalOr": "math.logical_or", "ExpandDims": "expand_dims",
        "ZerosLike": "zeros_like", "OnesLike": "ones_like",
    ]
    /// The class that computes `op(x, c)` for `op(c, x)`, where there is one.
    static let swapped: [String: String] = [
        "NotEqual": "NotEqual", "Equal": "Equal", "Greater": "Less", "GreaterEqual": "LessEqual", "Less": "Greater",
        "LessEqual": "GreaterEqual", "Add": "Add", "Multiply": "Multiply",
    ]

    /// A Keras 3 operation node as tf.keras's `TFOpLambda` layer: `{"function": "math.not_equal"}` with
    /// inbound nodes `[layer, node, tensor, {"y": operand, ...}]` (not nested, as tf.keras writes them).
    func tfOperation(_ entry: JSONValue) throws -> JSONValue {
        let className = entry["class_name"]?.stringValue ?? "?"
        let config = entry["config"]?.objectValue ?? JSONObject()
        let name = entry["name"]?.stringValue ?? config["name"]?.stringValue ?? "?"
        var function: String?
        var nodes: [JSONValue] = []
        for node in entry["inbound_nodes"]?.arrayValue ?? [] {
            var args = node["args"]?.arrayValue ?? []
            var written = className
            if args.count == 2, args[0]["config"]?["keras_history"] == nil, args[1]["config"]?["keras_history"] != nil {
                guard let other = Self.swapped[className] else {
                    throw refuse(
                        "the Keras 3 operation \(className) has its constant first, which a tf.keras TFOpLambda cannot hold",
                        layer: name)
                }
                (written, args) = (other, [args[1], args[0]])
            }
            guard let tf = Self.tfFunctions[written], function == nil || function == tf else {
                throw refuse(
                    "RNNKit cannot write the Keras 3 operation \(className) as a tf.keras TFOpLambda", layer: name)
            }
            function = tf
            guard let first = args.first?["config"]?["keras_history"]?.arrayValue, args.count <= 2 else {
                throw refuse("\(className) has arguments a tf.keras TFOpLambda cannot hold", layer: name)
            }
            var kwargs = JSONObject()
            if args.count == 2 { kwargs["y"] = args[1]["config"]?["keras_history"] ?? args[1] }
            switch className {
            case "Cast": kwargs["dtype"] = config["dtype"] ?? .string("float32")
            case "Any", "All":
                kwargs["axis"] = config["axis"] ?? .null
                kwargs["keepdims"] = config["keepdims"] ?? .bool(false)
            case "ExpandDims": kwargs["axis"] = config["axis"] ?? .int(-1)
            default: break
            }
            if let key = node["kwargs"]?.objectValue?.first(where: { !$0.value.isNull })?.key {
                throw refuse(
                    "\(className) is called with '\(key)', which RNNKit cannot write for tf.keras", layer: name)
            }
            nodes.append(.array(first + [.object(kwargs)]))
        }
        return .object(
            JSONObject([
                ("class_name", .string("TFOpLambda")),
                (
                    "config",
                    .object(
                        JSONObject([
                            ("name", .string(name)), ("trainable", .bool(true)), ("dtype", .string("float32")),
                            ("function", .string(function ?? "?")),
                        ]))
                ),
                ("name", .string(name)), ("inbound_nodes", .array(nodes)),
            ]))
    }

    /// A nested `{module, class_name, config, registered_name}` object (a wrapped layer, a cell, an
    /// initializer), kept in that form with its config translated.
    mutating func nested(_ value: JSONValue, layer: String) throws -> JSONValue {
        guard var object = value.objectValue, let className = object["class_name"]?.stringValue,
            let config = object["config"]?.objectValue
        else { return value }
        let renamed =
            ["OrthogonalInitializer": "Orthogonal", "IdentityInitializer": "Identity"][className] ?? className
        object["class_name"] = .string(renamed)
        if object["registered_name"]?.stringValue == className { object["registered_name"] = .string(renamed) }
        object["config"] = .object(try layerConfig(renamed, config, layer: layer))
        return .object(object)
    }

    mutating func layerConfig(_ className: String, _ config: JSONObject, layer: String) throws -> JSONObject {
        if ModelConfig.modelClasses.contains(className) {
            // A model used as a layer: its config is a whole model config, in the same dialect.
            let whole = JSONValue.object(JSONObject([("class_name", .string(className)), ("config", .object(config))]))
            let outer = nestedModels
            defer { nestedModels = outer }
            return try translate(whole)["config"]?.objectValue ?? JSONObject()
        }
        let convolutional = LayerFactory.convLSTMClasses.contains(className)
        let recurrent =
            Self.recurrentClasses.contains(className) || Self.cellClasses.contains(className) || convolutional
        var out = JSONObject()
        for (key, value) in config {
            switch key {
            case "dtype":
                // A Keras 3 DTypePolicy object becomes its name, as tf.keras writes plain dtypes.
                out[key] = value["config"]?["name"] ?? value
            case "batch_shape" where className == "InputLayer":
                out["batch_input_shape"] = value
            case "seed" where recurrent:
                continue
            case "unroll" where convolutional:
                // tf.keras's ConvRNN refuses unroll=True; unrolling never changes the numbers.
                out[key] = .bool(false)
            case "negative_slope" where className == "LeakyReLU":  // tf.keras's LeakyReLU names it alpha
                out["alpha"] = value
            case "rms_scaling" where className == "LayerNormalization":
                // Keras 3's option; tf.keras's LayerNormalization has no RMS form.
                guard value.boolValue != true else {
                    throw refuse("Keras 3's rms_scaling is not in tf.keras", layer: layer)
                }
            case "use_gate" where className == "MultiHeadAttention",
                "sliding_window" where className == "MultiHeadAttention":
                // Keras 3.15's options: tf.keras has neither, so only their off values can be dropped.
                guard value.isNull || value.boolValue == false else {
                    throw refuse("Keras 3's \(key) is not in tf.keras's MultiHeadAttention", layer: layer)
                }
            case "seed" where className == "MultiHeadAttention":
                continue
            case "input_axes", "output_axes":  // Keras 3 initializers' fan axes; tf.keras's take none
                continue
            case "lora_rank", "lora_alpha", "quantization_config":
                guard value.isNull || value.intValue == 0 else {
                    throw refuse("Keras 3's \(key) is not in tf.keras", layer: layer)
                }
            case "activation", "recurrent_activation":
                out[key] = try activation(value, key: key, layer: layer)
            case "layer" where className == "Bidirectional",
                "backward_layer" where className == "Bidirectional":
                // tf.keras's unrolled loop zeroes a backward layer's masked outputs at the unreversed positions
                // (KERAS.md A.5), and Bidirectional forces zero_output_for_mask: the tf.keras form is not
                // unrolled, which computes what Keras 3 does.
                var inner = try nested(value, layer: value["config"]?["name"]?.stringValue ?? layer)
                if case .object(var object) = inner, case .object(var innerConfig) = object["config"],
                    innerConfig["unroll"]?.boolValue == true
                {
                    innerConfig["unroll"] = .bool(false)
                    object["config"] = .object(innerConfig)
                    inner = .object(object)
                }
                out[key] = inner
            case "layer", "backward_layer", "cell":
                out[key] = try nested(value, layer: value["config"]?["name"]?.stringValue ?? layer)
            case "cells":
                out[key] = .array(try (value.arrayValue ?? []).map { try nested($0, layer: layer) })
            default:
                out[key] = value.objectValue?["class_name"] != nil ? try nested(value, layer: layer) : value
            }
        }
        if Self.recurrentClasses.contains(className), out["time_major"] == nil { out["time_major"] = .bool(false) }
        if ["LSTM", "GRU", "LSTMCell", "GRUCell"].contains(className), out["implementation"] == nil {
            out["implementation"] = .int(2)
        }
        return out
    }

    mutating func activation(_ value: JSONValue, key: String, layer: String) throws -> JSONValue {
        guard let name = value.stringValue else { return value }
        if name == "hard_sigmoid" {
            changes.append(
                "layer '\(layer)': Keras 3's hard_sigmoid (x/6 + 0.5) becomes tf.keras's (0.2x + 0.5), which differs")
        } else if !Self.sameActivations.contains(name) {
            throw refuse("tf.keras has no activation '\(name)' (\(key))", layer: layer)
        }
        return value
    }

    /// A Keras 3 `keras_history` as tf.keras counts it: a nested model's calls from 1.
    func shifted(_ history: JSONValue) -> JSONValue {
        guard var parts = history.arrayValue, parts.count == 3, let name = parts[0].stringValue,
            nestedModels.contains(name), let node = parts[1].intValue
        else { return history }
        parts[1] = .int(Int64(node + 1))
        return .array(parts)
    }

    /// A Keras 3 `{"args": [...], "kwargs": {...}}` node as tf.keras's list of
    /// `[layer, node, tensor, kwargs]`: the call's tensors, then its initial states. For a layer whose
    /// tf.keras call takes tensors as keywords (`keywordTensors`: MultiHeadAttention's value and key),
    /// the first tensor is the entry and the others go in its kwargs under those names.
    func inboundNode(_ node: JSONValue, layer: String, keywordTensors: [String] = []) throws -> JSONValue {
        if node.arrayValue != nil { return node }  // already Keras 2's form
        var tensors: [JSONValue] = []
        func collect(_ value: JSONValue) throws {
            if let history = value["config"]?["keras_history"] {
                tensors.append(shifted(history))
            } else if let items = value.arrayValue {
                for item in items { try collect(item) }
            } else if !value.isNull {
                throw refuse(
                    "the layer is called with a constant argument, which tf.keras's node format cannot hold",
                    layer: layer)
            }
        }
        for argument in node["args"]?.arrayValue ?? [] { try collect(argument) }
        var kwargs = JSONObject()
        for (key, value) in node["kwargs"]?.objectValue ?? JSONObject() {
            switch key {
            case "initial_state": try collect(value)
            case "training": continue
            case "key" where keywordTensors.contains("key"):
                if let history = value["config"]?["keras_history"] { kwargs[key] = shifted(history) }
            case "attention_mask" where !value.isNull:
                guard let history = value["config"]?["keras_history"] else {
                    throw refuse("the attention_mask argument is not a tensor", layer: layer)
                }
                kwargs[key] = shifted(history)
            case "mask":
                if let history = value["config"]?["keras_history"] {
                    kwargs[key] = shifted(history)
                } else if !value.isNull {
                    throw refuse("the layer is called with a mask tf.keras's node format cannot hold", layer: layer)
                }
            default:
                if value.isNull { continue }
                if value.jsonText.contains("__keras_tensor__") {
                    throw refuse(
                        "the tensor argument '\(key)' is not one RNNKit can write for tf.keras", layer: layer)
                }
                kwargs[key] = value
            }
        }
        if !keywordTensors.isEmpty, let first = tensors.first {
            for (name, tensor) in zip(keywordTensors, tensors.dropFirst()) where kwargs[name] == nil {
                kwargs[name] = tensor
            }
            return .array([.array((first.arrayValue ?? []) + [.object(kwargs)])])
        }
        return .array(tensors.map { .array(($0.arrayValue ?? []) + [.object(kwargs)]) })
    }
}
