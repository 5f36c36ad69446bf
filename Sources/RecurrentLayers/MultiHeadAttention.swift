import Foundation

/// A layer a functional model calls on `[query, value]` or `[query, value, key]` with the attention call
/// options (`use_causal_mask`, `return_attention_scores`): `Attention`, `AdditiveAttention` and
/// `MultiHeadAttention`.
public protocol AttentionLayer: FeedForwardLayer {
    /// Runs the layer: `[output]`, or `[output, scores]` with `returnAttentionScores`.
    /// - Parameters:
    ///   - inputs: `[query, value]` or `[query, value, key]`.
    ///   - masks: The inputs' masks, each `[batch, T]` or nil.
    ///   - options: The call's `use_causal_mask` and `return_attention_scores`.
    ///   - training: Training mode: dropout applies to the distribution.
    func attend(_ inputs: [Tensor], masks: [Mask?], options: Attention.CallOptions, training: Bool) throws -> [Tensor]

    /// The shape of the scores output.
    func scoresShape(inputShapes: [[Int?]]) -> [Int?]
}

extension Attention: AttentionLayer {}

/// Keras's `MultiHeadAttention` over sequences (`[batch, T, dim]`) or grids (`[batch, d1, ..., dim]`, attention
/// over `attentionAxes`, by default every axis between batch and features): queries, keys and values
/// projected per head, `softmax(q · kᵀ / √key_dim)`
/// over the value steps, the heads' results projected to the output. Masks as Keras 3.15.1 builds them:
/// the query's, value's and key's masks, the `attention_mask` tensor and the causal mask joined by AND; masked scores take `-1e9`
/// before the softmax. Where every score of a query step is masked, Keras's fused path (inference without
/// dropout, scores not returned) spreads the step's attention evenly and its explicit path gives zeros;
/// both are followed. The output carries the query's mask.
///
/// Weights, in Keras's order: `query/kernel [query dim, heads, key_dim]`, `query/bias [heads, key_dim]`,
/// the same for `key` and `value` (`value_dim`), `attention_output/kernel [heads, value_dim, output dim]`,
/// `attention_output/bias [output dim]`; no biases without `useBias`.
public struct MultiHeadAttention: AttentionLayer {
    /// The layer's name.
    public var name: String
    /// The number of attention heads (Keras's `num_heads`).
    public var numHeads: Int
    /// The size of each head's queries and keys (Keras's `key_dim`).
    public var keyDim: Int
    /// The size of each head's values (Keras's `value_dim`; `key_dim` by default).
    public var valueDim: Int
    /// True when the projections add biases.
    public var useBias: Bool
    /// Keras's `output_shape` (the output's last dimension) when given; nil for the query's.
    public var outputDimension: Int?
    /// The dropout rate on the attention distribution, in training only.
    public var dropout: Float
    /// The seed of the dropout's random numbers.
    public var seed: UInt64
    /// The axes attention runs over (Keras's `attention_axes`), or nil for every axis between the batch
    /// and the features. The other axes between them are batch-like: query and value must agree on them.
    public var attentionAxes: [Int]?
    /// The projection weights, in Keras's order (see the type's description).
    public private(set) var weights: [Tensor]
    let queryDim: Int
    let keyInputDim: Int
    let valueInputDim: Int

