import RecurrentLayers
import TestSupport
import Testing

/// The README's layer example, with concrete tensors.
@Suite("README example")
struct ReadmeExampleTests {
    @Test("the README's LSTM, Bidirectional and streaming example works as written")
    func example() throws {
        let kernel = Tensor(repeating: 0.1, shape: [1, 64])
        let recurrentKernel = Tensor(repeating: 0.05, shape: [16, 64])
        let bias = Tensor.zeros([64])
        let x = Inputs.arange([2, 5, 1])
        let mask = Mask([[true, true, true, false, false], [true, true, true, true, true]])
        let x4 = Inputs.arange([2, 5, 4])

        var cell = try LSTMCell(units: 16, inputSize: 1)
        try cell.setWeights([kernel, recurrentKernel, bias])
        var lstm = RNN(cell: cell, returnSequences: true, returnState: true)
        let result = try lstm.call(x, mask: mask)
        #expect(result.output.shape == [2, 5, 16] && result.states.map(\.shape) == [[2, 16], [2, 16]])

        var both = try Bidirectional(RNN(cell: try GRUCell(units: 8, inputSize: 4)), mergeMode: .concat)
        let merged = try both.call(x4)[0]
        #expect(merged.shape == [2, 16])

        let stream = try RecurrentStream(lstm)
        var output = [Float](repeating: 0, count: stream.outputWidth)
        for frame in [[0.5], [0.25], [-1]] as [[Float]] {
            try stream.step(frame, into: &output)
        }
        let whole = try lstm.call(Tensor(shape: [1, 3, 1], scalars: [0.5, 0.25, -1]))
        expectClose(output, whole.states[0].scalars, atol: 1e-6, rtol: 0)
    }
}
