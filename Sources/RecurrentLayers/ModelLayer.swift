/// A layer as a model holds it: an input, a recurrent layer, a Bidirectional wrapper, or a
/// feed-forward layer (Dense, Embedding, Masking, TimeDistributed, ...).
public enum ModelLayer: Sendable {
    /// Keras's `InputLayer`: where a model's inputs enter; `shape` excludes the batch dimension
    /// unless `batchSize` is given.
    case input(name: String, shape: [Int?], batchSize: Int?)
    /// A recurrent layer: `RNN` over a cell (Keras's SimpleRNN, LSTM, GRU, ConvLSTM and `RNN(cell)`).
    case recurrent(RNN)
    /// Keras's `Bidirectional` wrapper.
    case bidirectional(Bidirectional)
    /// Any other layer: Dense, Embedding, Masking, TimeDistributed, Attention, ...
    case feedForward(any FeedForwardLayer)
    /// A Keras 3 operation node (`NotEqual`, `Cast`, ...): no weights, no mask on its output.
    case operation(name: String, ModelOperation)

    /// The layer's name, as in the Keras config.
    public var name: String {
        switch self {
        case .input(let name, _, _): name
        case .recurrent(let layer): layer.name
        case .bidirectional(let layer): layer.name
        case .feedForward(let layer): layer.name
        case .operation(let name, _): name
        }
    }

    /// The names and shapes of the layer's weights, in Keras's order.
    public var weightSlots: [WeightSlot] {
        switch self {
        case .input, .operation: []
        case .recurrent(let layer): layer.weightSlots
        case .bidirectional(let layer): layer.weightSlots
        case .feedForward(let layer): layer.weightSlots
        }
    }

    /// The layer's weights, in the order of `weightSlots`.
    public var weights: [Tensor] {
        switch self {
        case .input, .operation: []
        case .recurrent(let layer): layer.weights
        case .bidirectional(let layer): layer.weights
        case .feedForward(let layer): layer.weights
        }
    }

    /// Replaces the layer's weights (Keras's `set_weights`): one tensor per slot, in order.
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
