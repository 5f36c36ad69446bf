/// Keras's `SimpleRNNCell`: `h_t = activation(x_t · kernel + bias + h_{t-1} · recurrent_kernel)`.
///
/// Weights (Keras order): `kernel [features, units]`, `recurrent_kernel [units, units]`, `bias [units]`
/// (absent when `useBias` is false). State: `[h]`; the output is `h`.
public struct SimpleRNNCell: RecurrentCell {
    /// The cell's name.
    public var name: String
    /// The width of the state and the output.
    public var units: Int
    /// The activation of the new state (Keras's `activation`, tanh by default).
    public var activation: Activation
    /// True when the cell has a bias.
    public var useBias: Bool
    var storage: CellWeights
    /// Fraction of the input units dropped in training (one mask per sequence).
    public var dropout: Float
    /// Fraction of the recurrent units dropped in training.
    public var recurrentDropout: Float
    /// The seed of the dropout masks' random numbers; nil for a fresh seed per layer.
    public var seed: UInt64?
    /// Regularizers and constraints of the kernel, recurrent kernel and bias.
    public var rules: CellRules

    /// A cell with fresh weights from initializers (Keras's defaults: glorot_uniform, orthogonal, zeros).
    public init(
        units: Int, inputSize: Int, activation: Activation = .tanh, useBias: Bool = true,
        kernelInitializer: Initializer = .glorotUniform, recurrentInitializer: Initializer = .orthogonal(),
        biasInitializer: Initializer = .zeros, dropout: Float = 0, recurrentDropout: Float = 0, seed: UInt64? = nil,
        rules: CellRules = CellRules(),
        name: String = "simple_rnn_cell"
    ) throws {
        try CellWeights.checkSizes(units: units, gates: 1, inputSize: inputSize, cell: name)
        self.name = name
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.storage = try CellWeights(
            units: units, gates: 1, inputSize: inputSize, biasShape: useBias ? [units] : nil,
            kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
            biasInitializer: biasInitializer, seed: seed
        ) { try biasInitializer.make([units], generator: &$0) }
        self.dropout = min(max(dropout, 0), 1)
        self.recurrentDropout = min(max(recurrentDropout, 0), 1)
        self.seed = seed
        self.rules = rules
    }

    public var stateShapes: [[Int]] { [[units]] }
    public var inputSize: Int { storage.inputSize }
    /// `[features, units]`
    public var kernel: Tensor { storage.kernel }
    /// `[units, units]`
    public var recurrentKernel: Tensor { storage.recurrentKernel }
    /// `[units]`, or nil without a bias.
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
        guard dropout > 0 || recurrentDropout > 0 else { return [nil] }
        var generator = DropoutMasks.generator(seed: seed, call: call)
        let input =
            dropout > 0
            ? DropoutMasks.make(1, shape: [batchSize, inputSize], rate: dropout, generator: &generator) : []
        let recurrent =
            recurrentDropout > 0
            ? DropoutMasks.make(1, shape: [batchSize, units], rate: recurrentDropout, generator: &generator) : []
        return [DropoutMasks(input: input, recurrent: recurrent)]
    }

    public func step(projected: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        advance(projected.scalars, previous: states[0], recurrentMasks: [])
    }

    public func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        guard let masks = context.masks else {
            return try step(projected: projectInputs(input)!, states: states, context: context)
        }
        var x = CellWeights.maskedProduct(input, masks: masks.input, weights: kernel, gates: 1, units: units)
        if let bias { Gates.addRowBias(&x, bias.scalars) }
        return advance(x, previous: states[0], recurrentMasks: masks.recurrent)
    }

    /// `h = act(x + (h_prev ⊙ mask) · recurrent_kernel)` from the input part `x` (bias included).
    private func advance(_ x: [Float], previous: Tensor, recurrentMasks: [Tensor]) -> CellOutput {
        let recurrent = CellWeights.maskedProduct(
            previous, masks: recurrentMasks, weights: recurrentKernel, gates: 1, units: units)
        var h = zip(x, recurrent).map(+)
        activation.apply(&h, rowWidth: units)
        let output = Tensor(shape: [previous.shape[0], units], scalars: h)
        return CellOutput(output: output, states: [output])
    }
}

/// Small arithmetic shared by the built-in cells.
enum Gates {
    /// Adds `bias` to every `bias.count`-wide row of `values`.
    static func addRowBias(_ values: inout [Float], _ bias: [Float]) {
        let width = bias.count
        for start in stride(from: 0, to: values.count, by: width) {
            for j in 0..<width { values[start + j] += bias[j] }
        }
    }

    /// Keras's implementation number: 0 and 2 are the fused form; 1, or any recurrent dropout, the
    /// per-gate form (one dropout mask per gate).
    static func implementation(_ requested: Int, recurrentDropout: Float) -> Int {
        recurrentDropout != 0 || requested == 1 ? 1 : 2
    }

    /// The input and recurrent masks of an LSTM or GRU cell: only for rates strictly between 0 and 1;
    /// one shared input mask (implementation 2) or one per gate and a recurrent mask per gate (1).
    static func masks(
        gates: Int, implementation: Int, dropout: Float, recurrentDropout: Float, batchSize: Int, inputSize: Int,
        units: Int, seed: UInt64?, call: Int
    ) -> [DropoutMasks?] {
        let useInput = dropout > 0 && dropout < 1
        let useRecurrent = implementation == 1 && recurrentDropout > 0 && recurrentDropout < 1
        guard useInput || useRecurrent else { return [nil] }
        var generator = DropoutMasks.generator(seed: seed, call: call)
        let count = implementation == 1 ? gates : 1
        let input =
            useInput
            ? DropoutMasks.make(count, shape: [batchSize, inputSize], rate: dropout, generator: &generator) : []
        let recurrent =
            useRecurrent
            ? DropoutMasks.make(gates, shape: [batchSize, units], rate: recurrentDropout, generator: &generator) : []
        return [DropoutMasks(input: input, recurrent: recurrent)]
    }
}
