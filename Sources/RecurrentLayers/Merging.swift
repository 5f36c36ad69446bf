/// Keras's element-wise merge layers, called on a list of same-shaped tensors: Add, Subtract (two
/// inputs), Multiply, Average, Maximum, Minimum. Masks follow Keras 3.15.1: Add, Subtract and Average
/// ignore them in the values; Multiply treats masked steps as 1 (and zeroes steps no input keeps when
/// every input is masked); Maximum and Minimum take the other inputs' values at masked steps. The output
/// mask is the OR of the input masks when every input has one, and none otherwise.
public struct Merge: FeedForwardLayer {
    /// The element-wise operation.
    public enum Kind: String, Sendable {
        /// The inputs' sum.
        case add
        /// The first input minus the second.
        case subtract
        /// The inputs' product.
        case multiply
        /// The inputs' mean.
        case average
        /// The largest value of the inputs.
        case maximum
        /// The smallest value of the inputs.
        case minimum
    }

    public var name: String
    /// Which element-wise operation the layer applies.
    public var kind: Kind

    /// A merge layer of `kind` named `name`.
    public init(_ kind: Kind, name: String) {
        self.name = name
        self.kind = kind
    }

    public var takesList: Bool { true }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        try call([inputs], masks: [nil], training: training)
    }

    public func call(_ inputs: [Tensor], masks: [Mask?], training: Bool) throws -> Tensor {
        guard inputs.count >= (kind == .subtract ? 2 : 1), kind != .subtract || inputs.count == 2 else {
            throw RecurrentError(
                .countMismatch, layer: name,
                "a \(kind.rawValue) layer takes \(kind == .subtract ? "exactly 2" : "at least 1") inputs, received \(inputs.count)"
            )
        }
        let shape = inputs[0].shape
        guard inputs.allSatisfy({ $0.shape == shape }) else {
            throw RecurrentError(
                .shapeMismatch, layer: name, "the inputs' shapes differ: \(inputs.map(\.shape))")
        }
        // Each mask spread over its input's last axis (Keras's expand_dims + broadcast_to).
        let width = shape.last ?? 1
        let spread: [[Bool]?] = try inputs.indices.map { i in
            guard i < masks.count, let mask = masks[i] else { return nil }
            guard mask.values.count * width == inputs[i].count else {
                throw RecurrentError(
                    .shapeMismatch, layer: name, "mask \(mask.shape) does not fit input \(inputs[i].shape)")
            }
            return mask.values.flatMap { [Bool](repeating: $0, count: width) }
        }
        var output = inputs[0].scalars
        switch kind {
        case .add, .average:
            for x in inputs.dropFirst() { for j in output.indices { output[j] += x.scalars[j] } }
            if kind == .average { for j in output.indices { output[j] /= Float(inputs.count) } }
        case .subtract:
            for j in output.indices { output[j] -= inputs[1].scalars[j] }
        case .multiply:
            let everyMasked = spread.allSatisfy { $0 != nil }
            var kept = [Bool](repeating: false, count: output.count)
            output = [Float](repeating: 1, count: output.count)
            for (x, mask) in zip(inputs, spread) {
                for j in output.indices {
                    output[j] *= (mask?[j] ?? true) ? x.scalars[j] : 1
                    if mask?[j] == true { kept[j] = true }
                }
            }
            if everyMasked { for j in output.indices where !kept[j] { output[j] = 0 } }
        case .maximum, .minimum:
            var outputMask = spread[0]
            for (x, mask) in zip(inputs, spread).dropFirst() {
                var values = x.scalars
                if let mask { for j in values.indices where !mask[j] { values[j] = output[j] } }
                if let outputMask { for j in output.indices where !outputMask[j] { output[j] = values[j] } }
                if let mask, let current = outputMask {
                    outputMask = zip(current, mask).map { $0 || $1 }
                } else {
                    outputMask = nil
                }
                for j in output.indices {
                    output[j] = kind == .maximum ? max(output[j], values[j]) : min(output[j], values[j])
                }
            }
        }
        return Tensor(shape: shape, scalars: output)
    }

    public func outputMask(inputs: [Tensor], masks: [Mask?]) -> Mask? {
        guard masks.count == inputs.count, var result = masks.first ?? nil else { return nil }
        for mask in masks.dropFirst() {
            guard let mask, mask.shape == result.shape else { return nil }
            result.values = zip(result.values, mask.values).map { $0 || $1 }
        }
        return result
    }

    public func outputShape(inputShapes: [[Int?]]) -> [Int?] { inputShapes.first ?? [] }
}

