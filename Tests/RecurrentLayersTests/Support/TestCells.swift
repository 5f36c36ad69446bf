import RecurrentLayers

/// Keras's rnn_test.py `OneStateRNNCell`: `out = x · K + h · R`, K and R all ones, no activation.
struct OneStateRNNCell: RecurrentCell {
    var units: Int
    var stateShapes: [[Int]] { [[units]] }

    func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        let k = Tensor(repeating: 1, shape: [input.shape[1], units])
        let r = Tensor(repeating: 1, shape: [units, units])
        let output = input.matmul(k) + states[0].matmul(r)
        return CellOutput(output: output, states: [output])
    }
}

/// Keras's rnn_test.py `TwoStatesRNNCell`: `o1 = x K + s0 R1`, `o2 = x K + s0 R2` (both from state 0, as
/// in Keras's test), output `o1 + o2`, states `[o1, o2]`.
struct TwoStatesRNNCell: RecurrentCell {
    var units: Int
    var stateShapes: [[Int]] { [[units], [units]] }
    var outputSize: Int { units }

    func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        let k = Tensor(repeating: 1, shape: [input.shape[1], units])
        let r = Tensor(repeating: 1, shape: [units, units])
        let o1 = input.matmul(k) + states[0].matmul(r)
        let o2 = input.matmul(k) + states[0].matmul(r)
        return CellOutput(output: o1 + o2, states: [o1, o2])
    }
}

/// The seed's `MinimalRNNCell`, written in Swift: `output = x · kernel + h · recurrent_kernel`, with
/// Keras's `uniform` initializer (-0.05 to 0.05) for both weights.
struct MinimalRNNCell: RecurrentCell {
    var kernel: Tensor
    var recurrentKernel: Tensor

    init(units: Int, inputSize: Int, seed: UInt64) throws {
        var generator = SeededGenerator(seed: seed)
        kernel = try Initializer.randomUniform().make([inputSize, units], generator: &generator)
        recurrentKernel = try Initializer.randomUniform().make([units, units], generator: &generator)
    }

    var stateShapes: [[Int]] { [[kernel.shape[1]]] }

    var weightSlots: [WeightSlot] {
        [
            WeightSlot(name: "kernel", shape: kernel.shape),
            WeightSlot(name: "recurrent_kernel", shape: recurrentKernel.shape),
        ]
    }

    var weights: [Tensor] { [kernel, recurrentKernel] }

    func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        let output = input.matmul(kernel) + states[0].matmul(recurrentKernel)
        return CellOutput(output: output, states: [output])
    }
}

/// tf_keras base_rnn_test's cell: output = input, states = [s + 1].
struct CountingCell: RecurrentCell {
    var stateShapes: [[Int]] { [[1]] }

    func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        CellOutput(output: input, states: [states[0] + 1])
    }
}

/// A cell that reads constants: `out = x · 1 + h + c` (KERAS.md A.11's check).
struct ConstantsCell: RecurrentCell {
    var units: Int
    var stateShapes: [[Int]] { [[units]] }
    var acceptsConstants: Bool { true }

    func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        let k = Tensor(repeating: 1, shape: [input.shape[1], units])
        let output = input.matmul(k) + states[0] + context.constants[0]
        return CellOutput(output: output, states: [output])
    }
}
