/// Keras's `GRUCell` (KERAS.md B.4). Gate column blocks in order z (update), r (reset), h (candidate).
///
/// `resetAfter` true (Keras 3 and tf.keras 2 default): bias `[2, 3 units]` (input row, recurrent row),
/// `hh = act(x W_h + b_h + r * (h R_h + br_h))`. False (Keras 1 and standalone Keras 2): bias
/// `[3 units]`, `hh = act(x W_h + b_h + (r * h) R_h)`. Both: `h_t = z * h_{t-1} + (1 - z) * hh`.
/// State: `[h]`; the output is `h`.
public struct GRUCell: RecurrentCell {
    /// The cell's name.
    public var name: String
    /// The width of the state and the output.
    public var units: Int
    /// The activation of the candidate state (Keras's `activation`, tanh by default).
    public var activation: Activation
    /// The gates' activation (Keras's `recurrent_activation`, sigmoid by default).
    public var recurrentActivation: Activation
    /// True when the cell has a bias.
    public var useBias: Bool
    /// Keras's `reset_after`: the reset gate applies after the recurrent product (Keras 3 and cuDNN's form, with two biases).
    public var resetAfter: Bool
    var storage: CellWeights
    /// The dropout rate on the input, in training only.
    public var dropout: Float
    /// The dropout rate on the recurrent state, in training only.
    public var recurrentDropout: Float
    /// The seed of the dropout masks' random numbers; nil for a fresh seed per layer.
    public var seed: UInt64?
    /// Regularizers and constraints of the kernel, recurrent kernel and bias.
    public var rules: CellRules
    /// Keras's `implementation`: 2 (fused; one input dropout mask) or 1 (a mask per gate for inputs and
    /// states). Any recurrent dropout makes it 1, as in Keras. Same numbers at inference.
    public var implementation: Int

    /// A cell with fresh weights from initializers (Keras's defaults).
    public init(
        units: Int, inputSize: Int, activation: Activation = .tanh, recurrentActivation: Activation = .sigmoid,
        useBias: Bool = true, resetAfter: Bool = true, kernelInitializer: Initializer = .glorotUniform,
        recurrentInitializer: Initializer = .orthogonal(), biasInitializer: Initializer = .zeros,
        dropout: Float = 0, recurrentDropout: Float = 0, seed: UInt64? = nil, rules: CellRules = CellRules(),
        implementation: Int = 2,
        name: String = "gru_cell"
    ) throws {
        try CellWeights.checkSizes(units: units, gates: 3, inputSize: inputSize, cell: name)
        self.name = name
        self.units = units
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.useBias = useBias
        self.resetAfter = resetAfter
        let biasShape = resetAfter ? [2, 3 * units] : [3 * units]
        self.storage = try CellWeights(
            units: units, gates: 3, inputSize: inputSize, biasShape: useBias ? biasShape : nil,
            kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer,
            biasInitializer: biasInitializer, seed: seed
        ) { try biasInitializer.make(biasShape, generator: &$0) }
        self.dropout = min(max(dropout, 0), 1)
        self.recurrentDropout = min(max(recurrentDropout, 0), 1)
        self.seed = seed
        self.rules = rules
        self.implementation = Gates.implementation(implementation, recurrentDropout: self.recurrentDropout)
    }

    public var stateShapes: [[Int]] { [[units]] }
    public var inputSize: Int { storage.inputSize }
    /// `[features, 3 units]`, gate blocks z, r, h.
    public var kernel: Tensor { storage.kernel }
    /// `[units, 3 units]`
    public var recurrentKernel: Tensor { storage.recurrentKernel }
    /// `[2, 3 units]` (input row, recurrent row) with `resetAfter`, `[3 units]` without; nil without a bias.
    public var bias: Tensor? { storage.bias }
    public var weightSlots: [WeightSlot] { storage.slots(inputSize: inputSize) }
    public var weights: [Tensor] { storage.all }
    public mutating func setWeights(_ weights: [Tensor]) throws { try storage.set(weights, cell: name) }

    /// The regularizers' penalty on the current weights (Keras adds it to the training loss).
    public func regularizationLoss() throws -> Float { try rules.penalty(storage) }

    /// Projects the weights onto the constraints, as Keras does after each training update.
    public mutating func applyConstraints() { rules.constrain(&storage) }

    /// The input row of the bias (all of it when `resetAfter` is false).
    private var inputBias: [Float]? { bias.map { Array($0.scalars.prefix(3 * units)) } }

    public func projectInputs(_ inputs: Tensor) throws -> Tensor? {
        try storage.project(inputs, inputBias: inputBias, cell: name)
    }

    public func makeDropoutMasks(batchSize: Int, inputSize: Int, call: Int) -> [DropoutMasks?] {
        Gates.masks(
            gates: 3, implementation: implementation, dropout: dropout, recurrentDropout: recurrentDropout,
            batchSize: batchSize, inputSize: inputSize, units: units, seed: seed, call: call)
    }

    public func step(projected: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        advance(projected.scalars, previous: states[0], recurrentMasks: [])
    }

    public func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        guard let masks = context.masks else {
            return try step(projected: projectInputs(input)!, states: states, context: context)
        }
        var x = CellWeights.maskedProduct(input, masks: masks.input, weights: kernel, gates: 3, units: units)
        if let inputBias { Gates.addRowBias(&x, inputBias) }
        return advance(x, previous: states[0], recurrentMasks: masks.recurrent)
    }

    /// `h_t` from the input part `x` `[batch, 3 units]` (input bias included) and `h_prev` under its masks.
    private func advance(_ x: [Float], previous: Tensor, recurrentMasks: [Tensor]) -> CellOutput {
        let batch = previous.shape[0]
        let width = 3 * units
        let h0 = previous.scalars
        let h: [Float]
        if resetAfter {
            var rec = CellWeights.maskedProduct(
                previous, masks: recurrentMasks, weights: recurrentKernel, gates: 3, units: units)
            if let bias { Gates.addRowBias(&rec, Array(bias.scalars[width...])) }
            h = Kernels.gruResetAfter(
                x: x, recurrent: rec, previous: h0, batch: batch, units: units, activation: activation,
                recurrentActivation: recurrentActivation)
        } else {
            let zr = CellWeights.maskedProduct(
                previous, masks: recurrentMasks, weights: recurrentKernel, gates: 3, units: units, onlyGates: 0..<2)
            // The candidate multiplies r * (h ⊙ its gate's mask) by the candidate block of the recurrent kernel.
            let candidateState =
                recurrentMasks.isEmpty ? h0 : (previous * recurrentMasks[recurrentMasks.count == 1 ? 0 : 2]).scalars
            let (z, resetState) = Kernels.gruUpdateAndReset(
                x: x, recurrent: zr, candidateState: candidateState, batch: batch, units: units,
                recurrentActivation: recurrentActivation)
            var candidate = [Float](repeating: 0, count: batch * units)
            Kernels.multiplyAdd(
                resetState, recurrentKernel.scalars, into: &candidate, m: batch, k: units, n: units, ldb: width,
                bOffset: 2 * units, ldc: units, cOffset: 0)
            h = Kernels.gruBlend(
                x: x, candidate: candidate, z: z, previous: h0, batch: batch, units: units, activation: activation)
        }
        let output = Tensor(shape: [batch, units], scalars: h)
        return CellOutput(output: output, states: [output])
    }
}
