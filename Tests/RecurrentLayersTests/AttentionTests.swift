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
}
