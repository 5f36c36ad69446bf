import RecurrentLayers
import TestSupport
import Testing

/// TimeDistributed (Keras's E.7 numbers) and the plain layers' definitions. Numbers against Keras for
/// these layers inside real models come with the fixture matrix.
@Suite("Plain layers")
struct PlainLayerTests {
    @Test("TimeDistributed(Dense(1, kernel 0.01, no bias))")
    func timeDistributed() throws {
        let dense = try Dense(units: 1, inputSize: 4, useBias: false, kernelInitializer: .constant(0.01))
        let layer = TimeDistributed(dense)
        let output = try layer.call(Inputs.arange([3, 2, 4]))
        #expect(output.shape == [3, 2, 1])
        expectClose(output, [0.06, 0.22, 0.38, 0.54, 0.70, 0.86])
        #expect(layer.outputShape(inputShape: [nil, 2, 4]) == [nil, 2, 1])
        #expect(layer.weightSlots == dense.weightSlots)
        let mask = Mask([[false, true], [true, false], [true, true]])
        #expect(layer.outputMask(inputs: Inputs.arange([3, 2, 4]), mask: mask) == mask)
    }

    /// Keras's test wrapper: the inner layer multiplies its output by its mask.
    struct MaskMultiplying: FeedForwardLayer {
        var inner: Dense
        var name: String { "mask_multiplying" }
        func call(_ inputs: Tensor, training: Bool) throws -> Tensor { try inner.call(inputs) }
        func call(_ inputs: Tensor, mask: Mask?, training: Bool) throws -> Tensor {
            var output = try inner.call(inputs)
            if let mask { output.scalars = zip(output.scalars, mask.values).map { $1 ? $0 : 0 } }
            return output
        }
    }

