import Foundation

/// Keras's `Attention` (Luong, dot-product) and `AdditiveAttention` (Bahdanau) layers, called on
/// `[query, value]` or `[query, value, key]` (key defaults to value), each `[batch, T, dim]`.
///
/// Scores `[batch, Tq, Tv]`: `dot` is `query · keyᵀ` (times the scalar `scale` with `use_scale`);
/// `concat` is `concat_score_weight · Σ tanh(scale · (q + k))`; additive is `Σ scale[dim] · tanh(q + k)`.
/// Keras 3.15.1 then subtracts 1e9 from scores where the value mask (and the causal mask, with
/// `use_causal_mask`) is false, takes the softmax over Tv, multiplies by value, and zeroes the output
/// where the query mask is false. The output carries the query mask. Dropout on the distribution
/// applies in training only.
public struct Attention: FeedForwardLayer {
    /// How queries meet keys: `dot` (Attention's default), `concat` (Attention's `score_mode="concat"`) or `additive` (AdditiveAttention).
    public enum ScoreMode: String, Sendable, CaseIterable {
        /// `q · k` (Attention's default), times `scale` with `use_scale`.
        case dot
        /// `concat_score_weight · Σ tanh(scale · (q + k))` over the features (Attention's `score_mode="concat"`).
        case concat
        /// AdditiveAttention's `Σ scale · tanh(q + k)`.
        case additive
    }

    /// The call arguments a functional model can record for an attention call.
    public struct CallOptions: Sendable, Equatable {
        /// Position `i` attends to positions `j <= i` only (decoder self-attention).
        public var useCausalMask: Bool
        /// The call returns `(output, scores)`: the attention distribution as a second output.
        public var returnAttentionScores: Bool
        /// MultiHeadAttention's `attention_mask` (non-zero is true), or nil: `[batch, Tq, Tv]` over sequences, or
        /// any shape Keras broadcasts to the scores (see ``MultiHeadAttention``).
        public var attentionMask: Tensor?

        /// Call options as Keras's defaults have them: no causal mask, no scores returned.
        public init(useCausalMask: Bool = false, returnAttentionScores: Bool = false) {
            self.useCausalMask = useCausalMask
            self.returnAttentionScores = returnAttentionScores
        }
    }

    public var name: String
    /// Attention's `score_mode`, or `additive` for AdditiveAttention.
    public var scoreMode: ScoreMode
    /// Keras's `use_scale`: a learned scale on the scores (the `scale` weight).
    public var useScale: Bool
    /// The dropout rate on the attention distribution, in training only.
    public var dropout: Float
    /// The seed of the dropout's random numbers.
    public var seed: UInt64
    /// tf.keras's deprecated `causal` config argument: every call masks as `use_causal_mask` does.
    public var causal: Bool
    /// `[]` for Attention (a scalar), `[dim]` for AdditiveAttention; nil without `use_scale`.
    public var scale: Tensor?
    /// Attention's concat mode: the scalar weight on the summed tanh.
    public var concatScoreWeight: Tensor?
    /// The query's feature width (AdditiveAttention's scale has this length).
    public private(set) var dim: Int

    /// A layer with Keras's fresh weights: scalar scale and concat weight of 1; AdditiveAttention's
    /// scale drawn glorot-uniform.
    public init(
        scoreMode: ScoreMode = .dot, useScale: Bool = false, dropout: Float = 0, causal: Bool = false, dim: Int,
        seed: UInt64 = 0, name: String = "attention"
    ) throws {
        guard (0...1).contains(dropout) else {
            throw RecurrentError(.invalidArgument, layer: name, "dropout must be in [0, 1], received \(dropout)")
        }
        self.name = name
        self.scoreMode = scoreMode
        self.useScale = useScale
        self.dropout = dropout
        self.seed = seed
        self.causal = causal
        self.dim = dim
        var generator = SeededGenerator(seed: seed)
        if useScale {
            scale =
                scoreMode == .additive
                ? try Initializer.glorotUniform.make([dim], generator: &generator) : Tensor(shape: [], scalars: [1])
        }
        if scoreMode == .concat { concatScoreWeight = Tensor(shape: [], scalars: [1]) }
    }

