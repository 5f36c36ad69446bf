import RecurrentLayers
import TestSupport
import Testing

/// ConvLSTM1D/2D/3D with Keras's own numbers (keras/src/layers/rnn/conv_lstm{,1d,2d,3d}_test.py,
/// Keras 3.15.1 `test_correctness`): constant kernels 0.01, recurrent kernels 0.02, bias 0.03 (forget block
/// 1). Each runs channels last and, transposed as those tests do, channels first. Every option inside
/// models is checked against Keras's outputs by the fixture tests.
@Suite("ConvLSTM")
struct ConvLSTMTests {
    /// `arange(count).reshape(shape) / divisor`.
    static func sequence(_ shape: [Int], divisor: Float) -> Tensor {
        Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { Float($0) / divisor })
    }

    /// The Keras test's layer: `ConvLSTM{rank}D(filters, kernel_size)` with constant initializers.
    static func layer(
        filters: Int, kernel: Int, spatial: [Int], channels: Int, padding: Padding = .valid,
        channelsFirst: Bool = false, bias: Float = 0.03
    ) throws -> RNN {
        let cell = try ConvLSTMCell(
            filters: filters, kernelSize: Array(repeating: kernel, count: spatial.count), inputSpatial: spatial,
            channels: channels, padding: padding, channelsFirst: channelsFirst, kernelInitializer: .constant(0.01),
            recurrentInitializer: .constant(0.02), biasInitializer: .constant(bias))
        return RNN(cell: cell)
    }

    /// Moves the channels axis of `[batch, (time,) spatial..., channels]` to just after batch (and time).
    static func channelsFirst(_ tensor: Tensor, leading: Int) -> Tensor {
        let rank = tensor.rank
        return tensor.permuted(Array(0..<leading) + [rank - 1] + Array(leading..<(rank - 1)))
    }

    @Test("ConvLSTM1D, ConvLSTM2D and ConvLSTM3D: Keras's test_correctness", arguments: [false, true])
    func correctness(channelsFirst: Bool) throws {
        let cases: [(shape: [Int], divisor: Float, expected: [Float])] = [
            (
                [2, 3, 4, 5], 10,
                [0.40807986, 0.40807986, 0.46421072, 0.46421072, 0.80933154, 0.80933154, 0.8233646, 0.8233646]
            ),
            (
                [2, 3, 4, 4, 5], 100,
                [
                    0.48694518, 0.48694518, 0.50237733, 0.50237733, 0.5461202, 0.5461202, 0.5598283, 0.5598283,
                    0.8661607, 0.8661607, 0.86909103, 0.86909103, 0.8774414, 0.8774414, 0.8800861, 0.8800861,
                ]
            ),
            (
                [2, 3, 4, 4, 4, 5], 100,
                [
                    0.99149036, 0.99149036, 0.99180907, 0.99180907, 0.99258363, 0.99258363, 0.9927925, 0.9927925,
                    0.99413764, 0.99413764, 0.99420583, 0.99420583, 0.9943788, 0.9943788, 0.9944278, 0.9944278,
                ] + Array(repeating: 0.9950547, count: 16)
            ),
        ]
        for (shape, divisor, expected) in cases {
            let spatial = Array(shape[2..<(shape.count - 1)])
            var layer = try Self.layer(
                filters: 2, kernel: 3, spatial: spatial, channels: 5, channelsFirst: channelsFirst)
            var input = Self.sequence(shape, divisor: divisor)
            if channelsFirst { input = Self.channelsFirst(input, leading: 2) }
            var output = try layer.call(input).output
            if channelsFirst {
                // Back to channels last to compare with the test's channels-last expectation.
                output = output.permuted([0] + Array(2..<output.rank) + [1])
            }
            #expect(output.shape == [2] + spatial.map { $0 - 2 } + [2])
            expectClose(output, expected, atol: 1e-5)
        }
    }

    @Test(
        "ConvLSTM over initial states, same padding: Keras's ConvLSTMTest.test_correctness", arguments: [false, true])
    func initialState(channelsFirst: Bool) throws {
        var layer = try Self.layer(
            filters: 4, kernel: 3, spatial: [5, 5], channels: 3, padding: .same, channelsFirst: channelsFirst, bias: 0)
        var x = Self.sequence([2, 3, 5, 5, 3], divisor: 100)
        var state = Self.sequence([2, 5, 5, 4], divisor: 100)
        if channelsFirst {
            x = Self.channelsFirst(x, leading: 2)
            state = Self.channelsFirst(state, leading: 1)
        }
        let output = try layer.call(x, initialState: [state, state]).output
        #expect(abs(output.scalars.reduce(0, +) - 119.812454) < 1e-3)
        if channelsFirst {
            // A sum cannot see a transposition: the values must be the channels-last run's, moved.
            try expectClose(output, Self.channelsFirst(initialState(channelsLastOf: layer), leading: 1))
        }
    }

    /// The channels-last run of `initialState`'s test.
    func initialState(channelsLastOf layer: RNN) throws -> Tensor {
        var channelsLast = try Self.layer(filters: 4, kernel: 3, spatial: [5, 5], channels: 3, padding: .same, bias: 0)
        let state = Self.sequence([2, 5, 5, 4], divisor: 100)
        return try channelsLast.call(Self.sequence([2, 3, 5, 5, 3], divisor: 100), initialState: [state, state]).output
    }

    @Test("one ConvLSTMCell step: Keras's ConvLSTMCellTest.test_correctness checksums", arguments: [false, true])
    func cellStep(channelsFirst: Bool) throws {
        let cell = try ConvLSTMCell(
            filters: 4, kernelSize: [3, 3], inputSpatial: [5, 5], channels: 3, padding: .same,
            channelsFirst: channelsFirst, kernelInitializer: .constant(0.01), recurrentInitializer: .constant(0.02))
        var x = Self.sequence([2, 5, 5, 3], divisor: 10)
        var state = Self.sequence([2, 5, 5, 4], divisor: 10)
        if channelsFirst {
            x = Self.channelsFirst(x, leading: 1)
            state = Self.channelsFirst(state, leading: 1)
        }
        let result = try cell.step(x, states: [state, state], context: CellContext())
        #expect(abs(result.output.scalars.reduce(0, +) - 188.89502) < 1e-3)
        #expect(abs(result.states[0].scalars.reduce(0, +) - 188.89502) < 1e-3)
        #expect(abs(result.states[1].scalars.reduce(0, +) - 2170.444) < 1e-2)
        if channelsFirst {
            // The values, not only the sums: the channels-last step's, moved.
            var last = cell
            last.channelsFirst = false
            let plain = Self.sequence([2, 5, 5, 4], divisor: 10)
            let reference = try last.step(
                Self.sequence([2, 5, 5, 3], divisor: 10), states: [plain, plain], context: CellContext())
            expectClose(result.output, Self.channelsFirst(reference.output, leading: 1))
            expectClose(result.states[1], Self.channelsFirst(reference.states[1], leading: 1))
        }
    }

    @Test("strides with dilation, a kernel larger than the input and causal padding are refused")
    func refusals() throws {
        #expect(throws: RecurrentError.self) {
            try ConvLSTMCell(
                filters: 1, kernelSize: [1, 1], inputSpatial: [4, 4], channels: 1, strides: [2, 2], dilation: [3, 3],
                padding: .same)
        }
        #expect(throws: RecurrentError.self) {
            try ConvLSTMCell(filters: 1, kernelSize: [5], inputSpatial: [4], channels: 1)
        }
        #expect(throws: RecurrentError.self) {
            try ConvLSTMCell(filters: 1, kernelSize: [2], inputSpatial: [4], channels: 1, padding: .causal)
        }
        var layer = try Self.layer(filters: 2, kernel: 3, spatial: [4], channels: 5)
        #expect(throws: RecurrentError.self) { try layer.call(Tensor.zeros([2, 3, 5, 5])) }
    }
}
