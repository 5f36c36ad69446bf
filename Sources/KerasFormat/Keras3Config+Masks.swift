import RecurrentLayers

/// Masks Keras 3 would lose in a converted model. tf.keras runs a recurrent layer called with
/// `initial_state` under its input's mask; Keras 3 does not (its Layer.__call__ hands the mask only to a
/// call with one tensor argument). The converted config passes that mask explicitly, rebuilt from where
/// it comes from as the operation nodes Keras 3 itself writes: `NotEqual(tokens, 0)` for
/// Embedding(mask_zero), `Any(NotEqual(x, value), axis=-1)` for Masking.
extension Keras3Config {
    enum MaskOrigin {
        /// Embedding(mask_zero) over these token ids.
        case tokens(Model.TensorReference)
        /// Masking(mask_value) over this tensor.
        case masking(Model.TensorReference, Float)
        /// A mask RNNKit cannot rebuild as operation nodes (merged, cropped, explicit, ...).
        case other
    }

    /// Where the mask `reference` carries comes from, following tf.keras's propagation; nil for no mask.
    func maskOrigin(_ reference: Model.TensorReference, in model: Model) throws -> MaskOrigin? {
        let node = model.nodes[reference.node]
        func upstream() throws -> MaskOrigin? { try node.inputs.first.flatMap { try maskOrigin($0, in: model) } }
        switch model.layers[node.layer] {
        case .input, .operation:
            return nil
        case .recurrent(let rnn):
            guard rnn.returnSequences, reference.output == 0 else { return nil }
            return node.mask != nil ? .other : try upstream()
        case .bidirectional(let wrapper):
            guard wrapper.returnSequences, reference.output < (wrapper.mergeMode == nil ? 2 : 1) else { return nil }
            return node.mask != nil ? .other : try upstream()
        case .feedForward(let layer):
            if let embedding = layer as? Embedding {
                return embedding.maskZero ? node.inputs.first.map { .tokens($0) } : nil
            }
            if let masking = layer as? Masking { return node.inputs.first.map { .masking($0, masking.maskValue) } }
            if layer.takesList {
                return try node.inputs.contains { try maskOrigin($0, in: model) != nil } ? .other : nil
            }
            guard let origin = try upstream() else { return nil }
            if node.mask != nil { return .other }
            let passesThrough =
                layer is Dropout || layer is NoiseLayer || layer is ActivationLayer || layer is Dense
                || layer is BatchNormalization || layer is LayerNormalization || layer is TimeDistributed
                || layer is ReLULayer || layer is ELU || layer is PReLU || layer is Softmax || layer is Rescaling
                || layer is Normalization
            if passesThrough { return origin }
            let drops =
                layer is Conv1D || layer is Pooling1D || layer is GlobalPooling1D || layer is Flatten
                || layer is Convolution || layer is Pooling || layer is GlobalPooling || layer is UpSampling
                || layer is Border
                || layer is Reshape || layer is Permute || layer is RepeatVector || layer is Steps1D
            return drops ? nil : .other
        }
    }

    /// Whether a node needs its input's mask passed explicitly in Keras 3 (a tf.keras recurrent call with
    /// `initial_state` on a masked input). A mask that cannot be rebuilt is a change, named.
    mutating func needsExplicitMask(_ node: Model.Node, in model: Model) throws -> Bool {
        guard !source.isKeras3Dialect, !node.initialState.isEmpty, node.masks.isEmpty, node.usesInputMask,
            let input = node.inputs.first
        else { return false }
        switch model.layers[node.layer] {
        case .recurrent, .bidirectional: break
        default: return false
        }
        switch try maskOrigin(input, in: model) {
        case nil: return false
        case .tokens?, .masking?: return true
        case .other?:
            changes.append(
                "layer '\(model.layers[node.layer].name)': Keras 3 runs a recurrent layer called with initial_state without its input's mask, which tf.keras applied"
            )
            return false
        }
    }

