/// Keras's `Dense`: `activation(x · kernel + bias)` over the last axis of inputs of any rank
/// (`[..., features]` to `[..., units]`). Weights: `kernel [features, units]`, `bias [units]`.
public struct Dense: FeedForwardLayer {
    public var name: String
    /// The output width.
    public var units: Int
    /// The activation applied to the output.
    public var activation: Activation
    /// True when the layer adds a bias.
    public var useBias: Bool
    /// `[input width, units]`.
    public var kernel: Tensor
    /// `[units]`, or nil without `useBias`.
    public var bias: Tensor?
    /// The input width (stored: a placeholder kernel holds no values yet).
    public private(set) var inputSize: Int
    /// The initializers the weights were made with (`.placeholder` for a layer built from a file), kept
    /// so that the layer's Keras config names them.
    public var kernelInitializer: Initializer
    /// The bias's initializer (Keras's `bias_initializer`), written to the Keras config.
    public var biasInitializer: Initializer
    /// The kernel's and bias's regularizers and constraints, for training in Keras (written to the Keras
    /// config; the recurrent entries do not apply to Dense).
    public var rules: CellRules

    /// A layer with fresh weights (Keras's defaults: glorot_uniform kernel, zero bias).
    public init(
        units: Int, inputSize: Int, activation: Activation = .linear, useBias: Bool = true,
        kernelInitializer: Initializer = .glorotUniform, biasInitializer: Initializer = .zeros, seed: UInt64 = 0,
        rules: CellRules = CellRules(), name: String = "dense"
    ) throws {
        var generator = SeededGenerator(seed: seed)
        self.name = name
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.inputSize = inputSize
        self.kernelInitializer = kernelInitializer
        self.biasInitializer = biasInitializer
        self.rules = rules
        self.kernel = try kernelInitializer.make([inputSize, units], generator: &generator)
        self.bias = useBias ? try biasInitializer.make([units], generator: &generator) : nil
    }

    public var weightSlots: [WeightSlot] {
        [WeightSlot(name: "kernel", shape: [inputSize, units])]
            + (useBias ? [WeightSlot(name: "bias", shape: [units])] : [])
    }

    public var weights: [Tensor] { [kernel] + (bias.map { [$0] } ?? []) }

    public mutating func setWeights(_ weights: [Tensor]) throws {
        let features = weights.first?.shape.first ?? inputSize
        let slots =
            [WeightSlot(name: "kernel", shape: [features, units])]
            + (useBias ? [WeightSlot(name: "bias", shape: [units])] : [])
        guard weights.count == slots.count else {
            throw RecurrentError(
                .countMismatch, layer: name,
                "expected \(slots.count) weights (\(slots.map(\.name).joined(separator: ", "))), received \(weights.count)"
            )
        }
        for (slot, weight) in zip(slots, weights) where slot.shape != weight.shape {
            throw RecurrentError(
                .shapeMismatch, layer: name, slot: slot.name,
                "slot '\(slot.name)' has shape \(weight.shape), the layer needs \(slot.shape)")
        }
        kernel = weights[0]
        bias = useBias ? weights[1] : nil
        inputSize = kernel.shape[0]
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        guard inputs.rank >= 1, inputs.shape.last == inputSize else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "expected inputs whose last dimension is \(inputSize), received shape \(inputs.shape)")
        }
        let rows = inputs.count / inputSize
        var values = Kernels.matmul(
            inputs.scalars, kernel.scalars, m: rows, k: inputSize, n: units, bias: bias?.scalars)
        activation.apply(&values, rowWidth: units)
        return Tensor(shape: Array(inputs.shape.dropLast()) + [units], scalars: values)
    }

    public func outputShape(inputShape: [Int?]) -> [Int?] { Array(inputShape.dropLast()) + [units] }
}

/// Keras's `Activation` layer: applies an activation (softmax over the last axis).
public struct ActivationLayer: FeedForwardLayer {
    public var name: String
    /// The function applied to each element.
    public var activation: Activation

    /// An `Activation` layer applying `activation`, named `name`.
    public init(_ activation: Activation, name: String = "activation") {
        self.activation = activation
        self.name = name
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor { activation(inputs) }
}