    public var takesList: Bool { true }

    public var weightSlots: [WeightSlot] {
        (useScale ? [WeightSlot(name: "scale", shape: scoreMode == .additive ? [dim] : [])] : [])
            + (scoreMode == .concat ? [WeightSlot(name: "concat_score_weight", shape: [])] : [])
    }

    public var weights: [Tensor] { [scale, concatScoreWeight].compactMap { $0 } }

    public mutating func setWeights(_ weights: [Tensor]) throws {
        if scoreMode == .additive, useScale, let first = weights.first, first.rank == 1 { dim = first.shape[0] }
        try checkWeights(weights, against: weightSlots, layer: name)
        var rest = weights[...]
        scale = useScale ? rest.popFirst() : nil
        concatScoreWeight = scoreMode == .concat ? rest.popFirst() : nil
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        throw RecurrentError(
            .countMismatch, layer: name,
            "an attention layer must be called on a list of inputs, namely [query, value] or [query, value, key]")
    }

    public func call(_ inputs: [Tensor], masks: [Mask?], training: Bool) throws -> Tensor {
        try attend(inputs, masks: masks, options: CallOptions(), training: training)[0]
    }

    /// The output mask is the query's mask.
    public func outputMask(inputs: [Tensor], masks: [Mask?]) -> Mask? { masks.first ?? nil }

    public func outputShape(inputShapes: [[Int?]]) -> [Int?] {
        guard inputShapes.count >= 2 else { return inputShapes.first ?? [] }
        return Array(inputShapes[0].dropLast()) + [inputShapes[1].last ?? nil]
    }

    /// The shape of the scores output, `[batch, Tq, Tv]`.
    public func scoresShape(inputShapes: [[Int?]]) -> [Int?] {
        guard inputShapes.count >= 2 else { return inputShapes.first ?? [] }
        let key = inputShapes.count > 2 ? inputShapes[2] : inputShapes[1]
        return Array(inputShapes[0].dropLast()) + [key.dropLast().last ?? nil]
    }

