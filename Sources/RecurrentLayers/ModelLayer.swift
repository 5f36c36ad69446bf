/// A layer as a model holds it: an input, a recurrent layer, a Bidirectional wrapper, or a
/// feed-forward layer (Dense, Embedding, Masking, TimeDistributed, ...).
public enum ModelLayer: Sendable {
    /// Keras's `InputLayer`: where a model's inputs enter; `shape` excludes the batch dimension
    /// unless `batchSize` is given.
    case input(name: String, shape: [Int?], batchSize: Int?)
    case recurrent(RNN)
    case bidirectional(Bidirectional)
    case feedForward(any FeedForwardLayer)
    /// A Keras 3 operation node (`NotEqual`, `Cast`, ...): no weights, no mask on its output.
    case operation(name: String, ModelOperation)

    public var name: String {
        switch self {
        case .input(let name, _, _): name
        case .recurrent(let layer): layer.name
        case .bidirectional(let layer): layer.name
        case .feedForward(let layer): layer.name
        case .operation(let name, _): name
        }
    }

    public var weightSlots: [WeightSlot] {
        switch self {
        case .input, .operation: []
        case .recurrent(let layer): layer.weightSlots
        case .bidirectional(let layer): layer.weightSlots
        case .feedForward(let layer): layer.weightSlots
        }
    }

    public var weights: [Tensor] {
        switch self {
        case .input, .operation: []
        case .recurrent(let layer): layer.weights
        case .bidirectional(let layer): layer.weights
        case .feedForward(let layer): layer.weights
        }
    }

    public mutating func setWeights(_ weights: [Tensor]) throws {
        switch self {
        case .input, .operation:
            guard weights.isEmpty else {
                throw RecurrentError(
                    .countMismatch, layer: name, "this layer has no weights, but \(weights.count) were given")
            }
        case .recurrent(var layer):
            try layer.setWeights(weights)
            self = .recurrent(layer)
        case .bidirectional(var layer):
            try layer.setWeights(weights)
            self = .bidirectional(layer)
        case .feedForward(var layer):
            try layer.setWeights(weights)
            self = .feedForward(layer)
        }
    }

    /// True for layers that carry state between calls.
    var isStateful: Bool {
        switch self {
        case .recurrent(let layer): layer.stateful
        case .bidirectional(let layer): layer.stateful
        default: false
        }
    }
}