    /// A layer with zero weights for queries of `queryDim` features and values (and keys) of `valueInputDim`
    /// (`keyInputDim`); load weights with `setWeights`.
    /// - Parameters:
    ///   - numHeads: The number of heads.
    ///   - keyDim: Each head's query and key size.
    ///   - valueDim: Each head's value size; `keyDim` by default.
    ///   - queryDim: The query's last dimension.
    ///   - valueInputDim: The value's last dimension.
    ///   - keyInputDim: The key's last dimension; the value's by default.
    ///   - outputDimension: The output's last dimension; the query's by default.
    ///   - useBias: Whether the projections add biases.
    ///   - dropout: The dropout rate on the distribution in training.
    ///   - seed: The seed of that dropout.
    ///   - name: The layer's name.
    public init(
        numHeads: Int, keyDim: Int, valueDim: Int? = nil, queryDim: Int, valueInputDim: Int, keyInputDim: Int? = nil,
        outputDimension: Int? = nil, useBias: Bool = true, dropout: Float = 0, seed: UInt64 = 0,
        name: String = "multi_head_attention"
    ) throws {
        let valueDim = valueDim ?? keyDim
        let keyInputDim = keyInputDim ?? valueInputDim
        let sizes = [numHeads, keyDim, valueDim, queryDim, valueInputDim, keyInputDim, outputDimension ?? queryDim]
        let largest = sizes.reduce(1) { $0.multipliedReportingOverflow(by: max($1, 1)).partialValue }
        guard sizes.allSatisfy({ $0 > 0 }), largest <= Initializer.elementLimit, (0...1).contains(dropout) else {
            throw RecurrentError(
                .invalidArgument, layer: name,
                "num_heads (\(numHeads)), key_dim (\(keyDim)), value_dim (\(valueDim)) and the input and output sizes must be positive and not too large, and dropout in [0, 1]"
            )
        }
        self.name = name
        self.numHeads = numHeads
        self.keyDim = keyDim
        self.valueDim = valueDim
        self.useBias = useBias
        self.outputDimension = outputDimension
        self.dropout = dropout
        self.seed = seed
        self.queryDim = queryDim
        self.keyInputDim = keyInputDim
        self.valueInputDim = valueInputDim
        self.weights = []
        self.weights = weightSlots.map { Tensor.zeros($0.shape) }
    }

    var outputSize: Int { outputDimension ?? queryDim }

    public var weightSlots: [WeightSlot] {
        let projections: [(String, Int, Int)] = [
            ("query", queryDim, keyDim), ("key", keyInputDim, keyDim), ("value", valueInputDim, valueDim),
        ]
        var slots: [WeightSlot] = []
        for (part, input, size) in projections {
            slots.append(WeightSlot(name: "\(part)/kernel", shape: [input, numHeads, size]))
            if useBias { slots.append(WeightSlot(name: "\(part)/bias", shape: [numHeads, size])) }
        }
        slots.append(WeightSlot(name: "attention_output/kernel", shape: [numHeads, valueDim, outputSize]))
        if useBias { slots.append(WeightSlot(name: "attention_output/bias", shape: [outputSize])) }
        return slots
    }

    public mutating func setWeights(_ weights: [Tensor]) throws {
        try checkWeights(weights, against: weightSlots, layer: name)
        self.weights = weights
    }

