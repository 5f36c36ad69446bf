/// Keras's `TimeDistributed`: applies a layer to every timestep, `[batch, timesteps, ...]` to
/// `[batch, timesteps, ...layer output]`. No weights of its own; the mask passes through unchanged.
public struct TimeDistributed: FeedForwardLayer {
    public var name: String
    /// The layer applied to each timestep.
    public var layer: any FeedForwardLayer

    /// Keras's `TimeDistributed(layer)`.
    public init(_ layer: any FeedForwardLayer, name: String = "time_distributed") {
        self.layer = layer
        self.name = name
    }

    public var weightSlots: [WeightSlot] { layer.weightSlots }
    public var weights: [Tensor] { layer.weights }
    public mutating func setWeights(_ weights: [Tensor]) throws { try layer.setWeights(weights) }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        try call(inputs, mask: nil, training: training)
    }

    /// Runs the layer on each timestep; with a mask `[batch, timesteps]`, the layer's call receives that
    /// timestep's mask as `[batch, 1]`.
    /// - Throws: `RecurrentError.shapeMismatch` when the mask's batch or timesteps differ from the input's.
    public func call(_ inputs: Tensor, mask: Mask?, training: Bool = false) throws -> Tensor {
        guard inputs.rank >= 3 else {
            throw RecurrentError(
                .shapeMismatch, layer: name, "expected inputs [batch, timesteps, ...], received shape \(inputs.shape)")
        }
        let (batch, timesteps) = (inputs.shape[0], inputs.shape[1])
        if let mask, mask.shape != [batch, timesteps] {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "TimeDistributed expects the mask's batch and timestep dimensions to match the inputs' [\(batch), \(timesteps)], received mask shape \(mask.shape)"
            )
        }
        let inner = Array(inputs.shape.dropFirst(2))
        let stepSize = inner.reduce(1, *)
        var outputs: [Float] = []
        var stepShape: [Int] = []
        // The layer sees one timestep of the whole batch at a time, [batch, ...], as in Keras.
        for t in 0..<timesteps {
            let slice = Kernels.timeSlice(inputs.scalars, batch: batch, timesteps: timesteps, width: stepSize, t: t)
            let stepMask = mask.map { mask in Mask(shape: [batch, 1], values: (0..<batch).map { mask[$0, t] }) }
            let output = try layer.call(
                Tensor(shape: [batch] + inner, scalars: slice), mask: stepMask, training: training)
            stepShape = Array(output.shape.dropFirst())
            let width = stepShape.reduce(1, *)
            if outputs.isEmpty { outputs = [Float](repeating: 0, count: batch * timesteps * width) }
            for b in 0..<batch {
                let to = (b * timesteps + t) * width
                outputs.replaceSubrange(to..<(to + width), with: output.scalars[(b * width)..<((b + 1) * width)])
            }
        }
        return Tensor(shape: [batch, timesteps] + stepShape, scalars: outputs)
    }

    public func outputShape(inputShape: [Int?]) -> [Int?] {
        let inner = layer.outputShape(inputShape: [inputShape.first ?? nil] + inputShape.dropFirst(2))
        return Array(inputShape.prefix(2)) + inner.dropFirst()
    }
}