    @Test("TimeDistributed hands each step's mask to the inner layer, and checks the mask's shape")
    func timeDistributedMasking() throws {
        let dense = try Dense(units: 1, inputSize: 4, useBias: false, kernelInitializer: .constant(0.01))
        let layer = TimeDistributed(MaskMultiplying(inner: dense))
        let mask = Mask([[false, true], [true, false], [true, true]])
        expectClose(try layer.call(Inputs.arange([3, 2, 4]), mask: mask), [0, 0.22, 0.38, 0, 0.7, 0.86])
        #expect(throws: RecurrentError.self) {
            try layer.call(Inputs.arange([3, 2, 4]), mask: Mask([[true, true], [true, true]]))
        }
        #expect(throws: RecurrentError.self) {
            try layer.call(Inputs.arange([3, 2, 4]), mask: Mask([[true], [true], [true]]))
        }
    }

    @Test("Dense works over the last axis of any rank, and equals its definition")
    func dense() throws {
        let layer = try Dense(units: 3, inputSize: 4, activation: .tanh, seed: 5)
        let x = Inputs.arange([2, 3, 4])
        let output = try layer.call(x)
        #expect(output.shape == [2, 3, 3])
        let flat =
            x.reshaped([6, 4]).matmul(layer.kernel)
            + Tensor(shape: [6, 3], scalars: Array(repeating: layer.bias!.scalars, count: 6).flatMap { $0 })
        expectClose(output, Activation.tanh(flat).scalars)
        #expect(throws: RecurrentError.self) { try layer.call(Inputs.arange([2, 5])) }
    }

    @Test("Dense computes every row of a small product over more rows than one block (600 rows, 4 -> 3)")
    func denseManyRows() throws {
        let layer = try Dense(units: 3, inputSize: 4, biasInitializer: .randomNormal(), seed: 6)
        let x = try FusedRecurrenceTests.random([600, 4], seed: 7)
        let all = try layer.call(x)
        for row in [0, 255, 256, 599] {
            let alone = try layer.call(Tensor(shape: [1, 4], scalars: Array(x.scalars[(row * 4)..<(row * 4 + 4)])))
            expectClose(Array(all.scalars[(row * 3)..<(row * 3 + 3)]), alone.scalars, "row \(row)")
        }
    }

    @Test("Masking masks steps whose every feature equals the mask value, and zeroes them")
    func masking() throws {
        let x = Tensor(shape: [2, 3, 2], scalars: [1, 2, 0, 0, 0, 3, 0, 0, 0, 0, 4, 0])
        let layer = Masking(maskValue: 0)
        #expect(layer.computeMask(x) == Mask([[true, false, true], [false, false, true]]))
        let other = Masking(maskValue: 1)
        let y = Tensor(shape: [1, 2, 2], scalars: [1, 1, 1, 5])
        #expect(try other.call(y).scalars == [0, 0, 1, 5])
    }

    @Test("Embedding looks up rows, masks id 0 with maskZero, and refuses ids outside the vocabulary")
    func embedding() throws {
        let layer = try Embedding(inputDim: 5, outputDim: 3, maskZero: true, seed: 2)
        let ids = Tensor(shape: [2, 3], scalars: [1, 0, 4, 2, 2, 0])
        let output = try layer.call(ids)
        #expect(output.shape == [2, 3, 3])
        #expect(Array(output.scalars[0..<3]) == Array(layer.embeddings.scalars[3..<6]))
        #expect(layer.outputMask(inputs: ids, mask: nil) == Mask([[true, false, true], [true, true, false]]))
        #expect(throws: RecurrentError.self) { try layer.call(Tensor(shape: [1, 1], scalars: [5])) }
        #expect(throws: RecurrentError.self) { try layer.call(Tensor(shape: [1, 1], scalars: [1.5])) }
    }

    @Test("Dropout: identity at inference; in training the rate, the 1/(1-rate) scale, a reproducible mask")
    func dropout() throws {
        let x = Tensor(repeating: 1, shape: [100, 100])
        let layer = try Dropout(rate: 0.3, seed: 11)
        #expect(try layer.call(x) == x)
        let dropped = try layer.call(x, training: true)
        let zeros = dropped.scalars.filter { $0 == 0 }.count
        #expect(abs(Float(zeros) / 10_000 - 0.3) < 0.02)
        #expect(dropped.scalars.allSatisfy { $0 == 0 || isClose($0, 1 / 0.7) })
        #expect(try layer.call(x, training: true) == dropped)
        #expect(try Dropout(rate: 0.3, seed: 12).call(x, training: true) != dropped)
        let shared = try Dropout(rate: 0.5, noiseShape: [nil, 1, nil], seed: 3).call(
            Tensor(repeating: 1, shape: [4, 5, 6]), training: true)
        for b in 0..<4 {
            for f in 0..<6 { #expect(Set((0..<5).map { shared[b, $0, f] }).count == 1) }
        }
        #expect(throws: RecurrentError.self) { try Dropout(rate: 1.5) }
    }

    @Test("the Activation layer applies softmax over the last axis")
    func activationLayer() throws {
        let output = try ActivationLayer(.softmax).call(Inputs.arange([2, 3]))
        for row in 0..<2 { #expect(isClose((0..<3).map { output[row, $0] }.reduce(0, +), 1)) }
    }

    /// keras/src/layers/normalization/layer_normalization_test.py `test_output` (Keras 3.15.1): gamma and
    /// beta of ones over `arange(5)`. (The other issue 6 layers' Keras tests compare with NumPy references,
    /// not hard-coded numbers; the fixtures check them against Keras itself.)
    @Test("LayerNormalization: Keras's test_output")
    func layerNormalization() throws {
        var layer = try LayerNormalization(inputShape: [nil, 5])
        try layer.setWeights([Tensor(repeating: 1, shape: [5]), Tensor(repeating: 1, shape: [5])])
        expectClose(
            try layer.call(Inputs.arange([1, 5])), [-0.41386, 0.29307, 1.0, 1.70693, 2.41386], atol: 1e-5)
    }
}
