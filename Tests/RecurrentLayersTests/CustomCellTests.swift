import RecurrentLayers
import TestSupport
import Testing

/// Keras's rnn_test.py numbers with custom cells (KERAS.md E.4), the seed's MinimalRNNCell, and
/// tf_keras's masked-state test (E.8).
@Suite("RNN with custom cells")
struct CustomCellTests {
    static let ones123 = Tensor(repeating: 1, shape: [1, 2, 3])

    @Test("one state: sequence, last output and state")
    func singleState() throws {
        var layer = RNN(cell: OneStateRNNCell(units: 2), returnSequences: true, returnState: true)
        let result = try layer.call(Self.ones123)
        expectClose(result.output, [3, 3, 9, 9])
        expectClose(result.states[0], [9, 9])
        var last = RNN(cell: OneStateRNNCell(units: 2))
        expectClose(try last.call(Self.ones123).output, [9, 9])
    }

    @Test("two states: sequence, last output and both states")
    func twoStates() throws {
        var layer = RNN(cell: TwoStatesRNNCell(units: 2), returnSequences: true, returnState: true)
        let result = try layer.call(Self.ones123)
        expectClose(result.output, [6, 6, 18, 18])
        #expect(result.tensors.count == 3)
        expectClose(result.states[0], [9, 9])
        expectClose(result.states[1], [9, 9])
    }

    @Test("an initial state, one and two states")
    func initialState() throws {
        let x = Tensor(repeating: 1, shape: [2, 3, 2])
        let state = Tensor(repeating: 1, shape: [2, 2])
        var one = RNN(cell: OneStateRNNCell(units: 2), returnState: true)
        let single = try one.call(x, initialState: [state])
        expectRows(single.output, [22, 22])
        expectRows(single.states[0], [22, 22])
        var two = RNN(cell: TwoStatesRNNCell(units: 2), returnState: true)
        let double = try two.call(x, initialState: [state, state])
        expectRows(double.output, [44, 44])
        expectRows(double.states[0], [22, 22])
        expectRows(double.states[1], [22, 22])
    }

    @Test("statefulness, one and two states")
    func statefulness() throws {
        var one = RNN(cell: OneStateRNNCell(units: 2), stateful: true)
        _ = try one.call(Self.ones123)
        expectClose(try one.call(Self.ones123).output, [45, 45])
        var two = RNN(cell: TwoStatesRNNCell(units: 2), returnState: true, stateful: true)
        _ = try two.call(Self.ones123)
        let second = try two.call(Self.ones123)
        expectClose(second.output, [90, 90])
        expectClose(second.states[0], [45, 45])
        expectClose(second.states[1], [45, 45])
    }

    @Test("backwards, then stateful forwards")
    func goBackwards() throws {
        var backward = RNN(cell: OneStateRNNCell(units: 2), goBackwards: true)
        expectClose(try backward.call(Inputs.p).output, [202, 202, 538, 538])
        var stateful = RNN(cell: OneStateRNNCell(units: 2), returnState: true, stateful: true)
        _ = try stateful.call(Inputs.p)
        let second = try stateful.call(Inputs.p)
        expectClose(second.output, [954, 954, 3978, 3978])
        #expect(second.states[0] == second.output)
    }

    @Test("masking: last output and sequence, looped and unrolled", arguments: [false, true])
    func masking(unroll: Bool) throws {
        let mask = Mask([[true, true, true, false], [true, true, false, false]])
        var last = RNN(cell: OneStateRNNCell(units: 2), unroll: unroll)
        expectClose(try last.call(Inputs.q, mask: mask).output, [57, 57, 126, 126])
        var sequences = RNN(cell: OneStateRNNCell(units: 2), returnSequences: true, unroll: unroll)
        expectRows(
            try sequences.call(Inputs.q, mask: mask).output.reshaped([8, 2]), [3, 18, 57, 57, 39, 126, 126, 126])
    }

    @Test("output shapes for sequences and states")
    func outputShapes() throws {
        let layer = RNN(cell: TwoStatesRNNCell(units: 8), returnSequences: true, returnState: true)
        #expect(layer.outputShapes(inputShape: [3, 4, 5]) == [[3, 4, 8], [3, 8], [3, 8]])
        #expect(layer.outputShapes(inputShape: [nil, nil, 5]) == [[nil, nil, 8], [nil, 8], [nil, 8]])
        var real = layer
        let result = try real.call(Tensor.zeros([3, 4, 5]))
        #expect(result.tensors.map(\.shape) == [[3, 4, 8], [3, 8], [3, 8]])
    }

    @Test("a stateful layer refuses a batch of another size")
    func statefulBatchMismatch() throws {
        var layer = RNN(cell: OneStateRNNCell(units: 2), stateful: true)
        _ = try layer.call(Tensor.zeros([2, 3, 4]))
        let error = #expect(throws: RecurrentError.self) { try layer.call(Tensor.zeros([3, 3, 4])) }
        #expect(error?.code == .batchSize)
        #expect(error?.message.contains("batch size") == true)
    }

    @Test("the seed's MinimalRNNCell runs alone and stacked, with the seed's shapes")
    func minimalRNNCell() throws {
        let x = Tensor(shape: [6, 7, 5], scalars: (0..<210).map { Float($0 % 11) / 11 })
        var single = RNN(cell: try MinimalRNNCell(units: 32, inputSize: 5, seed: 1))
        #expect(try single.call(x).output.shape == [6, 32])
        var stacked = RNN(cells: [
            try MinimalRNNCell(units: 32, inputSize: 5, seed: 2), try MinimalRNNCell(units: 64, inputSize: 32, seed: 3),
        ])
        #expect(try stacked.call(x).output.shape == [6, 64])
        #expect(stacked.weightSlots.map(\.shape) == [[5, 32], [32, 32], [32, 64], [64, 64]])
        // The layer equals its definition, computed by hand for the first step.
        let cell = try MinimalRNNCell(units: 32, inputSize: 5, seed: 1)
        var oneStep = RNN(cell: cell)
        let firstStep = Tensor(shape: [6, 1, 5], scalars: (0..<30).map { Float($0 % 11) / 11 })
        expectClose(try oneStep.call(firstStep).output, firstStep.reshaped([6, 5]).matmul(cell.kernel).scalars)
    }

    @Test("tf_keras: masked steps neither advance the state nor change the output")
    func maskedOutputAndStates() throws {
        var layer = RNN(cell: CountingCell(), returnState: true)
        let x = Tensor(shape: [1, 3, 1], scalars: [1, 2, 0])
        let result = try layer.call(
            x, initialState: [Tensor(shape: [1, 1], scalars: [10])], mask: Mask([[true, true, false]]))
        expectClose(result.states[0], [12])
        expectClose(result.output, [2])
    }
}
