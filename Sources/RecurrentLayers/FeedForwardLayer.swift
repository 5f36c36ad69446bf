/// A layer that maps one tensor to one tensor without carrying state: Dense, Activation, Dropout,
/// Masking, Embedding, TimeDistributed. `TimeDistributed` wraps any of them; the model graph runs them.
public protocol FeedForwardLayer: Sendable {
    var name: String { get }
    var weightSlots: [WeightSlot] { get }
    var weights: [Tensor] { get }
    mutating func setWeights(_ weights: [Tensor]) throws

    /// Runs the layer. `training` matters only for layers that behave differently in training (Dropout).
    func call(_ inputs: Tensor, training: Bool) throws -> Tensor

    /// Runs the layer with the mask its input carries; by default the mask is not used. A layer whose
    /// Keras `call` takes `mask` implements this (TimeDistributed hands each step's mask on).
    func call(_ inputs: Tensor, mask: Mask?, training: Bool) throws -> Tensor

    /// The mask the output carries, given the input and its mask: by default the input mask unchanged
    /// (Keras 3 layers that support masking pass it through).
    func outputMask(inputs: Tensor, mask: Mask?) -> Mask?

    /// The output shape for an input shape; nil marks an unknown dimension.
    func outputShape(inputShape: [Int?]) -> [Int?]
}

extension FeedForwardLayer {
    public var weightSlots: [WeightSlot] { [] }
    public var weights: [Tensor] { [] }

    public mutating func setWeights(_ weights: [Tensor]) throws {
        guard weights.isEmpty else {
            throw RecurrentError(
                .countMismatch, layer: name, "this layer has no weights, but \(weights.count) were given")
        }
    }

    public func call(_ inputs: Tensor, mask: Mask?, training: Bool) throws -> Tensor {
        try call(inputs, training: training)
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { mask }
    public func outputShape(inputShape: [Int?]) -> [Int?] { inputShape }
}
