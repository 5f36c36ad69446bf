/// Keras's `SimpleRNNCell`: `h_t = activation(x_t · kernel + bias + h_{t-1} · recurrent_kernel)`.
///
/// Weights (Keras order): `kernel [features, units]`, `recurrent_kernel [units, units]`, `bias [units]`
/// (absent when `useBias` is false). State: `[h]`; the output is `h`.
public struct SimpleRNNCell: RecurrentCell {
    public var name: String
    public var units: Int
    public var activation: Activation
    public var useBias: Bool
    var storage: CellWeights
    /// Fraction of the input units dropped in training (one mask per sequence).
    public var dropout: Float
    /// Fraction of the recurrent units dropped in training.
    public var recurrentDropout: Float
    public var seed: UInt64?

    /// A cell with fresh weights from initializers (Keras's defaults: glorot_uniform, orthogonal, zeros).
    public init(
        units: Int, inputSize: Int, activation: Activation = .tanh, useBias: Bool = true,
        kernelInitializer: Initializer = .glorotUniform, recurrentInitializer: Initializer = .orthogonal(),
        biasInitializer: Initializer = .zeros, dropout: Float = 0, recurrentDropout: Float = 0, seed: UInt64? = nil,
        name: String = "simple_rnn_cell"
    ) throws {
        self.name = name
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.storage = try CellWeights(
            units: units, gates: 1, inputSize: inputSize, biasShape: useBias ? [units] : nil,
            kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer, seed: seed
        ) { try biasInitializer.make([units], generator: &$0) }
        self.dropout = min(max(dropout, 0), 1)
        self.recurrentDropout = min(max(recurrentDropout, 0), 1)
        self.seed = seed
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

    public func projectInputs(_ inputs: Tensor) throws -> Tensor? {
        try storage.project(inputs, inputBias: bias?.scalars, cell: name)
    }

    public func step(projected: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        let batch = projected.shape[0]
        var h = projected.scalars
        Kernels.multiplyAdd(
            states[0].scalars, storage.recurrentKernel.scalars, into: &h, m: batch, k: units, n: units, ldb: units,
            bOffset: 0,
            ldc: units, cOffset: 0)
        activation.apply(&h, rowWidth: units)
        let output = Tensor(shape: [batch, units], scalars: h)
        return CellOutput(output: output, states: [output])
    }

    public func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        try step(projected: projectInputs(input)!, states: states, context: context)
    }
}
