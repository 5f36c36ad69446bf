import Foundation
import RecurrentLayers
import TestSupport
import Testing

/// The fused recurrence (`Recurrence`, one product for all gates, nothing allocated per step) against
/// the cells' own step, which `RNN` runs for any cell it cannot fuse; and the thread policy, whose
/// results must not depend on the thread count.
@Suite("Fused recurrence")
struct FusedRecurrenceTests {
    /// Runs a built-in cell through `RNN`'s per-step path: a cell `RNN` cannot fuse.
    struct Unfused: RecurrentCell {
        var inner: any RecurrentCell
        var stateShapes: [[Int]] { inner.stateShapes }
        func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
            try inner.step(input, states: states, context: context)
        }
        func projectInputs(_ inputs: Tensor) throws -> Tensor? { try inner.projectInputs(inputs) }
        func step(projected: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
            try inner.step(projected: projected, states: states, context: context)
        }
    }

    static func cells(inputSize: Int, units: Int) throws -> [(String, any RecurrentCell)] {
        [
            ("SimpleRNN", try SimpleRNNCell(units: units, inputSize: inputSize, seed: 1)),
            ("SimpleRNN no bias", try SimpleRNNCell(units: units, inputSize: inputSize, useBias: false, seed: 2)),
            ("LSTM", try LSTMCell(units: units, inputSize: inputSize, biasInitializer: .randomNormal(), seed: 3)),
            (
                "LSTM hard_sigmoid",
                try LSTMCell(
                    units: units, inputSize: inputSize, recurrentActivation: .hardSigmoid, seed: 4)
            ),
            (
                "GRU reset after",
                try GRUCell(units: units, inputSize: inputSize, biasInitializer: .randomNormal(), seed: 5)
            ),
            (
                "GRU reset before",
                try GRUCell(
                    units: units, inputSize: inputSize, resetAfter: false, biasInitializer: .randomNormal(), seed: 6)
            ),
            ("GRU no bias", try GRUCell(units: units, inputSize: inputSize, useBias: false, seed: 7)),
        ]
    }

    static func random(_ shape: [Int], seed: UInt64) throws -> Tensor {
        var generator = SeededGenerator(seed: seed)
        return try Initializer.randomNormal(mean: 0, stddev: 1).make(shape, generator: &generator)
    }

    static func close(_ a: Tensor, _ b: Tensor, _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        expectClose(a, b, what, sourceLocation: sourceLocation)
    }

    /// `layer`'s fused call against the same layer on the per-step path (its cell wrapped in `Unfused`), from
    /// zero states and from `initial`: outputs and final states.
    static func expectStepNumbers(
        _ layer: RNN, _ x: Tensor, initial: [Tensor], mask: Mask?, _ what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        var (fused, reference) = (layer, layer)
        reference.cell = Unfused(inner: layer.cell)
        for start in [nil, initial] {
            let a = try fused.call(x, initialState: start, mask: mask)
            let b = try reference.call(x, initialState: start, mask: mask)
            close(a.output, b.output, what, sourceLocation: sourceLocation)
            for (s, t) in zip(a.states, b.states) { close(s, t, what + " state", sourceLocation: sourceLocation) }
        }
    }

    @Test("every built-in cell and RNN option gives the per-step path's numbers")
    func matchesStep() throws {
        let (batch, timesteps, features, units) = (3, 7, 4, 5)
        let x = try Self.random([batch, timesteps, features], seed: 11)
        let mask = Mask([
            [true, true, true, true, true, false, false], [false, true, true, false, true, true, true],
            [true, true, true, true, true, true, true],
        ])
        for (name, cell) in try Self.cells(inputSize: features, units: units) {
            let initial = try cell.stateShapes.enumerated().map { try Self.random([batch] + $1, seed: 20 + UInt64($0)) }
            for options in 0..<16 {
                let (sequences, backwards, masked, zeroOutput) =
                    (options & 1 != 0, options & 2 != 0, options & 4 != 0, options & 8 != 0)
                let fused = RNN(
                    cell: cell, returnSequences: sequences, returnState: true, goBackwards: backwards,
                    zeroOutputForMask: zeroOutput)
                try Self.expectStepNumbers(
                    fused, x, initial: initial, mask: masked ? mask : nil,
                    "\(name) sequences \(sequences) backwards \(backwards) mask \(masked) zero \(zeroOutput)")
            }
            // Time-major inputs and a stateful layer called twice.
            var timeMajor = RNN(cell: cell, returnSequences: true, timeMajor: true)
            var timeMajorReference = timeMajor
            timeMajorReference.cell = Unfused(inner: cell)
            let xt = x.swappingFirstTwoAxes()
            Self.close(try timeMajor.call(xt).output, try timeMajorReference.call(xt).output, "\(name) time-major")
            var stateful = RNN(cell: cell, stateful: true)
            var statefulReference = stateful
            statefulReference.cell = Unfused(inner: cell)
            for call in 0..<2 {
                Self.close(
                    try stateful.call(x).output, try statefulReference.call(x).output, "\(name) stateful call \(call)")
            }
        }
    }

    @Test("a call whose input blocks a helper projects ahead gives the per-step path's numbers, with every option")
    func pipelinedMatchesStep() throws {
        let saved = Parallelism.threads
        defer { Parallelism.threads = saved }
        Parallelism.threads = 2
        // One group of 4 samples over 50 steps: blocks of 16 timesteps, the last one short.
        let (batch, timesteps, features, units) = (4, 50, 32, 64)
        let x = try Self.random([batch, timesteps, features], seed: 12)
        let mask = Mask(
            (0..<batch).map { b in (0..<timesteps).map { t in (t * 7 + b * 3) % 5 != 0 && !(b == 1 && t > 40) } })
        let cell = try LSTMCell(units: units, inputSize: features, biasInitializer: .randomNormal(), seed: 8)
        let initial = try cell.stateShapes.enumerated().map { try Self.random([batch] + $1, seed: 30 + UInt64($0)) }
        for options in 0..<8 {
            let (sequences, backwards, masked) = (options & 1 != 0, options & 2 != 0, options & 4 != 0)
            let fused = RNN(cell: cell, returnSequences: sequences, returnState: true, goBackwards: backwards)
            #expect(fused.projectsAhead(batch: batch, timesteps: timesteps))
            try Self.expectStepNumbers(
                fused, x, initial: initial, mask: masked ? mask : nil,
                "pipelined LSTM sequences \(sequences) backwards \(backwards) mask \(masked)")
        }
    }

    @Test("inputs of the wrong width are refused with the widths named")
    func wrongWidth() throws {
        var layer = RNN(cell: try LSTMCell(units: 3, inputSize: 4, seed: 1))
        let error = #expect(throws: RecurrentError.self) { try layer.call(Tensor.zeros([2, 5, 3])) }
        let message = String(describing: error)
        #expect(message.contains("expected inputs with 4 features"), "\(message)")
    }

    @Test("the packed recurrent kernel kept between calls follows new weights, and a copy keeps its own")
    func packedKernelFollowsWeights() throws {
        let x = try Self.random([2, 6, 4], seed: 41)
        for ((name, cell), (_, other)) in zip(
            try Self.cells(inputSize: 4, units: 5), try Self.cells(inputSize: 4, units: 5))
        {
            var layer = RNN(cell: cell, returnSequences: true)
            let before = try layer.call(x).output  // packs the kernel
            let copy = layer
            // Other weights of the same shapes: the recurrent kernel scaled, so that a stale pack shows.
            let changed = other.weights.enumerated().map { index, weight in
                index == 1 ? Tensor(shape: weight.shape, scalars: weight.scalars.map { $0 * 1.5 + 0.1 }) : weight
            }
            try layer.setWeights(changed)
            var fresh = RNN(cell: other, returnSequences: true)
            try fresh.setWeights(changed)
            Self.close(try layer.call(x).output, try fresh.call(x).output, "\(name): after setWeights")
            var original = copy
            let again = try original.call(x).output
            #expect(again.scalars == before.scalars, "\(name): the copy made before setWeights changed")
        }
    }

    @Test("results do not depend on the thread count, with the packed kernel and with SGEMM")
    func threadCountIndependent() throws {
        let saved = Parallelism.threads
        defer { Parallelism.threads = saved }
        // 4 samples: one group, whose LSTM projects its input blocks on a second thread with two threads;
        // 40: two groups of 20; 200: eight groups of 25 (the packed kernel); 300: two groups of 150 and 1100:
        // eight groups of 137 or 138 (SGEMM).
        for batch in [4, 40, 200, 300, 1100] {
            let x = try Self.random([batch, batch > 200 ? 4 : 50, 32], seed: 31)
            for (name, cell) in try Self.cells(inputSize: 32, units: 64) {
                var layer = RNN(cell: cell, returnSequences: true)
                Parallelism.threads = 2
                if batch == 4 && name.hasPrefix("LSTM") {
                    #expect(layer.projectsAhead(batch: 4, timesteps: 50), "\(name): batch 4 is pipelined")
                }
                Parallelism.threads = 1
                let one = try layer.call(x).output
                Parallelism.threads = 2
                let two = try layer.call(x).output
                let differing = zip(one.scalars, two.scalars).filter { $0.bitPattern != $1.bitPattern }.count
                #expect(differing == 0, "\(name), batch \(batch): \(differing) values differ between 1 and 2 threads")
            }
        }
    }

    @Test("Bidirectional runs its directions at once: the same bits as each direction alone, stateful too")
    func bidirectionalConcurrent() throws {
        let saved = Parallelism.threads
        defer { Parallelism.threads = saved }
        // Batch 2 of 100 steps, 64 -> 128: each direction is over 4M multiply-adds, so they run concurrently.
        let x = try Self.random([2, 100, 64], seed: 51)
        for (name, cell) in try Self.cells(inputSize: 64, units: 128) {
            for threads in [1, 2] {
                Parallelism.threads = threads
                var alone = (
                    forward: RNN(cell: cell, returnSequences: true, stateful: true),
                    backward: RNN(cell: cell, returnSequences: true, goBackwards: true, stateful: true)
                )
                var both = try Bidirectional(
                    RNN(cell: cell, returnSequences: true, stateful: true), mergeMode: nil)
                for call in 1...2 {
                    let merged = try both.call(x)
                    let forward = try alone.forward.call(x).output
                    let reversed = try alone.backward.call(x).output
                    let (t, u) = (reversed.shape[1], reversed.shape[2])
                    let backward = (0..<reversed.scalars.count).map { index in
                        let (sample, step, unit) = (index / (t * u), index / u % t, index % u)
                        return reversed.scalars[(sample * t + t - 1 - step) * u + unit]
                    }
                    let same =
                        merged[0].scalars.map(\.bitPattern) == forward.scalars.map(\.bitPattern)
                        && merged[1].scalars.map(\.bitPattern) == backward.map(\.bitPattern)
                    #expect(same, "\(name), \(threads) threads, call \(call)")
                }
            }
        }
    }

    @Test("a batch large enough for SGEMM agrees with the same samples in small batches")
    func sgemmAgreesWithPackedKernel() throws {
        let x = try Self.random([70, 20, 16], seed: 41)
        for (name, cell) in try Self.cells(inputSize: 16, units: 24) {
            var layer = RNN(cell: cell, returnSequences: true)
            let whole = try layer.call(x).output
            let halves = try [0, 35].map { start in
                try layer.call(
                    Tensor(shape: [35, 20, 16], scalars: Array(x.scalars[(start * 320)..<((start + 35) * 320)]))
                )
                .output.scalars
            }
            Self.close(whole, Tensor(shape: whole.shape, scalars: halves[0] + halves[1]), name)
        }
    }
}

