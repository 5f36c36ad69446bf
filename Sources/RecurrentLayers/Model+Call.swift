extension Model {
    /// A tensor with the mask Keras attaches to it.
    struct Value {
        var tensor: Tensor
        var mask: Mask?
    }

    /// Runs the model (Keras's `model(inputs)` / `predict` on one batch).
    /// - Parameters:
    ///   - inputs: One tensor per model input, in order.
    ///   - training: Training mode (dropout); inference otherwise.
    /// - Returns: One tensor per model output, in order.
    /// - Throws: `RecurrentError` naming the layer for wrong inputs or a graph that uses a tensor before
    ///   it is computed.
    public mutating func call(_ inputs: [Tensor], training: Bool = false) throws -> [Tensor] {
        try run(inputs.map { Value(tensor: $0, mask: nil) }, training: training).map(\.tensor)
    }

    /// Runs the model on inputs that may carry masks (a model nested as a layer is called with its
    /// input's mask, which its input tensors then carry, as in Keras); returns the outputs with theirs.
    mutating func run(_ inputs: [Value], training: Bool) throws -> [Value] {
        guard inputs.count == self.inputs.count else {
            throw RecurrentError(
                .countMismatch, layer: name, "the model takes \(self.inputs.count) inputs, received \(inputs.count)")
        }
        var values: [TensorReference: Value] = [:]
        let given = Dictionary(zip(self.inputs.map(\.node), inputs), uniquingKeysWith: { first, _ in first })
        for (index, node) in nodes.enumerated() {
            func value(_ reference: TensorReference) throws -> Value {
                guard let value = values[reference] else {
                    throw RecurrentError(
                        .invalidArgument, layer: layers[node.layer].name,
                        "uses output \(reference.output) of node \(reference.node), which is not computed before it")
                }
                return value
            }
            func firstInput() throws -> Value {
                guard let reference = node.inputs.first else {
                    throw RecurrentError(.invalidArgument, layer: layers[node.layer].name, "is called on no input")
                }
                return try value(reference)
            }
            let results: [Value]
            switch layers[node.layer] {
            case .input(let layerName, let shape, let batchSize):
                guard let input = given[index] else {
                    throw RecurrentError(
                        .invalidArgument, layer: layerName, "input node \(index) is not one of the model's inputs")
                }
                try Self.check(input.tensor, shape: shape, batchSize: batchSize, layer: layerName)
                results = [input]
            case .operation(let name, let operation):
                do {
                    results = [
                        Value(tensor: try operation.apply(try node.inputs.map { try value($0).tensor }), mask: nil)
                    ]
                } catch let error as RecurrentError {
                    throw RecurrentError(error.code, layer: name, error.message)
                }
            case .feedForward(let layer as any AttentionLayer):
                let xs = try node.inputs.map(value)
                let masks = try listMasks(node, inputs: xs, value: value)
                var options = node.attention
                options.attentionMask = try node.attentionMask.map { try value($0).tensor }
                let outputs = try layer.attend(xs.map(\.tensor), masks: masks, options: options, training: training)
                // The query's mask goes to the output; the scores carry none.
                let mask = layer.outputMask(inputs: xs.map(\.tensor), masks: masks)
                results = outputs.enumerated().map { Value(tensor: $1, mask: $0 == 0 ? mask : nil) }
            case .feedForward(let nested as NestedModel):
                // One run gives the output and the mask the inner graph attaches to it.
                let x = try firstInput()
                let mask = try node.mask.map { try Self.mask(from: try value($0).tensor) } ?? x.mask
                var inner = nested.model
                results = [try inner.run([Value(tensor: x.tensor, mask: mask)], training: training)[0]]
            case .feedForward(let layer) where layer.takesList:
                let xs = try node.inputs.map(value)
                let masks = try listMasks(node, inputs: xs, value: value)
                let output = try layer.call(xs.map(\.tensor), masks: masks, training: training)
                results = [Value(tensor: output, mask: layer.outputMask(inputs: xs.map(\.tensor), masks: masks))]
            case .feedForward(let layer):
                let x = try firstInput()
                let mask = try node.mask.map { try Self.mask(from: try value($0).tensor) } ?? x.mask
                let output = try layer.call(x.tensor, mask: mask, training: training)
                results = [Value(tensor: output, mask: layer.outputMask(inputs: x.tensor, mask: mask))]
            case .recurrent(var layer):
                let x = try firstInput()
                let (mask, previous) = try recurrentMasks(node, input: x, value: value)
                let state = node.initialState.isEmpty ? nil : try node.initialState.map { try value($0).tensor }
                let result = try layer.call(x.tensor, initialState: state, mask: mask, training: training)
                layers[node.layer] = .recurrent(layer)
                results = zip(result.tensors, layer.outputMasks(inputMask: previous)).map {
                    Value(tensor: $0, mask: $1)
                }
            case .bidirectional(var layer):
                let x = try firstInput()
                let (mask, previous) = try recurrentMasks(node, input: x, value: value)
                let state = node.initialState.isEmpty ? nil : try node.initialState.map { try value($0).tensor }
                let tensors = try layer.call(x.tensor, initialState: state, mask: mask, training: training)
                layers[node.layer] = .bidirectional(layer)
                results = zip(tensors, layer.outputMasks(inputMask: previous)).map { Value(tensor: $0, mask: $1) }
            }
            for (output, result) in results.enumerated() {
                values[TensorReference(node: index, output: output)] = result
            }
        }
        return try outputs.map { reference in
            guard let value = values[reference] else {
                throw RecurrentError(
                    .invalidArgument, layer: name,
                    "model output refers to output \(reference.output) of node \(reference.node), which does not exist")
            }
            return value
        }
    }

    /// A recurrent call's masks: the one the layer runs with (the explicit mask, else the input's when the
    /// node uses it), and the one its output masks come from. Keras 3's `previous_mask` is the input's mask
    /// even when the call did not use it (an RNN called with `initial_state`): its outputs carry that mask.
    private func recurrentMasks(_ node: Node, input: Value, value: (TensorReference) throws -> Value) throws -> (
        call: Mask?, previous: Mask?
    ) {
        if let explicit = try node.mask.map({ try Self.mask(from: try value($0).tensor) }) {
            return (explicit, explicit)
        }
        return (node.usesInputMask ? input.mask : nil, input.mask)
    }

    /// The masks of a call on a list: the explicit `mask` list when the call passes one, else each
    /// input's own mask.
    private func listMasks(_ node: Node, inputs: [Value], value: (TensorReference) throws -> Value) throws -> [Mask?] {
        guard !node.masks.isEmpty else { return inputs.map(\.mask) }
        return try node.masks.map { reference in try reference.map { try Self.mask(from: try value($0).tensor) } }
    }

    /// A mask from a tensor of truth values `[batch, timesteps]`: non-zero is true.
    static func mask(from tensor: Tensor) throws -> Mask {
        guard tensor.rank == 2 else {
            throw RecurrentError(
                .shapeMismatch, "an explicit mask must be [batch, timesteps], received shape \(tensor.shape)")
        }
        return Mask(shape: tensor.shape, values: tensor.scalars.map { $0 != 0 })
    }

    /// Checks a model input against its input layer's shape (nil dimensions match anything).
    static func check(_ tensor: Tensor, shape: [Int?], batchSize: Int?, layer: String) throws {
        let expected: [Int?] = [batchSize] + shape
        let matches = tensor.rank == expected.count && zip(tensor.shape, expected).allSatisfy { $1 == nil || $0 == $1 }
        guard matches else {
            let spelled = expected.map { $0.map(String.init) ?? "None" }.joined(separator: ", ")
            throw RecurrentError(
                .shapeMismatch, layer: layer, "expected an input of shape (\(spelled)), received \(tensor.shape)")
        }
    }
}
