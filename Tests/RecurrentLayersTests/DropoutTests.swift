import RecurrentLayers
import TestSupport
import Testing

/// Dropout and recurrent dropout in training (KERAS.md A.15): rate, 1/(1-rate) scaling, one mask per
/// sequence reused at every step, reproducible by seed, and placed where Keras 3 places it.
@Suite("Dropout in recurrent cells")
struct DropoutTests {
    static let width = 40

    /// SimpleRNN with `h = x · I` (identity kernel, zero recurrent kernel, linear): the output is the input mask.
    static func inputProbe(dropout: Float, seed: UInt64) throws -> RNN {
        var cell = try SimpleRNNCell(units: width, inputSize: width, activation: .linear, dropout: dropout, seed: seed)
        var generator = SeededGenerator(seed: 0)
        try cell.setWeights([
            try Initializer.identity().make([width, width], generator: &generator), .zeros([width, width]),
            .zeros([width]),
        ])
        return RNN(cell: cell, returnSequences: true)
    }

    @Test("input dropout: the rate, the scale, and one mask for every step of a sequence")
    func inputMask() throws {
        var layer = try Self.inputProbe(dropout: 0.4, seed: 7)
        let x = Tensor(repeating: 1, shape: [25, 6, Self.width])
        let output = try layer.call(x, training: true).output
        let first = (0..<25).flatMap { b in (0..<Self.width).map { output[b, 0, $0] } }
        for t in 1..<6 {
            #expect((0..<25).flatMap { b in (0..<Self.width).map { output[b, t, $0] } } == first, "step \(t)")
        }
        #expect(first.allSatisfy { $0 == 0 || isClose($0, 1 / 0.6) })
        let dropped = Float(first.filter { $0 == 0 }.count) / Float(first.count)
        #expect(abs(dropped - 0.4) < 0.05, "dropped \(dropped)")
        #expect(try layer.call(x).output == x, "inference never drops")
    }

    @Test("recurrent dropout: one recurrent mask reused at every step")
    func recurrentMask() throws {
        var cell = try SimpleRNNCell(
            units: Self.width, inputSize: 1, activation: .linear, recurrentDropout: 0.5, seed: 3)
        var generator = SeededGenerator(seed: 0)
        try cell.setWeights([
            .zeros([1, Self.width]), try Initializer.identity().make([Self.width, Self.width], generator: &generator),
            .zeros([Self.width]),
        ])
        var layer = RNN(cell: cell, returnSequences: true)
        let output = try layer.call(
            Tensor.zeros([4, 2, 1]), initialState: [Tensor(repeating: 1, shape: [4, Self.width])], training: true
        ).output
        for b in 0..<4 {
            for u in 0..<Self.width {
                let (h1, h2) = (output[b, 0, u], output[b, 1, u])
                #expect(h1 == 0 || isClose(h1, 2))
                #expect(isClose(h2, h1 * h1), "h2 = h1 ⊙ m = m²: the second step reuses the first step's mask")
            }
        }
    }

    @Test("masks are reproducible from the seed and new on every training call")
    func reproducible() throws {
        let x = Tensor(repeating: 1, shape: [8, 3, Self.width])
        var a = try Self.inputProbe(dropout: 0.5, seed: 11)
        var b = try Self.inputProbe(dropout: 0.5, seed: 11)
        var c = try Self.inputProbe(dropout: 0.5, seed: 12)
        let first = try a.call(x, training: true).output
        #expect(try b.call(x, training: true).output == first)
        #expect(try c.call(x, training: true).output != first)
        #expect(try a.call(x, training: true).output != first)
        #expect(a.trainingCalls == 2)
    }