/// `RecurrentStream`: one timestep per call gives `RNN.call`'s sequence, states carry, errors are named.
@Suite("Streaming")
struct StreamingTests {
    @Test("a stream of single steps gives the layer's whole-sequence output for every cell")
    func matchesCall() throws {
        let (batch, timesteps, features, units) = (2, 9, 5, 6)
        let x = try FusedRecurrenceTests.random([batch, timesteps, features], seed: 51)
        for (name, cell) in try FusedRecurrenceTests.cells(inputSize: features, units: units) {
            var layer = RNN(cell: cell, returnSequences: true, returnState: true)
            let initial = try cell.stateShapes.enumerated().map {
                try FusedRecurrenceTests.random([batch] + $1, seed: 60 + UInt64($0))
            }
            let whole = try layer.call(x, initialState: initial)
            let stream = try RecurrentStream(layer, batch: batch, initialState: initial)
            let timeMajor = x.swappingFirstTwoAxes().scalars
            var outputs = [Float]()
            var output = [Float](repeating: 0, count: batch * units)
            for t in 0..<timesteps {
                try stream.step(Array(timeMajor[(t * batch * features)..<((t + 1) * batch * features)]), into: &output)
                outputs += output
            }
            let streamed = Tensor(shape: [timesteps, batch, units], scalars: outputs).swappingFirstTwoAxes()
            FusedRecurrenceTests.close(streamed, whole.output, "\(name) stream")
            for (s, t) in zip(stream.states, whole.states) { FusedRecurrenceTests.close(s, t, "\(name) stream state") }
            try stream.reset()
            #expect(stream.states.allSatisfy { $0.scalars.allSatisfy { $0 == 0 } })
        }
    }

    @Test("streams refuse what cannot stream, and wrong sizes")
    func errors() throws {
        let cell = try LSTMCell(units: 3, inputSize: 2, seed: 1)
        #expect(throws: RecurrentError.self) { try RecurrentStream(RNN(cell: cell, goBackwards: true)) }
        #expect(throws: RecurrentError.self) {
            try RecurrentStream(RNN(cell: FusedRecurrenceTests.Unfused(inner: cell)))
        }
        let stream = try RecurrentStream(RNN(cell: cell))
        var output = [Float](repeating: 0, count: 3)
        #expect(throws: RecurrentError.self) { try stream.step([1, 2, 3], into: &output) }
        #expect(throws: RecurrentError.self) { try stream.reset(to: [Tensor.zeros([1, 3])]) }
        #expect(throws: RecurrentError.self) { try stream.reset(to: [Tensor.zeros([1, 4]), Tensor.zeros([1, 3])]) }
    }
}
