/// A layer that maps one tensor to one tensor without carrying state: Dense, Activation, Dropout,
/// Masking, Embedding, TimeDistributed. `TimeDistributed` wraps any of them; the model graph runs them.
public protocol FeedForwardLayer: Sendable {
    /// The layer's name, as in the Keras config (unique within a model).
    var name: String { get }
    /// The names and shapes of the layer's weights, in Keras's order; empty for a layer without weights.
    var weightSlots: [WeightSlot] { get }
    /// The layer's weights, in the order of `weightSlots`.
    var weights: [Tensor] { get }
    /// Replaces the weights (Keras's `set_weights`): one tensor per slot, in order, each of its slot's
    /// shape; throws `RecurrentError` naming the slot and both shapes otherwise.
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

    /// True for layers Keras calls on a list of tensors (Concatenate, Add, Dot, Attention): the model
    /// hands them every input of the call through the list forms below.
    var takesList: Bool { get }

    /// Runs the layer on its inputs, each with its mask; by default the first alone.
    func call(_ inputs: [Tensor], masks: [Mask?], training: Bool) throws -> Tensor

    /// The output's mask for a call on a list; by default the single-input rule.
    func outputMask(inputs: [Tensor], masks: [Mask?]) -> Mask?

    /// The output shape for the inputs' shapes; by default the single-input rule on the first.
    func outputShape(inputShapes: [[Int?]]) -> [Int?]
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

    public var takesList: Bool { false }

    public func call(_ inputs: [Tensor], masks: [Mask?], training: Bool) throws -> Tensor {
        guard let first = inputs.first else {
            throw RecurrentError(.countMismatch, layer: name, "the layer was called without an input")
        }
        return try call(first, mask: masks.first ?? nil, training: training)
    }

    public func outputMask(inputs: [Tensor], masks: [Mask?]) -> Mask? {
        guard let first = inputs.first else { return nil }
        return outputMask(inputs: first, mask: masks.first ?? nil)
    }

    public func outputShape(inputShapes: [[Int?]]) -> [Int?] { outputShape(inputShape: inputShapes.first ?? []) }
}

/// A layer whose weights are a `kernel` and, with `useBias`, a `bias` of `filters` values (Keras's
/// convolutions): its weight slots, weights and `setWeights` come from this protocol.
public protocol KernelAndBiasLayer: FeedForwardLayer {
    /// The output channels: the bias's length.
    var filters: Int { get }
    /// True when the layer adds a bias.
    var useBias: Bool { get }
    /// The kernel, of the shape the layer's options give.
    var kernel: Tensor { get set }
    /// `[filters]`, or nil without `useBias`.
    var bias: Tensor? { get set }
}

extension KernelAndBiasLayer {
    /// `kernel`, then `bias` with `useBias`.
    public var weightSlots: [WeightSlot] {
        [WeightSlot(name: "kernel", shape: kernel.shape)]
            + (useBias ? [WeightSlot(name: "bias", shape: [filters])] : [])
    }

    /// The kernel, then the bias.
    public var weights: [Tensor] { [kernel] + (bias.map { [$0] } ?? []) }

    /// Replaces the kernel and the bias; throws `RecurrentError` naming the slot and both shapes when one
    /// differs from the layer's.
    public mutating func setWeights(_ weights: [Tensor]) throws {
        try checkWeights(weights, against: weightSlots, layer: name)
        kernel = weights[0]
        bias = useBias ? weights[1] : nil
    }
}

/// Checks weights against a layer's slots: the count, then each shape; the message names the slot.
func checkWeights(_ weights: [Tensor], against slots: [WeightSlot], layer: String) throws {
    guard weights.count == slots.count else {
        throw RecurrentError(
            .countMismatch, layer: layer,
            "expected \(slots.count) weights (\(slots.map(\.name).joined(separator: ", "))), received \(weights.count)")
    }
    for (slot, weight) in zip(slots, weights) where slot.shape != weight.shape {
        throw RecurrentError(
            .shapeMismatch, layer: layer, slot: slot.name,
            "slot '\(slot.name)' has shape \(weight.shape), the layer needs \(slot.shape)"
        )
    }
}

/// Padding of a sliding window (Keras's `padding`): `valid` (none), `same` (output length
/// `ceil(length / stride)`, the extra split with the smaller half first), or `causal` (Conv1D: all on the left).
public enum Padding: String, Sendable {
    /// No padding: the window stays inside the input.
    case valid
    /// Zeros on both sides so that the output has `ceil(length / stride)` steps.
    case same
    /// Zeros on the left only, so that no output step sees a later input step (Conv1D).
    case causal

    /// The output length and the padding before the first step for a window of `window` elements
    /// (dilation included) at `stride` over `length` steps.
    func outputLength(_ length: Int, window: Int, stride: Int) -> (length: Int, before: Int) {
        switch self {
        case .valid:
            return (length >= window ? (length - window) / stride + 1 : 0, 0)
        case .same:
            let out = (length + stride - 1) / stride
            let total = max((out - 1) * stride + window - length, 0)
            return (out, total / 2)
        case .causal:
            return ((length + stride - 1) / stride, window - 1)
        }
    }
}

/// A feed-forward layer whose name can change: every built-in one. A model built in Swift gets Keras's
/// layer names (`dense`, `dense_1`, ...) through it when it is written; your own layers keep theirs.
package protocol RenamableLayer: FeedForwardLayer {
    var name: String { get set }
}

extension ActivationLayer: RenamableLayer {}
extension Attention: RenamableLayer {}
extension BatchNormalization: RenamableLayer {}
extension Concatenate: RenamableLayer {}
extension Conv1D: RenamableLayer {}
extension Convolution: RenamableLayer {}
extension MultiHeadAttention: RenamableLayer {}
extension Border: RenamableLayer {}
extension ELU: RenamableLayer {}
extension Normalization: RenamableLayer {}
extension PReLU: RenamableLayer {}
extension ReLULayer: RenamableLayer {}
extension Rescaling: RenamableLayer {}
extension Softmax: RenamableLayer {}
extension UpSampling: RenamableLayer {}
extension GlobalPooling: RenamableLayer {}
extension Pooling: RenamableLayer {}
extension Dense: RenamableLayer {}
extension Dot: RenamableLayer {}
extension Dropout: RenamableLayer {}
extension Embedding: RenamableLayer {}
extension Flatten: RenamableLayer {}
extension GlobalPooling1D: RenamableLayer {}
extension LayerNormalization: RenamableLayer {}
extension Masking: RenamableLayer {}
extension Merge: RenamableLayer {}
extension NoiseLayer: RenamableLayer {}
extension Permute: RenamableLayer {}
extension Pooling1D: RenamableLayer {}
extension RepeatVector: RenamableLayer {}
extension Reshape: RenamableLayer {}
extension Steps1D: RenamableLayer {}
extension TimeDistributed: RenamableLayer {}
