import RecurrentLayers
import TestSupport
import Testing

/// Keras's bidirectional_test.py numbers (KERAS.md E.6) and the wrapper's rules (B.7).
@Suite("Bidirectional: Keras's unit-test numbers")
struct BidirectionalTests {
    static func simple() throws -> RNN { RNN(cell: try Constant.simple(2, inputSize: 4), name: "simple_rnn") }

    @Test("merge modes concat, ave and none over SimpleRNN")
    func mergeModes() throws {
        var concat = try Bidirectional(Self.simple())
        expectClose(
            try concat.call(Inputs.p)[0],
            [0.39687276, 0.39687276, 0.10004295, 0.10004295, 0.7237238, 0.7237238, 0.53391594, 0.53391594])
        var ave = try Bidirectional(Self.simple(), mergeMode: .ave)
        expectRows(try ave.call(Inputs.p)[0], [0.24845785, 0.6288199])
        var none = try Bidirectional(Self.simple(), mergeMode: nil)
        let both = try none.call(Inputs.p)
        #expect(both.count == 2)
        expectRows(both[0], [0.39687276, 0.7237238])
        expectRows(both[1], [0.10004295, 0.53391594])
    }

    @Test("mul with a custom backward layer")
    func customBackward() throws {
        let backward = RNN(
            cell: try SimpleRNNCell(
                units: 2, inputSize: 4, kernelInitializer: .constant(0.03), recurrentInitializer: .constant(0.02),
                biasInitializer: .constant(0.01)),
            goBackwards: true)
        var layer = try Bidirectional(Self.simple(), mergeMode: .mul, backwardLayer: backward)
        expectRows(try layer.call(Inputs.p)[0], [0.08374989, 0.6740834])
    }

    @Test("GRU sequences summed: the backward sequence is flipped back to input order")
    func sequencesSum() throws {
        var layer = try Bidirectional(
            RNN(cell: try Constant.gru(2, inputSize: 4), returnSequences: true), mergeMode: .sum)
        expectRows(
            try layer.call(Inputs.p)[0].reshaped([6, 2]),
            [0.20937867, 0.34462988, 0.40290534, 0.59829646, 0.6734641, 0.6479671])
    }

    @Test("stateful LSTM: the second call, and again after a reset")
    func statefulness() throws {
        var layer = try Bidirectional(RNN(cell: try Constant.lstm(2, inputSize: 3), stateful: true))
        let expected: [Float] = [
            0.26234663, 0.26234663, 0.16959146, 0.16959146, 0.6137073, 0.6137073, 0.5381646, 0.5381646,
        ]
        _ = try layer.call(Inputs.q)
        expectClose(try layer.call(Inputs.q)[0], expected)
        try layer.resetStates()
        _ = try layer.call(Inputs.q)
        expectClose(try layer.call(Inputs.q)[0], expected)
        var plain = try Bidirectional(RNN(cell: try Constant.lstm(2, inputSize: 3)))
        let error = #expect(throws: RecurrentError.self) { try plain.resetStates() }
        #expect(error?.message == "Layer must be stateful.")
    }

    @Test("initial states split in half: forward [h, c], backward [h, c]")
    func initialState() throws {
        let a = Inputs.arange([2, 2])
        let states = (1...4).map { k in Tensor(shape: [2, 2], scalars: a.scalars.map { $0 * Float(k) }) }
        var layer = try Bidirectional(RNN(cell: try Constant.lstm(2, inputSize: 3)))
        expectClose(
            try layer.call(Inputs.q, initialState: states)[0],
            [0.20794602, 0.4577124, 0.14046375, 0.48191673, 0.6682636, 0.6711909, 0.60943645, 0.60950446])
    }

    @Test("masking GRU")
    func masking() throws {
        var layer = try Bidirectional(RNN(cell: try Constant.gru(2, inputSize: 3)))
        let mask = Mask([[true, true, false, true], [true, false, false, true]])
        expectClose(
            try layer.call(Inputs.q, mask: mask)[0],
            [0.19393763, 0.19393763, 0.11669192, 0.11669192, 0.30818558, 0.30818558, 0.28380975, 0.28380975])
    }

    @Test("return_state: (output, h_f, c_f, h_b, c_b)")
    func returnState() throws {
        var layer = try Bidirectional(RNN(cell: try Constant.lstm(2, inputSize: 3), returnState: true))
        let result = try layer.call(Inputs.q)
        #expect(result.count == 5)
        expectClose(
            result[0], [0.1990008, 0.1990008, 0.12659755, 0.12659755, 0.52335435, 0.52335435, 0.44717982, 0.44717982])
        expectRows(result[2], [0.35567185, 1.0492687])
        expectRows(result[4], [0.2501858, 0.941473])
        expectRows(result[1], [0.1990008, 0.52335435])
        expectRows(result[3], [0.12659755, 0.44717982])
    }

    @Test(
        "output shapes match the real outputs for every merge mode",
        arguments: [Bidirectional.MergeMode?.none] + Bidirectional.MergeMode.allCases.map { Optional($0) })
    func outputShapes(_ mode: Bidirectional.MergeMode?) throws {
        for (sequences, state) in [(false, false), (true, false), (false, true), (true, true)] {
            var layer = try Bidirectional(
                RNN(cell: try Constant.lstm(2, inputSize: 3), returnSequences: sequences, returnState: state),
                mergeMode: mode)
            let real = try layer.call(Inputs.q).map(\.shape).map { $0.map { Optional($0) } }
            #expect(
                layer.outputShapes(inputShape: [2, 4, 3]) == real, "\(String(describing: mode)) \(sequences) \(state)")
            #expect(layer.outputMasks(inputMask: nil).count == real.count)
        }
    }

    @Test("construction rules: names, forced zero output for mask, go_backwards and flag agreement")
    func construction() throws {
        let layer = try Bidirectional(
            RNN(cell: try Constant.simple(2, inputSize: 4), returnSequences: true, name: "lstm"))
        #expect(layer.forward.name == "forward_lstm" && layer.backward.name == "backward_lstm")
        #expect(layer.forward.zeroOutputForMask && layer.backward.zeroOutputForMask && layer.backward.goBackwards)
        #expect(layer.weightSlots.count == 6 && layer.weightSlots[3].name == "backward_lstm/kernel")
        #expect(throws: RecurrentError.self) {
            try Bidirectional(RNN(cell: try Constant.simple(2, inputSize: 4), goBackwards: true))
        }
        // Keras 1/2 and tf.keras toggle the flag for the backward copy: a layer going backwards is accepted.
        let toggled = try Bidirectional(
            RNN(cell: try Constant.simple(2, inputSize: 4), goBackwards: true), togglingGoBackwards: true)
        #expect(toggled.forward.goBackwards && !toggled.backward.goBackwards)
        #expect(throws: RecurrentError.self) {
            try Bidirectional(
                try Self.simple(),
                backwardLayer: RNN(cell: try Constant.simple(2, inputSize: 4), returnSequences: true, goBackwards: true)
            )
        }
        let masked = Mask([[true, true, false], [true, false, true]])
        var sequences = try Bidirectional(RNN(cell: try Constant.gru(2, inputSize: 4), returnSequences: true))
        let output = try sequences.call(Inputs.p, mask: masked)[0]
        for (b, t) in [(0, 2), (1, 1)] {
            #expect((0..<4).allSatisfy { output[b, t, $0] == 0 })
        }
    }
}
