/// Keras's `SimpleRNNCell`: `h_t = activation(x_t · kernel + bias + h_{t-1} · recurrent_kernel)`.
///
/// Weights (Keras order): `kernel [features, units]`, `recurrent_kernel [units, units]`, `bias [units]`
/// (absent when `useBias` is false). State: `[h]`; the output is `h`.
public struct SimpleRNNCell: RecurrentCell {
    public var name: String
    public var units: Int
    public var activation: Activation
    public var useBias: Bool
    public var kernel: Tensor
    public var recurrentKernel: Tensor
    public var bias: Tensor?
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
        var generator = SeededGenerator(seed: seed ?? 0)
        self.name = name
        self.units = units
        self.activation = activation
        self.useBias = useBias
        self.kernel = try kernelInitializer.make([inputSize, units], generator: &generator)
        self.recurrentKernel = try recurrentInitializer.make([units, units], generator: &generator)
        self.bias = useBias ? try biasInitializer.make([units], generator: &generator) : nil
        self.dropout = min(max(dropout, 0), 1)
        self.recurrentDropout = min(max(recurrentDropout, 0), 1)
        self.seed = seed
    }

    public var stateShapes: [[Int]] { [[units]] }
    public var inputSize: Int { kernel.shape[0] }

    public var weightSlots: [WeightSlot] { slots(inputSize: inputSize) }

    /// The slots for inputs of `inputSize` features (loading weights may set the input size).
    func slots(inputSize: Int) -> [WeightSlot] {
        [
            WeightSlot(name: "kernel", shape: [inputSize, units]),
            WeightSlot(name: "recurrent_kernel", shape: [units, units]),
        ]
            + (useBias ? [WeightSlot(name: "bias", shape: [units])] : [])
    }

    public var weights: [Tensor] { [kernel, recurrentKernel] + (bias.map { [$0] } ?? []) }

    public mutating func setWeights(_ weights: [Tensor]) throws {
        try checkWeights(weights, against: slots(inputSize: weights.first?.shape.first ?? inputSize), cell: name)
        kernel = weights[0]
        recurrentKernel = weights[1]
        bias = useBias ? weights[2] : nil
    }

    public func projectInputs(_ inputs: Tensor) throws -> Tensor? {
        try Gates.project(inputs, kernel: kernel, bias: bias?.scalars, cell: name)
    }

    public func step(projected: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        let batch = projected.shape[0]
        var h = projected.scalars
        Kernels.multiplyAdd(
            states[0].scalars, recurrentKernel.scalars, into: &h, m: batch, k: units, n: units, ldb: units, bOffset: 0,
            ldc: units, cOffset: 0)
        activation.apply(&h, rowWidth: units)
        let output = Tensor(shape: [batch, units], scalars: h)
        return CellOutput(output: output, states: [output])
    }

    public func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        try step(projected: projectInputs(input)!, states: states, context: context)
    }
}

/// Arithmetic shared by the built-in cells.
enum Gates {
    /// `inputs [n, features] · kernel [features, width] + bias`, checking the feature count.
    static func project(_ inputs: Tensor, kernel: Tensor, bias: [Float]?, cell: String) throws -> Tensor {
        let (features, width) = (kernel.shape[0], kernel.shape[1])
        guard inputs.rank == 2, inputs.shape[1] == features else {
            throw RecurrentError(
                .shapeMismatch, layer: cell, "expected inputs with \(features) features, received shape \(inputs.shape)"
            )
        }
        let n = inputs.shape[0]
        return Tensor(
            shape: [n, width],
            scalars: Kernels.matmul(inputs.scalars, kernel.scalars, m: n, k: features, n: width, bias: bias))
    }
}
