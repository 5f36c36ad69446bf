import RecurrentLayers
import TestSupport
import Testing

/// Keras's stacked_rnn_cells_test.py numbers (KERAS.md E.5).
@Suite("Stacked cells: Keras's unit-test numbers")
struct StackedCellsTests {
    @Test("one-state cells: last output, sequences and states")
    func oneState() throws {
        var layer = RNN(cells: [OneStateRNNCell(units: 3), OneStateRNNCell(units: 2)], returnState: true)
        let result = try layer.call(Inputs.p)
        expectRows(result.output, [786, 4386])
        expectRows(result.states[0], [158, 782])
        expectRows(result.states[1], [786, 4386])
        var sequences = RNN(cells: [OneStateRNNCell(units: 3), OneStateRNNCell(units: 2)], returnSequences: true)
        expectRows(try sequences.call(Inputs.p).output.reshaped([6, 2]), [18, 156, 786, 162, 1020, 4386])
    }

    @Test("two-state cells: last output, sequences and all four states")
    func twoStates() throws {
        var layer = RNN(cells: [TwoStatesRNNCell(units: 3), TwoStatesRNNCell(units: 2)], returnState: true)
        let result = try layer.call(Inputs.p)
        expectRows(result.output, [3144, 17544])
        #expect(result.states.count == 4)
        expectRows(result.states[0], [158, 782])
        expectRows(result.states[1], [158, 782])
        expectRows(result.states[2], [1572, 8772])
        expectRows(result.states[3], [1572, 8772])
        var sequences = RNN(cells: [TwoStatesRNNCell(units: 3), TwoStatesRNNCell(units: 2)], returnSequences: true)
        expectRows(try sequences.call(Inputs.p).output.reshaped([6, 2]), [72, 624, 3144, 648, 4080, 17544])
    }

    @Test("stateful stacks: the second call continues")
    func statefulness() throws {
        var one = RNN(cells: [OneStateRNNCell(units: 3), OneStateRNNCell(units: 2)], stateful: true)
        _ = try one.call(Inputs.p)
        expectRows(try one.call(Inputs.p).output, [34092, 173196])
        var two = RNN(cells: [TwoStatesRNNCell(units: 3), TwoStatesRNNCell(units: 2)], stateful: true)
        _ = try two.call(Inputs.p)
        expectRows(try two.call(Inputs.p).output, [136368, 692784])
    }

    @Test("stacked LSTM cells return their output and both cells' [h, c]")
    func stackedLSTMReturnState() throws {
        var layer = RNN(
            cells: [try LSTMCell(units: 10, inputSize: 5), try LSTMCell(units: 10, inputSize: 10)], returnState: true)
        let result = try layer.call(Tensor.zeros([2, 3, 5]))
        #expect(result.tensors.map(\.shape) == [[2, 10], [2, 10], [2, 10], [2, 10], [2, 10]])
        #expect(
            layer.weightSlots.map(\.name) == [
                "kernel", "recurrent_kernel", "bias", "kernel", "recurrent_kernel", "bias",
            ])
    }

    @Test("stacked LSTM cells under a mask")
    func stackedLSTMMask() throws {
        func cell(_ inputSize: Int) throws -> LSTMCell {
            try LSTMCell(units: 1, inputSize: inputSize, kernelInitializer: .ones, recurrentInitializer: .ones)
        }
        var layer = RNN(cells: [try cell(4), try cell(1)])
        let result = try layer.call(
            Tensor(repeating: 1, shape: [2, 3, 4]), mask: Mask([[true, true, true], [true, true, false]]))
        expectClose(result.output, [0.7793, 0.5998], atol: 1e-4)
    }
}
