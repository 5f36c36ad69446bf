import RecurrentLayers
import TestSupport
import Testing

/// Attention and AdditiveAttention with Keras's own numbers (keras/src/layers/attention/attention_test.py
/// and additive_attention_test.py, Keras 3.15.1: `test_attention_correctness`, `test_attention_with_mask`,
/// tolerance 1e-3 as there). Numbers for every option inside models come from the fixtures.
@Suite("Attention layers")
struct AttentionTests {
    static let query = Tensor(shape: [1, 2, 2], scalars: [1, 0, 0, 1])
    static let key = Tensor(shape: [1, 2, 2], scalars: [0, 1, 1, 0])
    static let value = Tensor(shape: [1, 2, 2], scalars: [1, 2, 3, 4])
    static let scores = Attention.CallOptions(returnAttentionScores: true)

    @Test("dot scores: Keras's test_attention_correctness")
    func dot() throws {
        let layer = try Attention(scoreMode: .dot, dim: 2)
        let result = try layer.attend(
            [Self.query, Self.value, Self.key], masks: [], options: Self.scores, training: false)
        expectClose(result[0], [2.462, 3.462, 1.538, 2.538], atol: 1e-3)
        expectClose(result[1], [0.269, 0.731, 0.731, 0.269], atol: 1e-3)
    }

    @Test("concat scores and AdditiveAttention without scale: Keras's test_attention_correctness")
    func concatAndAdditive() throws {
        for layer in [try Attention(scoreMode: .concat, dim: 2), try Attention(scoreMode: .additive, dim: 2)] {
            let result = try layer.attend(
                [Self.query, Self.value, Self.key], masks: [], options: Self.scores, training: false)
            expectClose(result[0], [1.727, 2.727, 2.272, 3.272], atol: 1e-3)
            expectClose(result[1], [0.636, 0.363, 0.363, 0.636], atol: 1e-3)
        }
    }

    @Test("query and value masks: Keras's test_attention_with_mask, for both layers")
    func masks() throws {
        let value = Tensor(repeating: 1, shape: [1, 2, 2])
        let masks = [Mask([[true, false]]), Mask([[true, false]])]
        for layer in [try Attention(dim: 2), try Attention(scoreMode: .additive, dim: 2)] {
            let result = try layer.attend([Self.query, value], masks: masks, options: Self.scores, training: false)
            expectClose(result[0], [1, 1, 0, 0])
            expectClose(result[1], [1, 0, 1, 0])
            #expect(layer.outputMask(inputs: [Self.query, value], masks: masks) == masks[0])
        }
    }

    @Test("a causal mask keeps each query position to the keys at or before it")
    func causal() throws {
        let layer = try Attention(dim: 2)
        let causal = Attention.CallOptions(useCausalMask: true, returnAttentionScores: true)
        let result = try layer.attend([Self.query, Self.value, Self.key], masks: [], options: causal, training: false)
        // The first query position sees only the first key: all its weight is there.
        #expect(result[1].scalars[0] == 1 && result[1].scalars[1] == 0)
        expectClose(Tensor(shape: [2], scalars: Array(result[0].scalars[0..<2])), [1, 2])
        let legacy = try Attention(causal: true, dim: 2)
        #expect(
            try legacy.attend([Self.query, Self.value, Self.key], masks: [], options: Self.scores, training: false)
                == result)
    }

    @Test("wrong inputs are refused with the layer named")
    func errors() throws {
        let layer = try Attention(dim: 2, name: "luong")
        #expect(throws: RecurrentError.self) { try layer.call(Self.query) }
        #expect(throws: RecurrentError.self) { try layer.call([Self.query], masks: [], training: false) }
        #expect(throws: RecurrentError.self) {
            try layer.call([Self.query, Tensor.zeros([1, 3, 2]), Self.key], masks: [], training: false)
        }
        #expect(throws: RecurrentError.self) {
            try layer.call([Self.query, Self.value], masks: [Mask([[true, true, true]])], training: false)
        }
        let error = #expect(throws: RecurrentError.self) { try layer.call([Self.query], masks: [], training: false) }
        #expect(error?.description.contains("luong") == true)
        #expect(throws: RecurrentError.self) { try Attention(dropout: 1.5, dim: 2) }
    }

    @Test("MultiHeadAttention refuses the masks Keras cannot broadcast to its scores, naming the shapes")
    func multiHeadMaskShapes() throws {
        let layer = try MultiHeadAttention(numHeads: 2, keyDim: 3, queryDim: 5, valueInputDim: 5, name: "grid")
        let grid = Tensor.zeros([2, 3, 4, 5])
        // Keras 3.15.1: "axis -5 is out of bounds" (the causal mask is [1, T, S] over axis 1 only).
        let causal = #expect(throws: RecurrentError.self) {
            try layer.attend([grid, grid], masks: [], options: .init(useCausalMask: true), training: false)
        }
        #expect(causal?.description.contains("cannot be expanded at axis -5") == true)
        var options = Attention.CallOptions()
        options.attentionMask = Tensor.zeros([2, 3, 4, 3, 5])
        let wrong = #expect(throws: RecurrentError.self) {
            try layer.attend([grid, grid], masks: [], options: options, training: false)
        }
        #expect(wrong?.description.contains("does not broadcast to the attention scores [2, 2, 3, 4, 3, 4]") == true)
        #expect(wrong?.description.contains("grid") == true)
        // Over one axis, the same causal mask is [1, 3, 3] against scores [2, 4, heads, 3, 3]: allowed.
        var column = layer
        column.attentionAxes = [1]
        let result = try column.attend(
            [grid, grid], masks: [], options: .init(useCausalMask: true, returnAttentionScores: true), training: false)
        #expect(result[1].shape == [2, 4, 2, 3, 3])
        #expect(throws: RecurrentError.self) {
            try MultiHeadAttention(numHeads: 1, keyDim: 1, queryDim: 1, valueInputDim: 1, slidingWindow: 0)
        }
    }
}
