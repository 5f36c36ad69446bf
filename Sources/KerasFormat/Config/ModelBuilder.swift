import RecurrentLayers

/// Turns a `ModelConfig` into a layer-module `Model`: layers made by `LayerFactory`, calls wired into
/// nodes, shapes carried along the graph so each layer is built for its real input.
struct ModelBuilder {
    var factory: LayerFactory

    /// The model, and for each model layer the config layer it came from (for weight matching).
    func build(_ config: ModelConfig) throws -> (Model, [ModelConfig.Layer]) {
        let (model, sources, _) = try build(config, inputShape: nil)
        return (model, sources)
    }

    /// The same, with the shapes of the model's outputs; `inputShape` is the shape a nested Sequential
    /// without an input layer of its own is called on.
    func build(_ config: ModelConfig, inputShape: [Int?]?) throws -> (Model, [ModelConfig.Layer], [[Int?]]) {
        switch config.kind {
        case .sequential: return try sequential(config, inputShape: inputShape)
        case .functional: return try functional(config)
        }
    }

    private func sequential(_ config: ModelConfig, inputShape: [Int?]?) throws -> (
        Model, [ModelConfig.Layer], [[Int?]]
    ) {
        var layers: [ModelLayer] = []
        var sources: [ModelConfig.Layer] = []
        var entries = config.layers
        var shape: [Int?]
        if let first = entries.first, first.className == "InputLayer" {
            let (input, shapes) = try factory.make(
                "InputLayer", name: first.name, config: first.config, constants: [], inputShape: [])
            layers.append(input)
            sources.append(first)
            shape = shapes[0]
            entries.removeFirst()
        } else {
            // Keras 1/2: the first layer carries batch_input_shape (or input_shape / input_dim); a nested
            // model as the first layer, its own input's; else the caller's shape or build_input_shape.
            guard let first = entries.first else {
                throw factory.fail(config.name, "the Sequential model has no layers")
            }
            let batchShape =
                try Self.declaredInputShape(first.config, className: first.className, factory: factory)
                ?? inputShape.map { [nil] + $0.dropFirst() } ?? config.buildInputShape
            guard let batchShape else {
                throw factory.fail(first.name, "the first layer of the Sequential model has no batch_input_shape")
            }
            layers.append(.input(name: "input_layer", shape: Array(batchShape.dropFirst()), batchSize: batchShape[0]))
            sources.append(
                ModelConfig.Layer(
                    className: "InputLayer", name: "input_layer", config: JSONObject(), entry: JSONObject(), calls: []))
            shape = batchShape
        }
        for entry in entries {
            let (layer, shapes) = try factory.make(
                entry.className, name: entry.name, config: entry.config, constants: [], inputShape: shape)
            layers.append(layer)
            sources.append(entry)
            shape = shapes[0]
        }
        return (Model.sequential(layers, name: config.name), sources, [shape])
    }

    /// The batch input shape a layer's config declares: `batch_input_shape`, `input_shape` or `input_dim`
    /// (Keras 1/2), or for a whole model its first input's (a Sequential's first layer, a Functional's first
    /// input layer), as Keras 2.2.4 writes a Sequential whose first layer is a model.
    static func declaredInputShape(_ config: JSONObject, className: String, factory: LayerFactory) throws -> [Int?]? {
        let fields = Fields(config: config, layer: config["name"]?.stringValue ?? className, factory: factory)
        if let shape = try fields.shape("batch_input_shape") ?? fields.shape("batch_shape") { return shape }
        if let shape = try fields.shape("input_shape") { return [nil] + shape }
        if let features = fields.int("input_dim") { return [nil, nil, features] }
        guard ModelConfig.modelClasses.contains(className), let layers = config["layers"]?.arrayValue else {
            return nil
        }
        let first = config["input_layers"]?.arrayValue?.first
        let wanted = first?.stringValue ?? first?.arrayValue?.first?.stringValue
        let entry =
            className == "Sequential" ? layers.first : layers.first { $0["config"]?["name"]?.stringValue == wanted }
        guard let entry, let inner = entry["config"]?.objectValue, let name = entry["class_name"]?.stringValue else {
            return nil
        }
        if let shape = try declaredInputShape(inner, className: name, factory: factory) { return shape }
        return className == "Sequential" ? try fields.shape("build_input_shape") : nil
    }

