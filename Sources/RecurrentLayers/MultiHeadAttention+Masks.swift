/// A boolean tensor for Keras's mask arithmetic: `expand_dims` and AND with NumPy broadcasting.
struct BooleanTensor: Equatable {
    var shape: [Int]
    var values: [Bool]

    /// A `[1, T, S]` tensor whose element `(i, j)` is `rule(i, j)`.
    static func band(_ t: Int, _ s: Int, _ rule: (Int, Int) -> Bool) -> BooleanTensor {
        BooleanTensor(shape: [1, t, s], values: (0..<t).flatMap { i in (0..<s).map { j in rule(i, j) } })
    }

    /// The tensor with a new axis of size 1 at `axis` (negative counts from the end of the result), as
    /// NumPy's `expand_dims`; nil when the axis is out of range.
    func expanded(at axis: Int) -> BooleanTensor? {
        let rank = shape.count + 1
        let position = axis < 0 ? axis + rank : axis
        guard (0..<rank).contains(position) else { return nil }
        var result = shape
        result.insert(1, at: position)
        return BooleanTensor(shape: result, values: values)
    }

    /// The broadcast shape of two shapes (NumPy's rule), or nil when they do not broadcast.
    static func broadcastShape(_ a: [Int], _ b: [Int]) -> [Int]? {
        let rank = max(a.count, b.count)
        let left = Array(repeating: 1, count: rank - a.count) + a
        let right = Array(repeating: 1, count: rank - b.count) + b
        var result: [Int] = []
        for (x, y) in zip(left, right) {
            guard x == y || x == 1 || y == 1 else { return nil }
            result.append(x == 1 ? y : x)
        }
        return result
    }

    /// The values spread over `target` (which this shape must broadcast to), row-major.
    func broadcast(to target: [Int]) -> [Bool] {
        let padded = Array(repeating: 1, count: target.count - shape.count) + shape
        var strides = [Int](repeating: 0, count: target.count)
        var step = 1
        for axis in (0..<target.count).reversed() {
            strides[axis] = padded[axis] == 1 ? 0 : step
            step *= padded[axis]
        }
        let count = target.reduce(1, *)
        var result = [Bool](repeating: false, count: count)
        var index = [Int](repeating: 0, count: target.count)
        var source = 0
        for flat in 0..<count {
            result[flat] = values[source]
            // Advance the multi-index, keeping the source offset in step.
            var axis = target.count - 1
            while axis >= 0 {
                index[axis] += 1
                source += strides[axis]
                if index[axis] < target[axis] { break }
                source -= strides[axis] * index[axis]
                index[axis] = 0
                axis -= 1
            }
        }
        return result
    }

    /// Element-wise AND with broadcasting, or nil when the shapes do not broadcast.
    static func && (a: BooleanTensor, b: BooleanTensor) -> BooleanTensor? {
        guard let shape = broadcastShape(a.shape, b.shape) else { return nil }
        let (x, y) = (a.broadcast(to: shape), b.broadcast(to: shape))
        return BooleanTensor(shape: shape, values: zip(x, y).map { $0 && $1 })
    }
}

extension MultiHeadAttention {
    /// Which attention scores count, in the scores' layout `[batch, other axes..., heads, query attention
    /// axes..., value attention axes...]`, or nil when nothing is masked. Built as Keras 3.15.1 builds it: the
    /// query's mask expanded at -1, the value's and key's at -2, the causal and sliding-window masks
    /// (`[1, Tq, Tv]` over axis 1 of query and value), joined by AND with the `attention_mask` tensor under
    /// NumPy broadcasting, then expanded at `-2 * attention axes - 1` up to the scores' rank and spread over
    /// them. Shapes that Keras could not broadcast are refused with the shapes named.
    func allowedScores(
        query: [Int], value: [Int], masks: [Mask?], options: Attention.CallOptions, scoresShape: [Int], axisCount: Int
    ) throws -> [Bool]? {
        func fail(_ what: String) -> RecurrentError {
            RecurrentError(.shapeMismatch, layer: name, what)
        }
        func joined(_ mask: BooleanTensor?, _ other: BooleanTensor) throws -> BooleanTensor {
            guard let mask else { return other }
            guard let result = mask && other else {
                throw fail("the attention masks \(mask.shape) and \(other.shape) do not broadcast to one shape")
            }
            return result
        }
        var combined: BooleanTensor?
        let inputMasks = masks + Array(repeating: nil, count: max(0, 3 - masks.count))
        for (index, mask) in inputMasks.prefix(3).enumerated() {
            guard let mask else { continue }
            let tensor = BooleanTensor(shape: mask.shape, values: mask.values).expanded(at: index == 0 ? -1 : -2)!
            combined = try joined(combined, tensor)
        }
        let (tq, tv) = (query[1], value[1])
        if options.useCausalMask { combined = try joined(combined, .band(tq, tv) { $0 >= $1 }) }
        if let window = slidingWindow { combined = try joined(combined, .band(tq, tv) { abs($0 - $1) < window }) }
        if let tensor = options.attentionMask {
            let given = BooleanTensor(shape: tensor.shape, values: tensor.scalars.map { $0 != 0 })
            combined = try combined.map { auto in try joined(given, auto) } ?? given
        }
        guard var mask = combined else { return nil }
        let axis = -2 * axisCount - 1
        while mask.shape.count < scoresShape.count {
            guard let expanded = mask.expanded(at: axis) else {
                throw fail(
                    "an attention mask of shape \(mask.shape) cannot be expanded at axis \(axis) toward the scores \(scoresShape)"
                )
            }
            mask = expanded
        }
        guard BooleanTensor.broadcastShape(mask.shape, scoresShape) == scoresShape else {
            throw fail("the attention mask \(mask.shape) does not broadcast to the attention scores \(scoresShape)")
        }
        return mask.broadcast(to: scoresShape)
    }
}
