/// Keras's `GRUCell` (KERAS.md B.4). Gate column blocks in order z (update), r (reset), h (candidate).
///
/// `resetAfter` true (Keras 3 and tf.keras 2 default): bias `[2, 3 units]` (input row, recurrent row),
/// `hh = act(x W_h + b_h + r * (h R_h + br_h))`. False (Keras 1 and standalone Keras 2): bias
/// `[3 units]`, `hh = act(x W_h + b_h + (r * h) R_h)`. Both: `h_t = z * h_{t-1} + (1 - z) * hh`.
/// State: `[h]`; the output is `h`.
public struct GRUCell: RecurrentCell {
    public var name: String
    public var units: Int
    public var activation: Activation
    public var recurrentActivation: Activation
    public var useBias: Bool
    public var resetAfter: Bool
    var storage: CellWeights
    public var dropout: Float
    public var recurrentDropout: Float
    public var seed: UInt64?

    /// A cell with fresh weights from initializers (Keras's defaults).
    public init(
        units: Int, inputSize: Int, activation: Activation = .tanh, recurrentActivation: Activation = .sigmoid,
        useBias: Bool = true, resetAfter: Bool = true, kernelInitializer: Initializer = .glorotUniform,
        recurrentInitializer: Initializer = .orthogonal(), biasInitializer: Initializer = .zeros,
        dropout: Float = 0, recurrentDropout: Float = 0, seed: UInt64? = nil, name: String = "gru_cell"
    ) throws {
        self.name = name
        self.units = units
        self.activation = activation
        self.recurrentActivation = recurrentActivation
        self.useBias = useBias
        self.resetAfter = resetAfter
        let biasShape = resetAfter ? [2, 3 * units] : [3 * units]
        self.storage = try CellWeights(
            units: units, gates: 3, inputSize: inputSize, biasShape: useBias ? biasShape : nil,
            kernelInitializer: kernelInitializer, recurrentInitializer: recurrentInitializer, seed: seed
        ) { try biasInitializer.make(biasShape, generator: &$0) }
        self.dropout = min(max(dropout, 0), 1)
        self.recurrentDropout = min(max(recurrentDropout, 0), 1)
        self.seed = seed
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

    /// The input row of the bias (all of it when `resetAfter` is false).
    private var inputBias: [Float]? { bias.map { Array($0.scalars.prefix(3 * units)) } }

    public func projectInputs(_ inputs: Tensor) throws -> Tensor? {
        try storage.project(inputs, inputBias: inputBias, cell: name)
    }

    public func step(projected: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        let batch = projected.shape[0]
        let width = 3 * units
        let x = projected.scalars
        let previous = states[0].scalars
        let r = storage.recurrentKernel.scalars
        var h = [Float](repeating: 0, count: batch * units)
        if resetAfter {
            var rec = [Float](repeating: 0, count: batch * width)
            if let bias {
                let recurrentBias = bias.scalars[width...]
                for b in 0..<batch { rec.replaceSubrange((b * width)..<((b + 1) * width), with: recurrentBias) }
            }
            Kernels.multiplyAdd(
                previous, r, into: &rec, m: batch, k: units, n: width, ldb: width, bOffset: 0, ldc: width, cOffset: 0)
            for b in 0..<batch {
                let row = b * width
                for u in 0..<units {
                    let z = recurrentActivation.scalar(x[row + u] + rec[row + u])
                    let reset = recurrentActivation.scalar(x[row + units + u] + rec[row + units + u])
                    let candidate = activation.scalar(x[row + 2 * units + u] + reset * rec[row + 2 * units + u])
                    h[b * units + u] = z * previous[b * units + u] + (1 - z) * candidate
                }
            }
        } else {
            var zr = [Float](repeating: 0, count: batch * 2 * units)
            Kernels.multiplyAdd(
                previous, r, into: &zr, m: batch, k: units, n: 2 * units, ldb: width, bOffset: 0, ldc: 2 * units,
                cOffset: 0)
            var gates = [Float](repeating: 0, count: batch * 2 * units)
            var resetH = [Float](repeating: 0, count: batch * units)
            for b in 0..<batch {
                for u in 0..<units {
                    let z = recurrentActivation.scalar(x[b * width + u] + zr[b * 2 * units + u])
                    let reset = recurrentActivation.scalar(x[b * width + units + u] + zr[b * 2 * units + units + u])
                    gates[b * 2 * units + u] = z
                    resetH[b * units + u] = reset * previous[b * units + u]
                }
            }
            var candidate = [Float](repeating: 0, count: batch * units)
            Kernels.multiplyAdd(
                resetH, r, into: &candidate, m: batch, k: units, n: units, ldb: width, bOffset: 2 * units, ldc: units,
                cOffset: 0)
            for b in 0..<batch {
                for u in 0..<units {
                    let z = gates[b * 2 * units + u]
                    let hh = activation.scalar(x[b * width + 2 * units + u] + candidate[b * units + u])
                    h[b * units + u] = z * previous[b * units + u] + (1 - z) * hh
                }
            }
        }
        let output = Tensor(shape: [batch, units], scalars: h)
        return CellOutput(output: output, states: [output])
    }

    public func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        try step(projected: projectInputs(input)!, states: states, context: context)
    }
}
