/// Keras's `LSTMCell` (KERAS.md B.3). Gate column blocks in order i, f, c, o:
///
///     z = x · kernel + h · recurrent_kernel + bias
///     i = ract(z_i); f = ract(z_f); g = act(z_c); o = ract(z_o)
///     c_t = f * c_{t-1} + i * g;  h_t = o * act(c_t)
///
/// Weights: `kernel [features, 4 units]`, `recurrent_kernel [units, 4 units]`, `bias [4 units]`.
/// States: `[h, c]`; the output is `h`.
public struct LSTMCell: RecurrentCell {
    /// The cell's name.
    public var name: String
    /// The width of the state and the output.
    public var units: Int
    /// The activation of the candidate cell state and of the output (Keras's `activation`, tanh by default).
    public var activation: Activation
    /// The gates' activation (Keras's `recurrent_activation`, sigmoid by default).
    public var recurrentActivation: Activation
    /// True when the cell has a bias.
    public var useBias: Bool
    /// Only affects initialisation: the forget-gate bias starts at one.
    public var unitForgetBias: Bool
    var storage: CellWeights
    /// The dropout rate on the input, in training only.
    public var dropout: Float
    /// The dropout rate on the recurrent state, in training only.
    public var recurrentDropout: Float
    /// The seed of the dropout masks' random numbers; nil for a fresh seed per layer.
    public var seed: UInt64?
    /// Regularizers and constraints of the kernel, recurrent kernel and bias.
    public var rules: CellRules
    /// Keras's `implementation`: 2 (fused; one input dropout mask) or 1 (per gate: a mask per gate for
    /// inputs and states). Any recurrent dropout makes it 1, as in Keras. Same numbers at inference.
    public var implementation: Int

    /// A cell with fresh weights from initializers (Keras's defaults).
    public init(
        units: Int, inputSize: Int, activation: Activation = .tanh, recurrentActivation: Activation = .sigmoid,
        useBias: Bool = true, unitForgetBias: Bool = true, kernelInitializer: Initializer = .glorotUniform,
        recurrentInitializer: Initializer = .orthogonal(), biasInitializer: Initializer = .zeros,
        dropout: Float = 0, recurrentDropout: Float = 0, seed: UInt64? = nil, rules: CellRules = CellRules(),
        implementation: Int = 2,
        name: String = "lstm_cell"
    ) throws {
        try CellWeights.checkSizes(units: units, gates: 4, inputSize: inputSize, cell: name)
        self.name = name
        self.units = units
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.useBias = useBias
        self.unitForgetBias = unitForgetBias
        self.storage = try CellWeights(
            units: units, gates: 4, inputSize: inputSize, biasShape: useBias ? [4 * units] : nil,
            kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
            biasInitializer: biasInitializer, seed: seed
        ) { generator in
            guard unitForgetBias, biasInitializer != .placeholder else {
                return try biasInitializer.make([4 * units], generator: &generator)
            }
            let input = try biasInitializer.make([units], generator: &generator).scalars
            let rest = try biasInitializer.make([2 * units], generator: &generator).scalars
            return Tensor(shape: [4 * units], scalars: input + Array(repeating: 1, count: units) + rest)
        }
        self.dropout = min(max(dropout, 0), 1)
        self.recurrentDropout = min(max(recurrentDropout, 0), 1)
        self.seed = seed
        self.rules = rules
        self.implementation = Gates.implementation(implementation, recurrentDropout: self.recurrentDropout)
    }

    public var stateShapes: [[Int]] { [[units], [units]] }
    public var inputSize: Int { storage.inputSize }
    /// `[features, 4 units]`, gate blocks i, f, c, o.
    public var kernel: Tensor { storage.kernel }
    /// `[units, 4 units]`
    public var recurrentKernel: Tensor { storage.recurrentKernel }
    /// `[4 units]`, or nil without a bias.
    public var bias: Tensor? { storage.bias }
    public var weightSlots: [WeightSlot] { storage.slots(inputSize: inputSize) }
    public var weights: [Tensor] { storage.all }
    public mutating func setWeights(_ weights: [Tensor]) throws { try storage.set(weights, cell: name) }

    /// The regularizers' penalty on the current weights (Keras adds it to the training loss).
    public func regularizationLoss() throws -> Float { try rules.penalty(storage) }

    /// Projects the weights onto the constraints, as Keras does after each training update.
    public mutating func applyConstraints() { rules.constrain(&storage) }

    public func projectInputs(_ inputs: Tensor) throws -> Tensor? {
        try storage.project(inputs, inputBias: bias?.scalars, cell: name)
    }

    public func makeDropoutMasks(batchSize: Int, inputSize: Int, call: Int) -> [DropoutMasks?] {
        Gates.masks(
            gates: 4, implementation: implementation, dropout: dropout, recurrentDropout: recurrentDropout,
            batchSize: batchSize, inputSize: inputSize, units: units, seed: seed, call: call)
    }

    public func step(projected: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        advance(projected.scalars, states: states, recurrentMasks: [])
    }

    public func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        guard let masks = context.masks else {
            return try step(projected: projectInputs(input)!, states: states, context: context)
        }
        var x = CellWeights.maskedProduct(input, masks: masks.input, weights: kernel, gates: 4, units: units)
        if let bias { Gates.addRowBias(&x, bias.scalars) }
        return advance(x, states: states, recurrentMasks: masks.recurrent)
    }

    /// The gates from the input part `x` `[batch, 4 units]` (bias included) and `h_prev` under its masks.
    private func advance(_ x: [Float], states: [Tensor], recurrentMasks: [Tensor]) -> CellOutput {
        let batch = states[0].shape[0]
        let recurrent = CellWeights.maskedProduct(
            states[0], masks: recurrentMasks, weights: recurrentKernel, gates: 4, units: units)
        let (h, c) = Kernels.lstmGates(
            x: x, recurrent: recurrent, previousC: states[1].scalars, batch: batch, units: units,
            activation: activation,
            recurrentActivation: recurrentActivation)
        let output = Tensor(shape: [batch, units], scalars: h)
        return CellOutput(output: output, states: [output, Tensor(shape: [batch, units], scalars: c)])
    }
}
