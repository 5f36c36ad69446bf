import RecurrentLayers
import TestSupport
import Testing

/// Keras's gru_test.py numbers (KERAS.md E.3).
@Suite("GRU: Keras's unit-test numbers")
struct GRUTests {
    static let mask = Mask([[true, true, false, true], [true, false, false, true]])

    @Test("correctness: reset after, unrolled, backwards, reset before, no bias")
    func correctness() throws {
        var layer = RNN(cell: try Constant.gru(3, inputSize: 4))
        expectRows(try layer.call(Inputs.a).output, [0.5217289, 0.6371659, 0.39384964])
        layer.unroll = true
        expectRows(try layer.call(Inputs.a).output, [0.5217289, 0.6371659, 0.39384964])
        var backward = RNN(cell: try Constant.gru(3, inputSize: 4), goBackwards: true)
        expectRows(try backward.call(Inputs.a).output, [0.24406259, 0.611516, 0.3928808])
        var before = RNN(cell: try Constant.gru(3, inputSize: 4, resetAfter: false))
        #expect(before.weightSlots.last == WeightSlot(name: "bias", shape: [9]))
        expectRows(try before.call(Inputs.a).output, [0.51447755, 0.6426879, 0.40208298])
        var noBias = RNN(cell: try Constant.gru(3, inputSize: 4, useBias: false))
        expectRows(try noBias.call(Inputs.a).output, [0.49988455, 0.64701194, 0.4103359])
    }

    @Test("a legacy implementation argument (0, 1 or 2) gives the same numbers")
    func legacyImplementation() throws {
        for implementation in [0, 1, 2] {
            let cell = try GRUCell(
                units: 3, inputSize: 4, kernelInitializer: Constant.kernel, recurrentInitializer: Constant.recurrent,
                biasInitializer: Constant.bias, implementation: implementation)
            #expect(cell.implementation == (implementation == 1 ? 1 : 2))
            var layer = RNN(cell: cell)
            expectRows(try layer.call(Inputs.a).output, [0.5217289, 0.6371659, 0.39384964])
        }
        #expect(
            RNN(cell: try Constant.lstm(3, inputSize: 4)).initialState(batchSize: 2) == [
                Tensor.zeros([2, 3]), Tensor.zeros([2, 3]),
            ])
    }

    @Test("statefulness: the second call continues")
    func statefulness() throws {
        var layer = RNN(cell: try Constant.gru(4, inputSize: 4), stateful: true)
        _ = try layer.call(Inputs.p)
        expectRows(try layer.call(Inputs.p).output, [0.29542392, 0.5885018])
    }

    @Test("an initial state, forwards and backwards; the returned state equals the output")
    func initialState() throws {
        let state = Inputs.arange([2, 2])
        var layer = RNN(cell: try Constant.gru(2, inputSize: 3), returnState: true)
        let forward = try layer.call(Inputs.q, initialState: [state])
        expectClose(forward.output, [0.23774096, 0.33508456, 0.83659905, 1.0227708])
        #expect(forward.tensors.count == 2 && forward.states[0] == forward.output)
        layer.goBackwards = true
        expectClose(
            try layer.call(Inputs.q, initialState: [state]).output, [0.13486053, 0.23261218, 0.78257304, 0.9691353])
    }

    @Test("masking: last output, sequences, zero output for mask, backwards")
    func masking() throws {
        var last = RNN(cell: try Constant.gru(2, inputSize: 3), unroll: true)
        expectRows(try last.call(Inputs.q, mask: Self.mask).output, [0.19393763, 0.30818558])
        var sequences = RNN(cell: try Constant.gru(2, inputSize: 3), returnSequences: true)
        expectRows(
            try sequences.call(Inputs.q, mask: Self.mask).output.reshaped([8, 2]),
            [0.03606692, 0.09497581, 0.09497581, 0.19393763, 0.16051409, 0.16051409, 0.16051409, 0.30818558])
        sequences.zeroOutputForMask = true
        expectRows(
            try sequences.call(Inputs.q, mask: Self.mask).output.reshaped([8, 2]),
            [0.03606692, 0.09497581, 0, 0.19393763, 0.16051409, 0, 0, 0.30818558])
        var backward = RNN(cell: try Constant.gru(2, inputSize: 3), goBackwards: true)
        expectRows(try backward.call(Inputs.q, mask: Self.mask).output, [0.11669192, 0.28380975])
    }
}
