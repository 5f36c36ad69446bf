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
/// over the value steps, the heads' results (times a sigmoid gate of the query with `useGate`) projected to
/// the output. Masks as Keras 3.15.1 builds them, over sequences and grids alike: the query's, value's and
/// key's masks, the causal mask and the sliding window (both over axis 1 of query and value), and the
/// `attention_mask` tensor, joined by AND under NumPy broadcasting and spread over the scores; masked scores
/// take `-1e9` before the softmax. Where every score of a query step is masked, Keras's fused path (sequences
/// at inference without dropout, scores not returned) spreads the step's attention evenly and its explicit
/// path (grids, dropout, scores returned) gives zeros; both are followed. The output carries the query's mask.
///
/// Weights, in Keras's order: `query/kernel [query dim, heads, key_dim]`, `query/bias [heads, key_dim]`,
/// the same for `key`, then with `useGate` `gate/kernel [query dim, heads, value_dim]` and `gate/bias`, then
/// `value` (`value_dim`), `attention_output/kernel [heads, value_dim, output dim]`,
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
    /// Keras's `use_gate`: the heads' results are multiplied by `sigmoid(query · gate/kernel + gate/bias)`
    /// before the output projection.
    public var useGate: Bool
    /// Keras's `sliding_window`: each query position attends to value positions fewer than this many steps
    /// away (along axis 1), or nil for no such limit.
    public var slidingWindow: Int?
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
    ///   - useGate: Whether a sigmoid gate of the query scales the heads' results.
    ///   - slidingWindow: Keras's `sliding_window`, or nil.
    ///   - dropout: The dropout rate on the distribution in training.
    ///   - seed: The seed of that dropout.
    ///   - name: The layer's name.
    public init(
        numHeads: Int, keyDim: Int, valueDim: Int? = nil, queryDim: Int, valueInputDim: Int, keyInputDim: Int? = nil,
        outputDimension: Int? = nil, useBias: Bool = true, useGate: Bool = false, slidingWindow: Int? = nil,
        dropout: Float = 0, seed: UInt64 = 0, name: String = "multi_head_attention"
    ) throws {
        let valueDim = valueDim ?? keyDim
        let keyInputDim = keyInputDim ?? valueInputDim
        let sizes = [numHeads, keyDim, valueDim, queryDim, valueInputDim, keyInputDim, outputDimension ?? queryDim]
        let largest = sizes.reduce(1) { $0.multipliedReportingOverflow(by: max($1, 1)).partialValue }
        guard sizes.allSatisfy({ $0 > 0 }), largest <= Initializer.elementLimit, (0...1).contains(dropout),
            (slidingWindow ?? 1) > 0
        else {
            throw RecurrentError(
                .invalidArgument, layer: name,
                "num_heads (\(numHeads)), key_dim (\(keyDim)), value_dim (\(valueDim)), sliding_window and the input and output sizes must be positive and not too large, and dropout in [0, 1]"
            )
        }
        self.name = name
        self.numHeads = numHeads
        self.keyDim = keyDim
        self.valueDim = valueDim
        self.useBias = useBias
        self.useGate = useGate
        self.slidingWindow = slidingWindow
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
        let projections: [(String, Int, Int)] =
            [("query", queryDim, keyDim), ("key", keyInputDim, keyDim)]
            + (useGate ? [("gate", queryDim, valueDim)] : []) + [("value", valueInputDim, valueDim)]
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
        guard inputs.allSatisfy({ $0.rank == rank }) else {
            throw RecurrentError(
                .shapeMismatch, layer: name, "query, value and key must have one rank, received \(inputs.map(\.shape))")
        }
        let (query, value) = (inputs[0].shape, inputs[1].shape)
        let others = (1..<(rank - 1)).filter { !axes.contains($0) }
        guard inputs.allSatisfy({ $0.shape[0] == query[0] }), others.allSatisfy({ value[$0] == query[$0] }),
            inputs.count < 3 || inputs[2].shape.dropLast() == value.dropLast()
        else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "query and value must agree on the batch and the axes attention does not run over (\(others)), and key and value on every axis but the last; received \(inputs.map(\.shape))"
            )
        }
        // Keras's scores: [batch, other axes..., heads, query attention axes..., value attention axes...].
        let outer = ([0] + others).map { query[$0] }
        let scoresShape = outer + [numHeads] + axes.map { query[$0] } + axes.map { value[$0] }
        let allowed = try allowedScores(
            query: query, value: value, masks: masks, options: options, scoresShape: scoresShape,
            axisCount: axes.count)
        // Keras's fused path takes sequences only; grids, dropout and returned scores take the explicit one.
        let explicit = rank != 3 || dropout > 0 || options.returnAttentionScores
        if rank == 3 {
            return try attendSequences(
                inputs, allowed: allowed, explicit: explicit, returnScores: options.returnAttentionScores,
                training: training)
        }
        // A grid: the batch-like axes join the batch, the attention axes become one sequence axis.
        let order = [0] + others + axes + [rank - 1]
        func flattened(_ tensor: Tensor) -> Tensor {
            let moved = tensor.permuted(order)
            return moved.reshaped([
                outer.reduce(1, *), axes.map { tensor.shape[$0] }.reduce(1, *), tensor.shape[rank - 1],
            ])
        }
        let results = try attendSequences(
            inputs.map(flattened), allowed: allowed, explicit: explicit, returnScores: options.returnAttentionScores,
            training: training)
        let movedShape = outer + axes.map { query[$0] } + [outputSize]
        var inverse = [Int](repeating: 0, count: rank)
        for (position, axis) in order.enumerated() { inverse[axis] = position }
        let output = results[0].reshaped(movedShape).permuted(inverse)
        guard results.count > 1 else { return [output] }
        return [output, results[1].reshaped(scoresShape)]
    }

    /// Attention over the steps of `[batch, T, dim]` inputs; `allowed` says which scores count (`[batch, heads,
    /// Tq, Tv]`, nil for all), and `explicit` takes Keras's explicit path (zeros where a query step may attend
    /// to nothing) instead of its fused one.
    private func attendSequences(
        _ inputs: [Tensor], allowed: [Bool]?, explicit: Bool, returnScores: Bool, training: Bool
    ) throws -> [Tensor] {
        let (query, value) = (inputs[0], inputs[1])
        let key = inputs.count > 2 ? inputs[2] : value
        guard query.shape[2] == queryDim, value.shape[2] == valueInputDim, key.shape[2] == keyInputDim else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "expected query [batch, Tq, \(queryDim)], value [batch, Tv, \(valueInputDim)] and key [batch, Tv, \(keyInputDim)], received \(query.shape), \(value.shape), \(key.shape)"
            )
        }
        let (batch, tq, tv) = (query.shape[0], query.shape[1], value.shape[1])
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
        let scale = 1 / Float(k).squareRoot()
        var scores = [Float](repeating: 0, count: batch * heads * tq * tv)
        for b in 0..<batch {
            for n in 0..<heads {
                for t in 0..<tq {
                    let row = ((b * heads + n) * tq + t) * tv
                    for s in 0..<tv {
                        guard allowed?[row + s] ?? true else {
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
        if explicit, let allowed {
            for index in scores.indices where !allowed[index] { scores[index] = 0 }
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
        if useGate {
            var gate = Kernels.matmul(
                query.scalars, weight("gate/kernel")!, m: batch * tq, k: queryDim, n: heads * v,
                bias: weight("gate/bias"))
            Activation.sigmoid.apply(&gate, rowWidth: heads * v)
            for index in combined.indices { combined[index] *= gate[index] }
        }
        let output = Kernels.matmul(
            combined, weight("attention_output/kernel")!, m: batch * tq, k: heads * v, n: outputSize,
            bias: weight("attention_output/bias"))
        let result = Tensor(shape: [batch, tq, outputSize], scalars: output)
        guard returnScores else { return [result] }
        return [result, Tensor(shape: [batch, heads, tq, tv], scalars: scores)]
    }
}