    public var takesList: Bool { true }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        try attend([inputs, inputs], masks: [], options: .init(), training: training)[0]
    }

    public func call(_ inputs: [Tensor], masks: [Mask?], training: Bool) throws -> Tensor {
        try attend(inputs, masks: masks, options: .init(), training: training)[0]
    }

    /// The output carries the query's mask.
    public func outputMask(inputs: [Tensor], masks: [Mask?]) -> Mask? { masks.first ?? nil }

    public func outputShape(inputShapes: [[Int?]]) -> [Int?] {
        Array((inputShapes.first ?? []).dropLast()) + [outputSize]
    }

    public func scoresShape(inputShapes: [[Int?]]) -> [Int?] {
        let query = inputShapes.first ?? []
        let value = inputShapes.count > 1 ? inputShapes[1] : query
        guard query.count >= 3, value.count == query.count, let axes = try? resolvedAxes(rank: query.count) else {
            return [query.first ?? nil, numHeads, query.count > 1 ? query[1] : nil, value.count > 1 ? value[1] : nil]
        }
        let others = (1..<(query.count - 1)).filter { !axes.contains($0) }
        return [query[0]] + others.map { query[$0] } + [numHeads] + axes.map { query[$0] } + axes.map { value[$0] }
    }

    /// The weight of slot `part` (`query/kernel`, ...), or nil for an absent bias.
    private func weight(_ part: String) -> [Float]? {
        weightSlots.firstIndex { $0.name == part }.map { weights[$0].scalars }
    }

    /// The attention axes for inputs of `rank`, checked: sorted, between batch and features.
    package func resolvedAxes(rank: Int) throws -> [Int] {
        let axes = (attentionAxes ?? Array(1..<max(rank - 1, 1))).sorted()
        guard rank >= 3, !axes.isEmpty, Set(axes).count == axes.count,
            axes.allSatisfy({ (1...(rank - 2)).contains($0) })
        else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "attention_axes \(attentionAxes ?? []) must be distinct axes between the batch and the features of inputs of rank \(rank)"
            )
        }
        return axes
    }

    public func attend(_ inputs: [Tensor], masks: [Mask?], options: Attention.CallOptions, training: Bool) throws
        -> [Tensor]
    {
        guard (2...3).contains(inputs.count) else {
            throw RecurrentError(
                .countMismatch, layer: name,
                "MultiHeadAttention takes a query and a value (and a key), received \(inputs.count) inputs")
        }
        let rank = inputs[0].rank
        let axes = try resolvedAxes(rank: rank)
        if rank == 3 { return try attendSequences(inputs, masks: masks, options: options, training: training) }
        // A grid: the batch-like axes join the batch, the attention axes become one sequence axis.
        guard inputs.allSatisfy({ $0.rank == rank }) else {
            throw RecurrentError(
                .shapeMismatch, layer: name, "query, value and key must have one rank, received \(inputs.map(\.shape))")
        }
        guard masks.allSatisfy({ $0 == nil }), !options.useCausalMask, options.attentionMask == nil else {
            throw RecurrentError(
                .unsupported, layer: name, "masks and the causal mask are supported over sequences (rank 3) only")
        }
        let others = (1..<(rank - 1)).filter { !axes.contains($0) }
        let order = [0] + others + axes + [rank - 1]
        func flattened(_ tensor: Tensor) throws -> Tensor {
            guard others.allSatisfy({ tensor.shape[$0] == inputs[0].shape[$0] }) else {
                throw RecurrentError(
                    .shapeMismatch, layer: name,
                    "query and value must agree on the axes attention does not run over (\(others)), received \(inputs.map(\.shape))"
                )
            }
            let moved = tensor.permuted(order)
            let batch = ([0] + others).map { tensor.shape[$0] }.reduce(1, *)
            return moved.reshaped([batch, axes.map { tensor.shape[$0] }.reduce(1, *), tensor.shape[rank - 1]])
        }
        let results = try attendSequences(try inputs.map(flattened), masks: [], options: options, training: training)
        let query = inputs[0].shape
        let outer = ([0] + others).map { query[$0] }
        let movedShape = outer + axes.map { query[$0] } + [outputSize]
        var inverse = [Int](repeating: 0, count: rank)
        for (position, axis) in order.enumerated() { inverse[axis] = position }
        let output = results[0].reshaped(movedShape).permuted(inverse)
        guard results.count > 1 else { return [output] }
        // Keras's scores: [batch, other axes..., heads, query attention axes..., value attention axes...].
        let valueAxes = axes.map { inputs[1].shape[$0] }
        return [output, results[1].reshaped(outer + [numHeads] + axes.map { query[$0] } + valueAxes)]
    }

    /// Attention over the steps of `[batch, T, dim]` inputs.
    private func attendSequences(
        _ inputs: [Tensor], masks: [Mask?], options: Attention.CallOptions, training: Bool
    ) throws -> [Tensor] {
        let (query, value) = (inputs[0], inputs[1])
        let key = inputs.count > 2 ? inputs[2] : value
        guard query.rank == 3, value.rank == 3, key.rank == 3, query.shape[2] == queryDim,
            value.shape[2] == valueInputDim, key.shape[2] == keyInputDim, value.shape[0] == query.shape[0],
            key.shape[0] == query.shape[0], key.shape[1] == value.shape[1]
        else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "expected query [batch, Tq, \(queryDim)], value [batch, Tv, \(valueInputDim)] and key [batch, Tv, \(keyInputDim)], received \(query.shape), \(value.shape), \(key.shape)"
            )
        }
        let (batch, tq, tv) = (query.shape[0], query.shape[1], value.shape[1])
        if let mask = options.attentionMask, mask.shape != [batch, tq, tv] {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "attention_mask must be [batch, Tq, Tv] = [\(batch), \(tq), \(tv)], received \(mask.shape)")
        }
        let attentionMask = options.attentionMask?.scalars
        let (heads, k, v) = (numHeads, keyDim, valueDim)
        // The projections: [batch * T, heads * size].
        let q = Kernels.matmul(
            query.scalars, weight("query/kernel")!, m: batch * tq, k: queryDim, n: heads * k, bias: weight("query/bias")
        )
        let kk = Kernels.matmul(
            key.scalars, weight("key/kernel")!, m: batch * tv, k: keyInputDim, n: heads * k, bias: weight("key/bias"))
        let vv = Kernels.matmul(
            value.scalars, weight("value/kernel")!, m: batch * tv, k: valueInputDim, n: heads * v,
            bias: weight("value/bias"))
        // Which scores count: [batch, Tq, Tv].
        func allowed(_ b: Int, _ t: Int, _ s: Int) -> Bool {
            if let mask = masks.first ?? nil, !mask[b, t] { return false }
            if masks.count > 1, let mask = masks[1], !mask[b, s] { return false }
            if masks.count > 2, let mask = masks[2], !mask[b, s] { return false }
            if let attentionMask, attentionMask[(b * tq + t) * tv + s] == 0 { return false }
            return !options.useCausalMask || t >= s
        }
        let explicitPath = dropout > 0 || options.returnAttentionScores
        let scale = 1 / Float(k).squareRoot()
        var scores = [Float](repeating: 0, count: batch * heads * tq * tv)
        for b in 0..<batch {
            for n in 0..<heads {
                for t in 0..<tq {
                    let row = ((b * heads + n) * tq + t) * tv
                    for s in 0..<tv {
                        guard allowed(b, t, s) else {
                            scores[row + s] = -1e9
                            continue
                        }
                        var dot: Float = 0
                        for d in 0..<k {
                            dot +=
                                q[(b * tq + t) * heads * k + n * k + d] * scale
                                * kk[(b * tv + s) * heads * k + n * k + d]
                        }
                        scores[row + s] = dot
                    }
                }
            }
        }
        Kernels.softmaxRows(&scores, width: tv, log: false)
        if explicitPath {
            for b in 0..<batch {
                for n in 0..<heads {
                    for t in 0..<tq {
                        for s in 0..<tv where !allowed(b, t, s) { scores[((b * heads + n) * tq + t) * tv + s] = 0 }
                    }
                }
            }
        }
        var distribution = scores
        if training && dropout > 0 {
            var generator = SeededGenerator(seed: seed)
            let keep = 1 / (1 - dropout)
            for index in distribution.indices {
                distribution[index] *= generator.uniform(0, 1) < dropout ? 0 : keep
            }
        }
        // Each head's weighted values, [batch * Tq, heads * value_dim], then the output projection.
        var combined = [Float](repeating: 0, count: batch * tq * heads * v)
        for b in 0..<batch {
            for n in 0..<heads {
                for t in 0..<tq {
                    let row = ((b * heads + n) * tq + t) * tv
                    let to = (b * tq + t) * heads * v + n * v
                    for s in 0..<tv {
                        let weight = distribution[row + s]
                        guard weight != 0 else { continue }
                        let from = (b * tv + s) * heads * v + n * v
                        for d in 0..<v { combined[to + d] += weight * vv[from + d] }
                    }
                }
            }
        }
        let output = Kernels.matmul(
            combined, weight("attention_output/kernel")!, m: batch * tq, k: heads * v, n: outputSize,
            bias: weight("attention_output/bias"))
        let result = Tensor(shape: [batch, tq, outputSize], scalars: output)
        guard options.returnAttentionScores else { return [result] }
        return [result, Tensor(shape: [batch, heads, tq, tv], scalars: scores)]
    }
}