    /// The operation-node entries that rebuild the mask of `input`, and the mask tensor to pass.
    mutating func explicitMask(
        for input: Model.TensorReference, in model: Model, shapes: [Model.TensorReference: [Int?]],
        tensor: (Model.TensorReference, String) -> JSONValue, names: inout Set<String>
    ) throws -> ([JSONValue], JSONValue) {
        func unique(_ base: String) -> String {
            var name = base
            var suffix = 1
            while names.contains(name) {
                name = "\(base)_\(suffix)"
                suffix += 1
            }
            names.insert(name)
            return name
        }
        func operation(_ className: String, _ config: [(String, JSONValue)], args: [JSONValue]) -> (JSONValue, String) {
            let name = unique(className == "NotEqual" ? "not_equal" : className.lowercased())
            let entry = Self.object([
                ("module", .string("keras.src.ops.numpy")), ("class_name", .string(className)),
                ("config", Self.object([("name", .string(name))] + config)), ("registered_name", .string(className)),
                ("name", .string(name)),
                ("inbound_nodes", .array([Self.object([("args", .array(args)), ("kwargs", Self.object([]))])])),
            ])
            return (entry, name)
        }
        func named(_ name: String, shape: [Int?]) -> JSONValue {
            Self.object([
                ("class_name", .string("__keras_tensor__")),
                (
                    "config",
                    Self.object([
                        ("shape", Self.shape(shape)), ("dtype", .string("bool")),
                        ("keras_history", .array([.string(name), .int(0), .int(0)])),
                    ])
                ),
            ])
        }
        switch try maskOrigin(input, in: model) {
        case .tokens(let ids)?:
            let (entry, name) = operation("NotEqual", [], args: [tensor(ids, "int32"), .int(0)])
            return ([entry], named(name, shape: shapes[ids] ?? []))
        case .masking(let x, let value)?:
            let shape = shapes[x] ?? []
            let constant: JSONValue = value == value.rounded() ? .int(Int64(value)) : .double(Double(value))
            let (notEqual, notEqualName) = operation("NotEqual", [], args: [tensor(x, "float32"), constant])
            let (any, anyName) = operation(
                "Any", [("axis", .int(-1)), ("keepdims", .bool(false))], args: [named(notEqualName, shape: shape)])
            return ([notEqual, any], named(anyName, shape: Array(shape.dropLast())))
        default:
            throw KerasFormatError(
                .unsupportedLayer, file: file, reason: "the mask of a recurrent layer's input cannot be rebuilt")
        }
    }
}

extension Keras3Config {
    /// The layers in the order Keras 3 holds them (`Functional.layers`, from `map_graph`): by depth from the
    /// outputs, deepest (the inputs) first, ties in the order a depth-first walk from the outputs meets them.
    /// Keras 3 names the weight groups of a `.keras` archive in this order, so a converted config lists its
    /// layers the same way. A node's parents are its inputs, then its initial states, then its masks (the
    /// `initial_state` and `mask` kwargs, flattened in key order).
    static func kerasOrder(_ model: Model) -> [Int] {
        func parents(_ node: Int) -> [Int] {
            let call = model.nodes[node]
            // MultiHeadAttention's attention_mask keyword sorts before its key.
            let positional = call.attentionMask.map { Array(call.inputs.prefix(2)) + [$0] + call.inputs.dropFirst(2) }
            return ((positional ?? call.inputs) + call.initialState + call.masks.compactMap { $0 }).map(\.node)
        }
        var traversal: [Int: Int] = [:]
        var finished = Set<Int>()
        var decreasing: [Int] = []
        func visit(_ node: Int) {
            guard !finished.contains(node) else { return }
            let layer = model.nodes[node].layer
            if traversal[layer] == nil { traversal[layer] = traversal.count }
            for parent in parents(node) { visit(parent) }
            finished.insert(node)
            decreasing.append(node)
        }
        for output in model.outputs { visit(output.node) }
        var nodeDepth: [Int: Int] = [:]
        var layerDepth: [Int: Int] = [:]
        for node in decreasing.reversed() {
            let layer = model.nodes[node].layer
            let depth = max(nodeDepth[node, default: 0], layerDepth[layer, default: 0])
            layerDepth[layer] = depth
            nodeDepth[node] = depth
            for parent in parents(node) { nodeDepth[parent] = max(depth + 1, nodeDepth[parent, default: 0]) }
        }
        for input in model.inputs where layerDepth[model.nodes[input.node].layer] == nil {
            layerDepth[model.nodes[input.node].layer] = 0
            traversal[model.nodes[input.node].layer] = -1
        }
        let ordered = layerDepth.keys.sorted {
            (layerDepth[$0]!, -traversal[$0]!) > (layerDepth[$1]!, -traversal[$1]!)
        }
        // Layers no output depends on keep their place after the rest.
        return ordered + model.layers.indices.filter { layerDepth[$0] == nil }
    }
}
