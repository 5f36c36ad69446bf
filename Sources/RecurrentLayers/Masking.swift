/// Keras's `Masking`: a timestep is masked when every feature equals `maskValue`; the mask is
/// `[batch, timesteps]` and the masked vectors are set to zero in the output (KERAS.md A.5).
public struct Masking: FeedForwardLayer {
    public var name: String
    /// Steps whose every feature equals this value are masked (Keras's `mask_value`).
    public var maskValue: Float

    /// Keras's `Masking(mask_value)`.
    public init(maskValue: Float = 0, name: String = "masking") {
        self.maskValue = maskValue
        self.name = name
    }

    /// `[batch, timesteps]`: true where some feature differs from `maskValue`.
    public func computeMask(_ inputs: Tensor) -> Mask {
        let features = inputs.shape.last ?? 1
        let rows = inputs.count / max(features, 1)
        let values = (0..<rows).map { row in
            inputs.scalars[(row * features)..<((row + 1) * features)].contains { $0 != maskValue }
        }
        return Mask(shape: Array(inputs.shape.prefix(2)), values: values)
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        guard inputs.rank == 3 else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "expected inputs [batch, timesteps, features], received shape \(inputs.shape)")
        }
        let mask = computeMask(inputs)
        let features = inputs.shape[2]
        var result = inputs
        for (row, keep) in mask.values.enumerated() where !keep {
            result.scalars.replaceSubrange(
                (row * features)..<((row + 1) * features), with: repeatElement(0, count: features))
        }
        return result
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { computeMask(inputs) }
}

/// Keras's `Embedding`: integer ids `[batch, timesteps]` (stored as floats) to vectors
/// `[batch, timesteps, outputDim]`. With `maskZero`, id 0 is padding: the mask is `ids != 0`.
/// Weight: `embeddings [inputDim, outputDim]`.
public struct Embedding: FeedForwardLayer {
    public var name: String
    /// The vocabulary size: token ids run from 0 to `inputDim - 1`.
    public var inputDim: Int
    /// The width of each token's vector.
    public var outputDim: Int
    /// Keras's `mask_zero`: token 0 is padding, and the output carries a mask that says so.
    public var maskZero: Bool
    /// `[inputDim, outputDim]`: one row per token id.
    public var embeddings: Tensor

    /// A layer with fresh weights (Keras's default: uniform in [-0.05, 0.05]).
    public init(
        inputDim: Int, outputDim: Int, maskZero: Bool = false, initializer: Initializer = .randomUniform(),
        seed: UInt64 = 0, name: String = "embedding"
    ) throws {
        var generator = SeededGenerator(seed: seed)
        self.name = name
        self.inputDim = inputDim
        self.outputDim = outputDim
        self.maskZero = maskZero
        self.embeddings = try initializer.make([inputDim, outputDim], generator: &generator)
    }

    public var weightSlots: [WeightSlot] { [WeightSlot(name: "embeddings", shape: [inputDim, outputDim])] }
    public var weights: [Tensor] { [embeddings] }

    public mutating func setWeights(_ weights: [Tensor]) throws {
        guard weights.count == 1 else {
            throw RecurrentError(
                .countMismatch, layer: name, "expected 1 weight (embeddings), received \(weights.count)")
        }
        guard weights[0].shape == [inputDim, outputDim] else {
            throw RecurrentError(
                .shapeMismatch, layer: name, slot: "embeddings",
                "slot 'embeddings' has shape \(weights[0].shape), the layer needs \([inputDim, outputDim])")
        }
        embeddings = weights[0]
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        var values: [Float] = []
        values.reserveCapacity(inputs.count * outputDim)
        for id in inputs.scalars {
            guard id == id.rounded(), id >= 0, Int(id) < inputDim else {
                throw RecurrentError(
                    .invalidArgument, layer: name, "token id \(id) is outside the vocabulary [0, \(inputDim))")
            }
            let row = Int(id)
            values += embeddings.scalars[(row * outputDim)..<((row + 1) * outputDim)]
        }
        return Tensor(shape: inputs.shape + [outputDim], scalars: values)
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? {
        guard maskZero, inputs.rank == 2 else { return nil }
        return Mask(shape: inputs.shape, values: inputs.scalars.map { $0 != 0 })
    }

    public func outputShape(inputShape: [Int?]) -> [Int?] { inputShape + [outputDim] }
}
