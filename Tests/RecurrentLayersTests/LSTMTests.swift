import RecurrentLayers
import TestSupport
import Testing

/// Keras's lstm_test.py numbers (KERAS.md E.2).
@Suite("LSTM: Keras's unit-test numbers")
struct LSTMTests {
    @Test("correctness: default, unrolled, backwards, no forget bias, no bias")
    func correctness() throws {
        var layer = RNN(cell: try Constant.lstm(3, inputSize: 4))
        expectRows(try layer.call(Inputs.a).output, [0.6288687, 0.86899155, 0.9460773])
        layer.unroll = true
        expectRows(try layer.call(Inputs.a).output, [0.6288687, 0.86899155, 0.9460773])
        var backward = RNN(cell: try Constant.lstm(3, inputSize: 4), goBackwards: true)
        expectRows(try backward.call(Inputs.a).output, [0.35622165, 0.74789524, 0.8872726])
        var noForget = RNN(cell: try Constant.lstm(3, inputSize: 4, unitForgetBias: false))
        expectRows(try noForget.call(Inputs.a).output, [0.57019705, 0.8661914, 0.9459622])
        var noBias = RNN(cell: try Constant.lstm(3, inputSize: 4, useBias: false))
        #expect(noBias.weightSlots.map(\.name) == ["kernel", "recurrent_kernel"])
        expectRows(try noBias.call(Inputs.a).output, [0.54986924, 0.86226785, 0.9443936])
    }

    @Test("statefulness: the second call continues")
    func statefulness() throws {
        var layer = RNN(cell: try Constant.lstm(4, inputSize: 4), stateful: true)
        _ = try layer.call(Inputs.p)
        expectRows(try layer.call(Inputs.p).output, [0.3124785, 0.6863672])
    }

    @Test("an initial state [h, c], forwards and backwards")
    func initialState() throws {
        let state = Inputs.arange([2, 2])
        var layer = RNN(cell: try Constant.lstm(2, inputSize: 3))
        expectClose(
            try layer.call(Inputs.q, initialState: [state, state]).output, [0.20574439, 0.3558822, 0.64930826, 0.66276])
        layer.goBackwards = true
        expectClose(
            try layer.call(Inputs.q, initialState: [state, state]).output,
            [0.13281618, 0.2790356, 0.5839337, 0.5992567])
    }

    @Test("masking: last output, sequences, zero output for mask, backwards")
    func masking() throws {
        let mask = Mask([[true, true, true, false], [true, true, false, false]])
        var last = RNN(cell: try Constant.lstm(2, inputSize: 3), unroll: true)
        expectRows(try last.call(Inputs.q, mask: mask).output, [0.11755939, 0.28556206])
        var sequences = RNN(cell: try Constant.lstm(2, inputSize: 3), returnSequences: true)
        expectRows(
            try sequences.call(Inputs.q, mask: mask).output.reshaped([8, 2]),
            [0.0158891, 0.05552048, 0.11755939, 0.11755939, 0.14185596, 0.28556206, 0.28556206, 0.28556206])
        sequences.zeroOutputForMask = true
        expectRows(
            try sequences.call(Inputs.q, mask: mask).output.reshaped([8, 2]),
            [0.0158891, 0.05552048, 0.11755939, 0, 0.14185596, 0.28556206, 0, 0])
        var backward = RNN(cell: try Constant.lstm(2, inputSize: 3), goBackwards: true)
        let leading = Mask([[false, true, true, true], [false, false, true, true]])
        expectRows(try backward.call(Inputs.q, mask: leading).output, [0.15341201, 0.3844719])
    }
}