    private func functional(_ config: ModelConfig) throws -> (Model, [ModelConfig.Layer], [[Int?]]) {
        var layers: [ModelLayer] = []
        var sources: [ModelConfig.Layer] = []
        var nodes: [Model.Node] = []
        /// (layer name, call index) -> model node index; tensor shapes by reference.
        var nodeIndex: [String: [Int: Int]] = [:]
        var shapes: [ModelConfig.TensorReference: [Int?]] = [:]
        var layerIndex: [String: Int] = [:]
        // Calls wait until their inputs exist, as Keras's own deserialization does.
        var pending: [(layer: ModelConfig.Layer, call: Int)] = config.layers.flatMap { layer in
            layer.className == "InputLayer" || layer.calls.isEmpty
                ? [(layer, 0)] : layer.calls.indices.map { (layer, $0) }
        }
        while !pending.isEmpty {
            var progressed = false
            var waiting: [(layer: ModelConfig.Layer, call: Int)] = []
            for (layer, callIndex) in pending {
                let call = layer.calls.isEmpty ? nil : layer.calls[callIndex]
                let needed = call?.needed ?? []
                guard needed.allSatisfy({ shapes[$0] != nil }) else {
                    waiting.append((layer, callIndex))
                    continue
                }
                let index: Int
                var outputShapes: [[Int?]]
                let inputShapes = (call?.inputs ?? []).compactMap { shapes[$0] }
                // An operation node: its module says so (.keras), or, in a Keras 3 legacy .h5 (no modules),
                // a layer's config always has `trainable` and an operation's never does.
                let operation =
                    layer.isTFOperation
                    || layer.entry["module"]?.stringValue.map { $0.hasPrefix("keras.src.ops") }
                        ?? (!factory.keras2 && layer.config["trainable"] == nil && layer.className != "InputLayer")
                if let existing = layerIndex[layer.name] {
                    index = existing
                    outputShapes = try factory.make(
                        layer.className, name: layer.name, config: layer.config, constants: call?.constants ?? [],
                        inputShape: inputShapes.first ?? [], inputShapes: inputShapes, operation: operation,
                        constantFirst: call?.constantFirst ?? false
                    ).1
                } else {
                    let made = try factory.make(
                        layer.className, name: layer.name, config: layer.config, constants: call?.constants ?? [],
                        inputShape: inputShapes.first ?? [], inputShapes: inputShapes, operation: operation,
                        constantFirst: call?.constantFirst ?? false)
                    index = layers.count
                    layers.append(made.0)
                    sources.append(layer)
                    layerIndex[layer.name] = index
                    outputShapes = made.1
                }
                func reference(_ tensor: ModelConfig.TensorReference) throws -> Model.TensorReference {
                    guard let node = nodeIndex[tensor.layer]?[tensor.node] else {
                        throw factory.fail(
                            layer.name,
                            "its input \(tensor.layer)[\(tensor.node)][\(tensor.tensor)] is not in the model")
                    }
                    return Model.TensorReference(node: node, output: tensor.tensor)
                }
                let takesList: Bool
                switch layers[index] {
                case .feedForward(let made): takesList = made.takesList
                case .operation: takesList = true
                default: takesList = false
                }

                let initialState = try (call?.initialState ?? []).map(reference)
                let node = Model.Node(
                    layer: index, inputs: try (call?.inputs ?? []).prefix(takesList ? Int.max : 1).map(reference),
                    initialState: initialState,
                    masks: try (call?.masks ?? []).map { try $0.map(reference) },
                    usesInputMask: factory.keras2 || initialState.isEmpty,
                    attention: Attention.CallOptions(
                        useCausalMask: call?.useCausalMask ?? false,
                        returnAttentionScores: call?.returnAttentionScores ?? false),
                    attentionMask: try call?.attentionMask.map(reference))
                if case .feedForward(let attention as any AttentionLayer) = layers[index],
                    node.attention.returnAttentionScores
                {
                    outputShapes.append(attention.scoresShape(inputShapes: inputShapes))
                }
                nodeIndex[layer.name, default: [:]][callIndex] = nodes.count
                nodes.append(node)
                for (output, shape) in outputShapes.enumerated() {
                    shapes[ModelConfig.TensorReference(layer: layer.name, node: callIndex, tensor: output)] = shape
                }
                progressed = true
            }
            guard progressed else {
                let names = waiting.map(\.layer.name).joined(separator: ", ")
                throw factory.fail(config.name, "the graph cannot be built: the inputs of \(names) are never produced")
            }
            pending = waiting
        }
        func reference(_ tensor: ModelConfig.TensorReference) throws -> Model.TensorReference {
            guard let node = nodeIndex[tensor.layer]?[tensor.node] else {
                throw factory.fail(
                    config.name, "the model refers to \(tensor.layer)[\(tensor.node)], which is not in the graph")
            }
            return Model.TensorReference(node: node, output: tensor.tensor)
        }
        let model = Model(
            name: config.name, layers: layers, nodes: nodes, inputs: try config.inputs.map(reference),
            outputs: try config.outputs.map(reference))
        return (model, sources, config.outputs.map { shapes[$0] ?? [] })
    }
}