/// Keras's `Concatenate`: joins a list of tensors along `axis` (negative counts from the end). The
/// output mask (Keras 3.15.1): for the last axis, a step is kept when any input keeps it (an input with
/// no mask keeps every step); for the steps axis, the masks joined; none when no input has a mask.
public struct Concatenate: FeedForwardLayer {
    public var name: String
    /// The axis the inputs are joined along (negative counts from the end).
    public var axis: Int

    /// Keras's `Concatenate(axis)`.
    public init(axis: Int = -1, name: String = "concatenate") {
        self.name = name
        self.axis = axis
    }

    public var takesList: Bool { true }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor { inputs }

    func resolvedAxis(_ rank: Int) -> Int { axis < 0 ? axis + rank : axis }

    public func call(_ inputs: [Tensor], masks: [Mask?], training: Bool) throws -> Tensor {
        guard let first = inputs.first else {
            throw RecurrentError(.countMismatch, layer: name, "Concatenate needs at least one input")
        }
        let axis = resolvedAxis(first.rank)
        guard axis >= 0, axis < first.rank,
            inputs.allSatisfy({
                $0.rank == first.rank
                    && $0.shape.enumerated().allSatisfy { $0.offset == axis || $0.element == first.shape[$0.offset] }
            })
        else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "A `Concatenate` layer requires inputs with matching shapes except for the concatenation axis (\(self.axis)). Received: input_shape=\(inputs.map(\.shape))"
            )
        }
        let outer = first.shape[..<axis].reduce(1, *)
        let inner = first.shape[(axis + 1)...].reduce(1, *)
        var values = [Float]()
        values.reserveCapacity(inputs.reduce(0) { $0 + $1.count })
        for o in 0..<outer {
            for x in inputs {
                let block = x.shape[axis] * inner
                values += x.scalars[(o * block)..<((o + 1) * block)]
            }
        }
        var shape = first.shape
        shape[axis] = inputs.reduce(0) { $0 + $1.shape[axis] }
        return Tensor(shape: shape, scalars: values)
    }

    public func outputMask(inputs: [Tensor], masks: [Mask?]) -> Mask? {
        guard let first = inputs.first, masks.contains(where: { $0 != nil }) else { return nil }
        let axis = resolvedAxis(first.rank)
        let full = inputs.indices.map { i -> Mask? in
            i < masks.count ? masks[i] : nil
        }
        if axis == first.rank - 1 {
            guard let shape = full.compactMap({ $0 }).first?.shape else { return nil }
            var values = [Bool](repeating: false, count: shape.reduce(1, *))
            for mask in full {
                guard let mask else { return Mask(shape: shape, values: values.map { _ in true }) }
                values = zip(values, mask.values).map { $0 || $1 }
            }
            return Mask(shape: shape, values: values)
        }
        guard axis == 1, first.rank >= 2 else { return nil }
        let batch = first.shape[0]
        var rows = [[Bool]](repeating: [], count: batch)
        for (x, mask) in zip(inputs, full) {
            for b in 0..<batch {
                rows[b] += (0..<x.shape[1]).map { t in mask.map { $0[b, t] } ?? true }
            }
        }
        return Mask(rows)
    }

    public func outputShape(inputShapes: [[Int?]]) -> [Int?] {
        guard var shape = inputShapes.first else { return [] }
        let axis = resolvedAxis(shape.count)
        guard axis >= 0, axis < shape.count else { return shape }
        shape[axis] = inputShapes.reduce(Optional(0)) { total, s in
            guard let total, axis < s.count, let size = s[axis] else { return nil }
            return total + size
        }
        return shape
    }
}

/// Keras's `Dot`: the batchwise dot product of two tensors over `axes` (one axis for both, or one each;
/// negative counts from the end), optionally of L2-normalized inputs (cosine similarity). No mask.
public struct Dot: FeedForwardLayer {
    public var name: String
    /// One axis for both inputs, or one each.
    public var axes: [Int]
    /// Keras's `normalize`: L2-normalize both inputs along the axes first (cosine similarity).
    public var normalize: Bool

