import RecurrentLayers
import TestSupport
import Testing

/// Options and call arguments beyond Keras's numeric tests: reset_states and its errors (seed 002),
/// time_major, constants, initial-state validation, masks, weights.
@Suite("RNN options and errors")
struct RNNOptionsTests {
    @Test("resetStates: zeros, given arrays, and seed 002's errors")
    func resetStates() throws {
        var notStateful = RNN(cell: try Constant.lstm(2, inputSize: 3), name: "lstm_2")
        let error = #expect(throws: RecurrentError.self) { try notStateful.resetStates() }
        #expect(error?.code == .notStateful && error?.message == "Layer must be stateful.")

        var layer = RNN(cell: try Constant.lstm(3, inputSize: 4), stateful: true, name: "lstm_2")
        let unknown = #expect(throws: RecurrentError.self) { try layer.resetStates() }
        #expect(
            unknown?.code == .batchSize
                && unknown?.message.hasPrefix("If a RNN is stateful, it needs to know its batch size.") == true)

        layer.batchSize = 2
        try layer.resetStates()
        #expect(layer.states == [Tensor.zeros([2, 3]), Tensor.zeros([2, 3])])
        let count = #expect(throws: RecurrentError.self) { try layer.resetStates([Tensor.zeros([2, 3])]) }
        #expect(
            count?.code == .countMismatch
                && count?.message.hasPrefix("Layer lstm_2 expects 2 states, but it received 1 state values.") == true)
        let shape = #expect(throws: RecurrentError.self) {
            try layer.resetStates([Tensor.zeros([2, 3]), Tensor.zeros([2, 4])])
        }
        #expect(
            shape?.message == "State 1 is incompatible with layer lstm_2: expected shape=[2, 3] but found shape=[2, 4]")

        // Given arrays are where the next call starts: the same as passing them as the initial state.
        let h = Inputs.arange([2, 3])
        try layer.resetStates([h, h])
        var fresh = RNN(cell: try Constant.lstm(3, inputSize: 4))
        #expect(try layer.call(Inputs.p).output == fresh.call(Inputs.p, initialState: [h, h]).output)
    }

    @Test("two stateful calls equal one call on the concatenated sequence")
    func statefulContinuation() throws {
        var stateful = RNN(cell: try Constant.gru(3, inputSize: 4), stateful: true)
        _ = try stateful.call(Inputs.p)
        let second = try stateful.call(Inputs.p).output
        var doubledScalars: [Float] = []
        for b in 0..<2 {
            let sample = Array(Inputs.p.scalars[(b * 12)..<(b * 12 + 12)])
            doubledScalars += sample + sample
        }
        let doubled = Tensor(shape: [2, 6, 4], scalars: doubledScalars)
        var once = RNN(cell: try Constant.gru(3, inputSize: 4))
        expectClose(second, try once.call(doubled).output.scalars)
    }

    @Test("an explicit zero initial state equals the implicit one; an explicit state wins over carried ones")
    func explicitZeroState() throws {
        var layer = RNN(cell: try Constant.lstm(2, inputSize: 3), returnSequences: true)
        let implicit = try layer.call(Inputs.q).output
        #expect(
            try layer.call(Inputs.q, initialState: [Tensor.zeros([2, 2]), Tensor.zeros([2, 2])]).output == implicit)
        var stateful = RNN(cell: try Constant.lstm(2, inputSize: 3), returnSequences: true, stateful: true)
        _ = try stateful.call(Inputs.q)
        #expect(
            try stateful.call(Inputs.q, initialState: [Tensor.zeros([2, 2]), Tensor.zeros([2, 2])]).output == implicit)
    }

    @Test("initial states are checked: count and shape")
    func initialStateErrors() throws {
        var layer = RNN(cell: try Constant.lstm(2, inputSize: 3))
        let count = #expect(throws: RecurrentError.self) {
            try layer.call(Inputs.q, initialState: [Tensor.zeros([2, 2])])
        }
        #expect(count?.message == "Layer has 2 states but was passed 1 initial states.")
        let shape = #expect(throws: RecurrentError.self) {
            try layer.call(Inputs.q, initialState: [Tensor.zeros([2, 2]), Tensor.zeros([2, 3])])
        }
        #expect(shape?.code == .shapeMismatch)
        let features = #expect(throws: RecurrentError.self) { try layer.call(Inputs.p) }
        #expect(features?.code == .shapeMismatch)
        let rank = #expect(throws: RecurrentError.self) { try layer.call(Tensor.zeros([2, 3])) }
        #expect(rank?.code == .shapeMismatch)
        let mask = #expect(throws: RecurrentError.self) { try layer.call(Inputs.q, mask: Mask([[true, false]])) }
        #expect(mask?.code == .shapeMismatch)
    }

    @Test("time-major inputs, masks and sequences are the batch-major ones transposed", arguments: [false, true])
    func timeMajor(goBackwards: Bool) throws {
        let mask = Mask([[true, true, false, true], [false, true, true, true]])
        var batchMajor = RNN(cell: try Constant.gru(2, inputSize: 3), returnSequences: true, goBackwards: goBackwards)
        var timeMajor = RNN(
            cell: try Constant.gru(2, inputSize: 3), returnSequences: true, goBackwards: goBackwards, timeMajor: true)
        let expected = try batchMajor.call(Inputs.q, mask: mask).output
        let result = try timeMajor.call(
            Inputs.q.swappingFirstTwoAxes(), mask: Mask(shape: [4, 2], values: (0..<8).map { mask[$0 % 2, $0 / 2] }))
        #expect(result.output.shape == [4, 2, 2])
        #expect(result.output.swappingFirstTwoAxes() == expected)
        #expect(timeMajor.outputShapes(inputShape: [4, nil, 3]) == [[4, nil, 2]])
    }

    @Test("constants reach every step of a cell that takes them, and are refused otherwise")
    func constants() throws {
        let c = Tensor(shape: [1, 2], scalars: [5, 7])
        let x = Tensor(repeating: 1, shape: [1, 2, 3])
        var layer = RNN(cell: ConstantsCell(units: 2), returnSequences: true)
        let result = try layer.call(x, constants: [c])
        // The definition, step by step: h_t = x_t · 1 + h_{t-1} + c.
        var h = Tensor.zeros([1, 2])
        var expected: [Float] = []
        for t in 0..<2 {
            let xt = Tensor(shape: [1, 3], scalars: Array(x.scalars[(t * 3)..<(t * 3 + 3)]))
            h = xt.matmul(Tensor(repeating: 1, shape: [3, 2])) + h + c
            expected += h.scalars
        }
        expectClose(result.output, expected)
        var plain = RNN(cell: try Constant.simple(2, inputSize: 3))
        let error = #expect(throws: RecurrentError.self) { try plain.call(x, constants: [c]) }
        #expect(error?.code == .unsupported)
        var stacked = RNN(cells: [ConstantsCell(units: 2), try Constant.simple(2, inputSize: 2)])
        #expect(try stacked.call(x, constants: [c]).output.shape == [1, 2])
    }

    @Test("masks propagate as Keras 3.15.1 does")
    func masks() throws {
        let mask = Mask([[true, false]])
        #expect(RNN(cell: OneStateRNNCell(units: 2), returnSequences: true).outputMasks(inputMask: mask) == [mask])
        #expect(RNN(cell: OneStateRNNCell(units: 2)).outputMasks(inputMask: mask) == [nil])
        #expect(
            RNN(cell: try Constant.lstm(2, inputSize: 3), returnSequences: true, returnState: true).outputMasks(
                inputMask: mask) == [mask, nil, nil])
    }

    @Test("a sample whose every step is masked ends with its initial state")
    func fullyMasked() throws {
        var layer = RNN(cell: try Constant.lstm(2, inputSize: 3), returnState: true)
        let start = Tensor(repeating: 0.7, shape: [2, 2])
        let result = try layer.call(
            Inputs.q, initialState: [start, start],
            mask: Mask([[false, false, false, false], [true, true, true, true]]))
        #expect(
            Array(result.states[0].scalars.prefix(2)) == [0.7, 0.7]
                && Array(result.states[1].scalars.prefix(2)) == [0.7, 0.7])
        #expect(Array(result.output.scalars.prefix(2)) == [0, 0])
    }

    @Test("setWeights checks count and shapes, naming the slot")
    func setWeights() throws {
        var layer = RNN(cell: try Constant.lstm(3, inputSize: 4))
        let weights = layer.weights
        #expect(
            layer.weightSlots == [
                WeightSlot(name: "kernel", shape: [4, 12]), WeightSlot(name: "recurrent_kernel", shape: [3, 12]),
                WeightSlot(name: "bias", shape: [12]),
            ])
        try layer.setWeights(weights)
        let count = #expect(throws: RecurrentError.self) { try layer.setWeights(Array(weights.prefix(2))) }
        #expect(count?.code == .countMismatch)
        let shape = #expect(throws: RecurrentError.self) {
            try layer.setWeights([weights[0], Tensor.zeros([4, 12]), weights[2]])
        }
        #expect(
            shape?.description
                == "layer 'lstm_cell': slot 'recurrent_kernel' has shape [4, 12], the layer needs [3, 12]"
        )
        // Loading may change the input size: a [7, 12] kernel makes a 7-feature cell.
        try layer.setWeights([Tensor.zeros([7, 12]), weights[1], weights[2]])
        #expect(layer.weightSlots[0].shape == [7, 12])
    }
}
