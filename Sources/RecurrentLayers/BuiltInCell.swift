/// What SimpleRNNCell, LSTMCell and GRUCell share, for code that treats them alike (config writers,
/// summaries, validation).
package protocol BuiltInCell: RecurrentCell {
    var units: Int { get }
    var activation: Activation { get }
    var useBias: Bool { get }
    var rules: CellRules { get }
    var dropout: Float { get }
    var recurrentDropout: Float { get }
    var seed: UInt64? { get }
    var initializers: CellInitializers { get }
}

extension SimpleRNNCell: BuiltInCell {
    /// The initializers the weights were made with (`.placeholder` for a cell built from a file).
    public var initializers: CellInitializers { storage.initializers }
}

extension LSTMCell: BuiltInCell {
    /// The initializers the weights were made with (`.placeholder` for a cell built from a file).
    public var initializers: CellInitializers { storage.initializers }
}

extension GRUCell: BuiltInCell {
    /// The initializers the weights were made with (`.placeholder` for a cell built from a file).
    public var initializers: CellInitializers { storage.initializers }
}

extension SimpleRNNCell: FusedRecurrentCell {
    var recurrence: Recurrence {
        Recurrence(
            kind: .simple, units: units, activation: activation, recurrentActivation: .linear,
            inputSize: inputSize, kernel: kernel.scalars, inputBias: bias?.scalars,
            recurrentKernel: recurrentKernel.scalars, recurrentBias: nil, packed: storage.packed)
    }
}

extension LSTMCell: FusedRecurrentCell {
    var recurrence: Recurrence {
        Recurrence(
            kind: .lstm, units: units, activation: activation, recurrentActivation: recurrentActivation,
            inputSize: inputSize, kernel: kernel.scalars, inputBias: bias?.scalars,
            recurrentKernel: recurrentKernel.scalars, recurrentBias: nil, packed: storage.packed)
    }
}

extension GRUCell: FusedRecurrentCell {
    /// With `resetAfter` the bias is `[2, 3 units]`: the input row joins the projection, the recurrent
    /// row the recurrent product.
    var recurrence: Recurrence {
        let width = 3 * units
        let (input, recurrent): ([Float]?, [Float]?) =
            if let bias = bias?.scalars, resetAfter {
                (Array(bias[..<width]), Array(bias[width...]))
            } else {
                (bias?.scalars, nil)
            }
        return Recurrence(
            kind: resetAfter ? .gruResetAfter : .gruResetBefore, units: units, activation: activation,
            recurrentActivation: recurrentActivation, inputSize: inputSize, kernel: kernel.scalars, inputBias: input,
            recurrentKernel: recurrentKernel.scalars, recurrentBias: recurrent, packed: storage.packed)
    }
}
