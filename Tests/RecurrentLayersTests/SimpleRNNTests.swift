import RecurrentLayers
import TestSupport
import Testing

/// Keras's simple_rnn_test.py numbers (KERAS.md E.1).
@Suite("SimpleRNN: Keras's unit-test numbers")
struct SimpleRNNTests {
    static let mask = Mask([[true, true, false, true], [true, false, false, true]])

    @Test("correctness, looped and unrolled, forwards and backwards", arguments: [false, true])
    func correctness(unroll: Bool) throws {
        var forward = RNN(cell: try Constant.simple(4, inputSize: 4), unroll: unroll)
        expectRows(try forward.call(Inputs.p).output, [0.405432, 0.73605347])
        var backward = RNN(cell: try Constant.simple(4, inputSize: 4), goBackwards: true, unroll: unroll)
        expectRows(try backward.call(Inputs.p).output, [0.11144729, 0.5528889])
    }

    @Test("statefulness: the second call continues, reset starts over")
    func statefulness() throws {
        var layer = RNN(cell: try Constant.simple(4, inputSize: 4), stateful: true)
        let first = try layer.call(Inputs.p).output
        expectRows(try layer.call(Inputs.p).output, [0.40559256, 0.7361247])
        try layer.resetStates()
        #expect(try layer.call(Inputs.p).output == first)
        expectRows(try layer.call(Inputs.p).output, [0.40559256, 0.7361247])
    }

    @Test("an initial state, forwards and backwards")
    func initialState() throws {
        let state = Inputs.arange([2, 4])
        var layer = RNN(cell: try Constant.simple(4, inputSize: 3))
        expectRows(try layer.call(Inputs.q, initialState: [state]).output, [0.33621645, 0.6262637])
        layer.goBackwards = true
        expectRows(try layer.call(Inputs.q, initialState: [state]).output, [0.07344437, 0.43043602])
    }

    @Test("masking: last output, sequences, zero output for mask, backwards")
    func masking() throws {
        var last = RNN(cell: try Constant.simple(4, inputSize: 3), unroll: true)
        expectRows(try last.call(Inputs.q, mask: Self.mask).output, [0.32951632, 0.61799484])
        var sequences = RNN(cell: try Constant.simple(2, inputSize: 3), returnSequences: true)
        expectRows(
            try sequences.call(Inputs.q, mask: Self.mask).output.reshaped([8, 2]),
            [0.0599281, 0.15122814, 0.15122814, 0.32394567, 0.3969304, 0.3969304, 0.3969304, 0.608085])
        sequences.zeroOutputForMask = true
        expectRows(
            try sequences.call(Inputs.q, mask: Self.mask).output.reshaped([8, 2]),
            [0.0599281, 0.15122814, 0, 0.32394567, 0.3969304, 0, 0, 0.608085])
        var backward = RNN(cell: try Constant.simple(4, inputSize: 3), goBackwards: true)
        expectRows(try backward.call(Inputs.q, mask: Self.mask).output, [0.07376196, 0.43645123])
    }
}