    /// Keras's `Dot(axes, normalize)`; throws unless `axes` holds one or two integers.
    public init(axes: [Int], normalize: Bool = false, name: String = "dot") throws {
        guard axes.count == 1 || axes.count == 2 else {
            throw RecurrentError(.invalidArgument, layer: name, "axes must be one integer or two, received \(axes)")
        }
        self.name = name
        self.axes = axes
        self.normalize = normalize
    }

    public var takesList: Bool { true }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        try call([inputs], masks: [nil], training: training)
    }

    func resolved(_ ranks: [Int]) -> [Int] {
        (0..<2).map { i in
            let axis = axes.count == 1 ? axes[0] : axes[i]
            return axis < 0 ? axis + ranks[i] : axis
        }
    }

    public func call(_ inputs: [Tensor], masks: [Mask?], training: Bool) throws -> Tensor {
        guard inputs.count == 2 else {
            throw RecurrentError(
                .countMismatch, layer: name,
                "A `Dot` layer should be called on exactly 2 inputs, received \(inputs.count)")
        }
        var (x, y) = (inputs[0], inputs[1])
        let axes = resolved([x.rank, y.rank])
        guard x.rank >= 2, y.rank >= 2, x.shape[0] == y.shape[0], axes[0] > 0, axes[1] > 0, axes[0] < x.rank,
            axes[1] < y.rank, x.shape[axes[0]] == y.shape[axes[1]]
        else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "Incompatible input shapes for axes \(self.axes): \(x.shape) and \(y.shape)")
        }
        if normalize {
            x = Self.l2Normalized(x, axis: axes[0])
            y = Self.l2Normalized(y, axis: axes[1])
        }
        // Move the contracted axis last in x and first (after the batch) in y, then multiply per sample.
        let xOrder = (0..<x.rank).filter { $0 != axes[0] } + [axes[0]]
        let yOrder = [0, axes[1]] + (1..<y.rank).filter { $0 != axes[1] }
        let xp = x.permuted(xOrder)
        let yp = y.permuted(yOrder)
        let batch = x.shape[0]
        let k = x.shape[axes[0]]
        let m = x.count / batch / k
        let n = y.count / batch / k
        var values = [Float]()
        values.reserveCapacity(batch * m * n)
        for b in 0..<batch {
            values += Kernels.matmul(
                Array(xp.scalars[(b * m * k)..<((b + 1) * m * k)]), Array(yp.scalars[(b * k * n)..<((b + 1) * k * n)]),
                m: m, k: k, n: n)
        }
        var shape =
            [batch] + xOrder.dropFirst().dropLast().map { x.shape[$0] } + yOrder.dropFirst(2).map { y.shape[$0] }
        if shape.count == 1 { shape.append(1) }
        return Tensor(shape: shape, scalars: values)
    }

    /// `x / max(||x||, 1e-12)` along `axis`, as Keras's normalize.
    static func l2Normalized(_ x: Tensor, axis: Int) -> Tensor {
        let inner = x.shape[(axis + 1)...].reduce(1, *)
        let size = x.shape[axis]
        let outer = x.count / (inner * size)
        var result = x
        for o in 0..<outer {
            for i in 0..<inner {
                var sum: Float = 0
                for a in 0..<size { let v = x.scalars[(o * size + a) * inner + i]; sum += v * v }
                let norm = max(sum.squareRoot(), 1e-12)
                for a in 0..<size { result.scalars[(o * size + a) * inner + i] /= norm }
            }
        }
        return result
    }

    public func outputMask(inputs: [Tensor], masks: [Mask?]) -> Mask? { nil }

    public func outputShape(inputShapes: [[Int?]]) -> [Int?] {
        guard inputShapes.count == 2 else { return [] }
        let axes = resolved([inputShapes[0].count, inputShapes[1].count])
        var first = inputShapes[0]
        var second = inputShapes[1]
        guard axes[0] < first.count, axes[1] < second.count else { return [] }
        first.remove(at: axes[0])
        second.remove(at: axes[1])
        second.removeFirst()
        let shape = first + second
        return shape.count == 1 ? shape + [1] : shape
    }
}