    /// Runs the layer: `[output]`, or `[output, scores]` with `returnAttentionScores`.
    /// - Parameters:
    ///   - inputs: `[query, value]` or `[query, value, key]`.
    ///   - masks: The inputs' masks (`[query_mask, value_mask, ...]`), each `[batch, T]` or nil.
    ///   - options: The call's `use_causal_mask` and `return_attention_scores`.
    ///   - training: Training mode: dropout applies to the distribution.
    public func attend(_ inputs: [Tensor], masks: [Mask?], options: CallOptions, training: Bool) throws -> [Tensor] {
        guard (2...3).contains(inputs.count) else {
            throw RecurrentError(
                .countMismatch, layer: name,
                "an attention layer accepts a list of 2 or 3 inputs, namely [query, value] or [query, value, key], received \(inputs.count)"
            )
        }
        let query = inputs[0]
        let value = inputs[1]
        let key = inputs.count > 2 ? inputs[2] : value
        guard query.rank == 3, value.rank == 3, key.rank == 3, query.shape[0] == value.shape[0],
            key.shape[0] == value.shape[0], key.shape[1] == value.shape[1], query.shape[2] == key.shape[2]
        else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "expected query [batch, Tq, dim], value [batch, Tv, value_dim] and key [batch, Tv, dim], received \(inputs.map(\.shape))"
            )
        }
        if scoreMode == .additive, let scale, scale.count != query.shape[2] {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "the scale weight has \(scale.count) values, the query's last dimension is \(query.shape[2])")
        }
        let (batch, tq, features) = (query.shape[0], query.shape[1], query.shape[2])
        let (tv, valueFeatures) = (value.shape[1], value.shape[2])
        let queryMask = try checked(masks.first ?? nil, batch: batch, steps: tq, input: "query")
        let valueMask = try checked(masks.count > 1 ? masks[1] : nil, batch: batch, steps: tv, input: "value")

        var scores = [Float](repeating: 0, count: batch * tq * tv)
        switch scoreMode {
        case .dot:
            let keysT = key.permuted([0, 2, 1]).scalars
            for b in 0..<batch {
                let q = Array(query.scalars[(b * tq * features)..<((b + 1) * tq * features)])
                let kT = Array(keysT[(b * tv * features)..<((b + 1) * tv * features)])
                scores.replaceSubrange(
                    (b * tq * tv)..<((b + 1) * tq * tv), with: Kernels.matmul(q, kT, m: tq, k: features, n: tv))
            }
            if let factor = scale?.scalars.first { for i in scores.indices { scores[i] *= factor } }
        case .concat, .additive:
            let inside: Float = scoreMode == .concat ? (scale?.scalars.first ?? 1) : 1
            let outside: [Float] =
                scoreMode == .additive
                ? (scale?.scalars ?? [Float](repeating: 1, count: features))
                : [Float](repeating: 1, count: features)
            let weight = scoreMode == .concat ? (concatScoreWeight?.scalars.first ?? 1) : 1
            // Per query position: every key's pre-activation row at once, one vectorised tanh, then the sums.
            var hidden = [Float](repeating: 0, count: tv * features)
            query.scalars.withUnsafeBufferPointer { queries in
                key.scalars.withUnsafeBufferPointer { keys in
                    hidden.withUnsafeMutableBufferPointer { hidden in
                        for b in 0..<batch {
                            for i in 0..<tq {
                                let q = (b * tq + i) * features
                                for j in 0..<tv {
                                    let k = (b * tv + j) * features
                                    for f in 0..<features {
                                        hidden[j * features + f] = inside * (queries[q + f] + keys[k + f])
                                    }
                                }
                                Activation.tanh.apply(to: hidden)
                                for j in 0..<tv {
                                    var sum: Float = 0
                                    for f in 0..<features { sum += outside[f] * hidden[j * features + f] }
                                    scores[(b * tq + i) * tv + j] = weight * sum
                                }
                            }
                        }
                    }
                }
            }
        }
        // Scores where the value is masked (or in the future, with a causal mask) lose 1e9.
        let causal = options.useCausalMask || self.causal
        if valueMask != nil || causal {
            let keep = valueMask?.values ?? [Bool](repeating: true, count: batch * tv)
            for b in 0..<batch {
                for i in 0..<tq {
                    let row = (b * tq + i) * tv
                    for j in 0..<tv where !keep[b * tv + j] || (causal && j > i) { scores[row + j] -= 1e9 }
                }
            }
        }
        Kernels.softmaxRows(&scores, width: tv, log: false)
        var distribution = scores
        if training, dropout > 0 {
            var generator = SeededGenerator(seed: seed)
            let keep = 1 - dropout
            for i in distribution.indices {
                distribution[i] = Float.random(in: 0..<1, using: &generator) < keep ? distribution[i] / keep : 0
            }
        }
        var output = [Float](repeating: 0, count: batch * tq * valueFeatures)
        for b in 0..<batch {
            let product = Kernels.matmul(
                Array(distribution[(b * tq * tv)..<((b + 1) * tq * tv)]),
                Array(value.scalars[(b * tv * valueFeatures)..<((b + 1) * tv * valueFeatures)]),
                m: tq, k: tv, n: valueFeatures)
            output.replaceSubrange((b * tq * valueFeatures)..<((b + 1) * tq * valueFeatures), with: product)
        }
        if let keep = queryMask?.values {
            for position in 0..<(batch * tq) where !keep[position] {
                let start = position * valueFeatures
                output.replaceSubrange(start..<(start + valueFeatures), with: repeatElement(0, count: valueFeatures))
            }
        }
        let result = Tensor(shape: [batch, tq, valueFeatures], scalars: output)
        guard options.returnAttentionScores else { return [result] }
        return [result, Tensor(shape: [batch, tq, tv], scalars: distribution)]
    }

    private func checked(_ mask: Mask?, batch: Int, steps: Int, input: String) throws -> Mask? {
        guard let mask else { return nil }
        guard mask.shape == [batch, steps] else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "the \(input) mask has shape \(mask.shape), expected [\(batch), \(steps)] (batch, timesteps)")
        }
        return mask
    }
}