    @Test("LSTM and GRU make Keras's masks: one shared input mask, or one per gate when recurrent dropout is on")
    func maskCounts() throws {
        let lstm2 = try LSTMCell(units: 3, inputSize: 5, dropout: 0.2)
        let masks2 = try #require(lstm2.makeDropoutMasks(batchSize: 2, inputSize: 5, call: 0)[0])
        #expect(lstm2.implementation == 2 && masks2.input.map(\.shape) == [[2, 5]] && masks2.recurrent.isEmpty)
        let lstm1 = try LSTMCell(units: 3, inputSize: 5, dropout: 0.2, recurrentDropout: 0.3)
        let masks1 = try #require(lstm1.makeDropoutMasks(batchSize: 2, inputSize: 5, call: 0)[0])
        #expect(
            lstm1.implementation == 1 && masks1.input.count == 4
                && masks1.recurrent.map(\.shape) == Array(repeating: [2, 3], count: 4))
        let gru = try GRUCell(units: 3, inputSize: 5, recurrentDropout: 0.3)
        let gruMasks = try #require(gru.makeDropoutMasks(batchSize: 2, inputSize: 5, call: 0)[0])
        #expect(gruMasks.input.isEmpty && gruMasks.recurrent.count == 3)
        // LSTM and GRU drop only for rates strictly between 0 and 1; SimpleRNN for any positive rate.
        #expect(
            try LSTMCell(units: 3, inputSize: 5, dropout: 1).makeDropoutMasks(batchSize: 2, inputSize: 5, call: 0)[0]
                == nil)
        #expect(
            try SimpleRNNCell(units: 3, inputSize: 5, dropout: 1).makeDropoutMasks(batchSize: 2, inputSize: 5, call: 0)[
                0] != nil)
        let stacked = StackedRNNCells([
            try SimpleRNNCell(units: 4, inputSize: 5, dropout: 0.5), try GRUCell(units: 2, inputSize: 4), lstm2,
        ])
        let perCell = stacked.makeDropoutMasks(batchSize: 2, inputSize: 5, call: 0)
        #expect(
            perCell.count == 3 && perCell[0]?.input[0].shape == [2, 5] && perCell[1] == nil
                && perCell[2]?.input[0].shape == [2, 2])
    }

    @Test("implementation 2: training equals inference on the inputs times the cell's own mask")
    func fusedPlacement() throws {
        let cell = try LSTMCell(units: 3, inputSize: 4, dropout: 0.5, seed: 5)
        var training = RNN(cell: cell, returnSequences: true)
        let x = Inputs.p
        let output = try training.call(x, training: true).output
        let mask = try #require(cell.makeDropoutMasks(batchSize: 2, inputSize: 4, call: 0)[0]).input[0]
        var masked = x
        for b in 0..<2 {
            for t in 0..<3 {
                for f in 0..<4 { masked[b, t, f] *= mask[b, f] }
            }
        }
        var inference = RNN(cell: cell, returnSequences: true)
        expectClose(output, try inference.call(masked).output.scalars)
    }

    /// A copy of `weights` `[rows, gates * units]` with gate block g scaled by `factors[g]`.
    static func scaleBlocks(_ weights: Tensor, _ factors: [Float]) -> Tensor {
        let units = weights.shape[1] / factors.count
        var result = weights
        for i in 0..<result.count { result.scalars[i] *= factors[(i % weights.shape[1]) / units] }
        return result
    }

    @Test("implementation 1: each gate's mask scales that gate's input and recurrent products", arguments: [0, 1, 2])
    func perGatePlacement(_ kind: Int) throws {
        let x = Tensor(shape: [2, 3], scalars: [0.5, -1, 2, 1, 0.25, -0.5])
        let h = Tensor(shape: [2, 2], scalars: [0.3, -0.2, 0.1, 0.4])
        let c = Tensor(shape: [2, 2], scalars: [0.2, 0.1, -0.3, 0.5])
        let cell: any RecurrentCell =
            switch kind {
            case 0: try LSTMCell(units: 2, inputSize: 3, recurrentDropout: 0.5, seed: 1)
            case 1: try GRUCell(units: 2, inputSize: 3, recurrentDropout: 0.5, seed: 1)
            default: try GRUCell(units: 2, inputSize: 3, resetAfter: false, recurrentDropout: 0.5, seed: 1)
            }
        let gates = cell.weights[0].shape[1] / 2
        let inputFactors: [Float] = [1, 2, 0, 3].prefix(gates).map { $0 }
        let recurrentFactors: [Float] = [0.5, 0, 2, 1].prefix(gates).map { $0 }
        let masks = DropoutMasks(
            input: inputFactors.map { Tensor(repeating: $0, shape: [2, 3]) },
            recurrent: recurrentFactors.map { Tensor(repeating: $0, shape: [2, 2]) })
        let states = kind == 0 ? [h, c] : [h]
        let masked = try cell.step(x, states: states, context: CellContext(training: true, dropout: [masks]))
        var scaled = cell
        try scaled.setWeights(
            [Self.scaleBlocks(cell.weights[0], inputFactors), Self.scaleBlocks(cell.weights[1], recurrentFactors)]
                + cell.weights.dropFirst(2))
        let reference = try scaled.step(x, states: states, context: CellContext())
        expectClose(masked.output, reference.output.scalars)
        for (a, b) in zip(masked.states, reference.states) { expectClose(a, b.scalars) }
    }
}
