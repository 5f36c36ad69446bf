/// A whole model used as a layer, as Keras allows anywhere a layer goes: a Sequential CNN inside
/// `TimeDistributed` (one per video frame), a Functional head called on an LSTM's output.
///
/// The call runs the inner model on the input, which carries its mask into the inner graph (Keras
/// sets the mask on the inner model's input tensors); the output carries the mask the inner graph
/// gives its output. The weights are the inner layers' weights, layer after layer, as Keras's
/// `model.weights` lists them and as the legacy `.h5` layouts store them under the nested model's name.
///
/// ```swift
/// let frameCNN = Model.sequential([.input(name: "frame", shape: [8, 8, 1], batchSize: nil), conv, pool, flatten],
///                                 name: "frame_cnn")
/// let perFrame = TimeDistributed(try NestedModel(frameCNN, outputShape: [nil, 18]), name: "td")
/// ```
public struct NestedModel: FeedForwardLayer {
    /// The inner model.
    public var model: Model
    /// The inner model's output shape (the batch dimension first), for shape inference around it.
    public var modelOutputShape: [Int?]

    /// The model's name is the layer's name.
    public var name: String { model.name }

    /// A model with one input and one output used as a layer; `outputShape` is its output's shape with
    /// the batch dimension first (nil where unknown).
    /// - Throws: `RecurrentError.unsupported` for a model with several inputs or outputs, or with a
    ///   stateful layer (a layer's call cannot carry states between calls).
    public init(_ model: Model, outputShape: [Int?]) throws {
        guard model.inputs.count == 1, model.outputs.count == 1 else {
            throw RecurrentError(
                .unsupported, layer: model.name,
                "a model used as a layer must have one input and one output, this one has \(model.inputs.count) and \(model.outputs.count)"
            )
        }
        if let stateful = model.layers.first(where: \.isStateful) {
            throw RecurrentError(
                .unsupported, layer: model.name,
                "its layer '\(stateful.name)' is stateful, which a model used as a layer cannot be here")
        }
        self.model = model
        self.modelOutputShape = outputShape
    }

    /// Every inner layer's slots, named `layer/slot` (`conv/kernel`), layer after layer.
    public var weightSlots: [WeightSlot] {
        model.layers.flatMap { layer in
            layer.weightSlots.map { WeightSlot(name: "\(layer.name)/\($0.name)", shape: $0.shape) }
        }
    }

    public var weights: [Tensor] { model.weights }

    /// Hands each inner layer its share of `weights`, in order.
    public mutating func setWeights(_ weights: [Tensor]) throws {
        try checkWeights(weights, against: weightSlots, layer: name)
        var start = 0
        for index in model.layers.indices {
            let count = model.layers[index].weightSlots.count
            guard count > 0 else { continue }
            try model.layers[index].setWeights(Array(weights[start..<start + count]))
            start += count
        }
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        try call(inputs, mask: nil, training: training)
    }

    public func call(_ inputs: Tensor, mask: Mask?, training: Bool = false) throws -> Tensor {
        var inner = model
        return try inner.run([Model.Value(tensor: inputs, mask: mask)], training: training)[0].tensor
    }

    /// The mask the inner graph gives its output for this input and mask (the inner model is run).
    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? {
        var inner = model
        return (try? inner.run([Model.Value(tensor: inputs, mask: mask)], training: false))?.first?.mask
    }

    public func outputShape(inputShape: [Int?]) -> [Int?] {
        guard !modelOutputShape.isEmpty else { return modelOutputShape }
        return [inputShape.first ?? nil] + modelOutputShape.dropFirst()
    }
}
