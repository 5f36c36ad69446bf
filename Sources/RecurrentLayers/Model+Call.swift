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
        guard inputs.count == self.inputs.count else {
            throw RecurrentError(
                .countMismatch, layer: name, "the model takes \(self.inputs.count) inputs, received \(inputs.count)")
        }
        var values: [TensorReference: Value] = [:]
        let given = Dictionary(uniqueKeysWithValues: zip(self.inputs.map(\.node), inputs))
        for (index, node) in nodes.enumerated() {
            func value(_ reference: TensorReference) throws -> Value {
                guard let value = values[reference] else {
                    throw RecurrentError(
                        .invalidArgument, layer: layers[node.layer].name,
                        "uses output \(reference.output) of node \(reference.node), which is not computed before it")
                }
                return value
            }
            let results: [Value]
            switch layers[node.layer] {
            case .input(let layerName, let shape, let batchSize):
                guard let tensor = given[index] else {
                    throw RecurrentError(
                        .invalidArgument, layer: layerName, "input node \(index) is not one of the model's inputs")
                }
                try Self.check(tensor, shape: shape, batchSize: batchSize, layer: layerName)
                results = [Value(tensor: tensor, mask: nil)]
            case .operation(let name, let operation):
                do {
                    results = [
                        Value(tensor: try operation.apply(try node.inputs.map { try value($0).tensor }), mask: nil)
                    ]
                } catch let error as RecurrentError {
                    throw RecurrentError(error.code, layer: name, error.message)
                }
            case .feedForward(let layer) where layer.takesList:
                let xs = try node.inputs.map(value)
                let output = try layer.call(xs.map(\.tensor), masks: xs.map(\.mask), training: training)
                results = [
                    Value(tensor: output, mask: layer.outputMask(inputs: xs.map(\.tensor), masks: xs.map(\.mask)))
                ]
            case .feedForward(let layer):
                let x = try value(node.inputs[0])
                let mask = try node.mask.map { try Self.mask(from: try value($0).tensor) } ?? x.mask
                let output = try layer.call(x.tensor, mask: mask, training: training)
                results = [Value(tensor: output, mask: layer.outputMask(inputs: x.tensor, mask: mask))]
            case .recurrent(var layer):
                let x = try value(node.inputs[0])
                let mask =
                    try node.mask.map { try Self.mask(from: try value($0).tensor) }
                    ?? (node.usesInputMask ? x.mask : nil)
                let state = node.initialState.isEmpty ? nil : try node.initialState.map { try value($0).tensor }
                let result = try layer.call(x.tensor, initialState: state, mask: mask, training: training)
                layers[node.layer] = .recurrent(layer)
                results = zip(result.tensors, layer.outputMasks(inputMask: mask)).map { Value(tensor: $0, mask: $1) }
            case .bidirectional(var layer):
                let x = try value(node.inputs[0])
                let mask =
                    try node.mask.map { try Self.mask(from: try value($0).tensor) }
                    ?? (node.usesInputMask ? x.mask : nil)
                let state = node.initialState.isEmpty ? nil : try node.initialState.map { try value($0).tensor }
                let tensors = try layer.call(x.tensor, initialState: state, mask: mask, training: training)
                layers[node.layer] = .bidirectional(layer)
                results = zip(tensors, layer.outputMasks(inputMask: mask)).map { Value(tensor: $0, mask: $1) }
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
            return value.tensor
        }
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
