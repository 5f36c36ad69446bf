import RecurrentLayers
import TestSupport
import Testing

/// ConvLSTM's whole-sequence path at inference (nothing allocated per step) against its per-step path,
/// the cell's `step` run by `RNN` one timestep at a time: every option that changes the loop.
@Suite("ConvLSTM sequences")
struct ConvLSTMSequenceTests {
    /// The cell behind a wrapper `RNN` does not recognise, so that it takes the per-step path.
    struct Stepwise: RecurrentCell {
        var inner: ConvLSTMCell
        var stateShapes: [[Int]] { inner.stateShapes }
        var outputSize: Int { inner.outputSize }
        var outputShape: [Int] { inner.outputShape }
        func initialState(batchSize: Int) -> [Tensor] { inner.initialState(batchSize: batchSize) }
        func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
            try inner.step(input, states: states, context: context)
        }
        func projectInputs(_ inputs: Tensor) throws -> Tensor? { try inner.projectInputs(inputs) }
        func step(projected: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
            try inner.step(projected: projected, states: states, context: context)
        }
    }

    static func random(_ shape: [Int], seed: UInt64) throws -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return try Initializer.randomNormal(mean: 0, stddev: 1).make(shape, generator: &generator)
    }

    static func close(_ a: Tensor, _ b: Tensor, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        expectClose(a, b, what, sourceLocation: sourceLocation)
    }

    static let cells: [(String, @Sendable () throws -> ConvLSTMCell)] = [
        (
            "1D same",
            {
                try ConvLSTMCell(
                    filters: 3, kernelSize: [3], inputSpatial: [7], channels: 2, padding: .same,
                    biasInitializer: .randomNormal(), seed: 1)
            }
        ),
        (
            "2D valid, strides 2",
            {
                try ConvLSTMCell(
                    filters: 4, kernelSize: [3, 2], inputSpatial: [7, 6], channels: 3, strides: [2, 2], seed: 2)
            }
        ),
        (
            "2D channels first, dilation 2, hard_sigmoid and relu",
            {
                try ConvLSTMCell(
                    filters: 2, kernelSize: [2, 2], inputSpatial: [6, 5], channels: 2, dilation: [2, 2],
                    padding: .same, channelsFirst: true, activation: .relu, recurrentActivation: .hardSigmoid,
                    seed: 3)
            }
        ),
        (
            "3D no bias",
            {
                try ConvLSTMCell(
                    filters: 2, kernelSize: [2, 2, 2], inputSpatial: [3, 4, 3], channels: 1, padding: .same,
                    useBias: false, seed: 4)
            }
        ),
    ]

    @Test("the sequence path matches the per-step path", arguments: cells.indices)
    func matchesSteps(_ index: Int) throws {
        let (name, make) = Self.cells[index]
        let cell = try make()
        let (batch, timesteps) = (3, 5)
        let stepShape = cell.channelsFirst ? [cell.channels] + cell.inputSpatial : cell.inputSpatial + [cell.channels]
        let x = try Self.random([batch, timesteps] + stepShape, seed: 10 + UInt64(index))
        let mask = Mask([
            [true, true, false, true, false], [false, true, true, true, true], [true, true, true, true, true],
        ])
        let initial = try cell.stateShapes.enumerated().map { try Self.random([batch] + $1, seed: 20 + UInt64($0)) }
        for sequences in [false, true] {
            for backwards in [false, true] {
                for masked in [false, true] {
                    for zeroOutput in [false, true] where masked || !zeroOutput {
                        var fast = RNN(
                            cell: cell, returnSequences: sequences, goBackwards: backwards,
                            zeroOutputForMask: zeroOutput)
                        var reference = fast
                        reference.cell = Stepwise(inner: cell)
                        let what =
                            "\(name) sequences \(sequences) backwards \(backwards) mask \(masked) zero \(zeroOutput)"
                        for start in [nil, initial] {
                            let a = try fast.call(x, initialState: start, mask: masked ? mask : nil)
                            let b = try reference.call(x, initialState: start, mask: masked ? mask : nil)
                            Self.close(a.output, b.output, what)
                            #expect(a.states.count == 2 && b.states.count == 2, "\(what)")
                            for (s, t) in zip(a.states, b.states) { Self.close(s, t, what + " state") }
                        }
                    }
                }
            }
        }
        var stateful = RNN(cell: cell, returnSequences: true, stateful: true)
        var statefulReference = stateful
        statefulReference.cell = Stepwise(inner: cell)
        for call in 0..<2 {
            Self.close(try stateful.call(x).output, try statefulReference.call(x).output, "\(name) stateful \(call)")
        }
    }

    @Test("samples split into groups: the same bits with 1 and 2 threads")
    func threadCountIndependent() throws {
        let saved = Parallelism.threads
        defer { Parallelism.threads = saved }
        // 4 samples of 5 steps over 16 x 16 positions, 8 filters: two groups of about 6M multiply-adds.
        let cell = try ConvLSTMCell(
            filters: 8, kernelSize: [3, 3], inputSpatial: [16, 16], channels: 2, padding: .same, seed: 5)
        let x = try Self.random([4, 5, 16, 16, 2], seed: 30)
        var layer = RNN(cell: cell, returnSequences: true)
        Parallelism.threads = 1
        let one = try layer.call(x).output
        Parallelism.threads = 2
        let two = try layer.call(x).output
        #expect(one.scalars.map(\.bitPattern) == two.scalars.map(\.bitPattern))
        var reference = layer
        reference.cell = Stepwise(inner: cell)
        Self.close(two, try reference.call(x).output, "grouped")
    }
}
