/// Keras's shape layers: Flatten, Reshape, Permute, RepeatVector, Cropping1D and ZeroPadding1D. None
/// of them passes a mask on (Keras 3 drops it).
public struct Flatten: FeedForwardLayer {
    public var name: String

    /// Keras's `Flatten()`: `[batch, d1, d2, ...]` to `[batch, d1 · d2 · ...]`.
    public init(name: String = "flatten") { self.name = name }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        guard inputs.rank >= 1 else {
            throw RecurrentError(.shapeMismatch, layer: name, "expected inputs with a batch axis, received a scalar")
        }
        let batch = inputs.shape[0]
        return inputs.reshaped([batch, batch == 0 ? 0 : inputs.count / batch])
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { nil }

    public func outputShape(inputShape: [Int?]) -> [Int?] {
        let rest = inputShape.dropFirst()
        return [inputShape.first ?? nil, rest.contains(nil) ? nil : rest.reduce(1) { $0 * ($1 ?? 1) }]
    }
}

/// Keras's `Reshape`: the non-batch axes become `targetShape` (one entry may be -1, inferred).
public struct Reshape: FeedForwardLayer {
    public var name: String
    /// The non-batch shape of the output; one entry may be -1 (inferred).
    public var targetShape: [Int]

    /// Keras's `Reshape(target_shape)`; throws for more than one -1 or a non-positive size.
    public init(targetShape: [Int], name: String = "reshape") throws {
        guard targetShape.filter({ $0 == -1 }).count <= 1, targetShape.allSatisfy({ $0 > 0 || $0 == -1 }) else {
            throw RecurrentError(
                .invalidArgument, layer: name,
                "target_shape \(targetShape) must hold positive sizes and at most one -1")
        }
        self.name = name
        self.targetShape = targetShape
    }

    func resolved(_ count: Int) throws -> [Int] {
        let known = targetShape.filter { $0 != -1 }.reduce(1, *)
        guard known > 0, count % known == 0, targetShape.contains(-1) || known == count else {
            throw RecurrentError(
                .shapeMismatch, layer: name, "cannot reshape \(count) values per sample into \(targetShape)")
        }
        return targetShape.map { $0 == -1 ? count / known : $0 }
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        let batch = inputs.shape.first ?? 1
        return inputs.reshaped([batch] + (try resolved(batch == 0 ? 0 : inputs.count / batch)))
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { nil }

    public func outputShape(inputShape: [Int?]) -> [Int?] {
        let rest = inputShape.dropFirst()
        let count = rest.contains(nil) ? nil : rest.reduce(1) { $0 * ($1 ?? 1) }
        let resolved = count.flatMap { try? self.resolved($0) }
        return [inputShape.first ?? nil] + (resolved?.map { Optional($0) } ?? targetShape.map { $0 == -1 ? nil : $0 })
    }
}

/// Keras's `Permute`: reorders the non-batch axes; `dims` counts them from 1, as Keras does.
public struct Permute: FeedForwardLayer {
    public var name: String
    /// The new order of the non-batch axes, counted from 1.
    public var dims: [Int]

    /// Keras's `Permute(dims)`; throws unless `dims` is a permutation of 1...n.
    public init(dims: [Int], name: String = "permute") throws {
        guard dims.sorted() == Array(1...max(dims.count, 1)) || dims.isEmpty else {
            throw RecurrentError(
                .invalidArgument, layer: name,
                "Invalid permutation argument `dims` for Permute Layer. The set of indices in `dims` must be consecutive and start from 1. Received dims=\(dims)"
            )
        }
        self.name = name
        self.dims = dims
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        guard inputs.rank == dims.count + 1 else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "dims \(dims) need inputs of rank \(dims.count + 1), received \(inputs.shape)")
        }
        return inputs.permuted([0] + dims)
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { nil }

    public func outputShape(inputShape: [Int?]) -> [Int?] {
        guard inputShape.count == dims.count + 1 else { return inputShape }
        return [inputShape[0]] + dims.map { inputShape[$0] }
    }
}

/// Keras's `RepeatVector`: `[batch, features]` to `[batch, n, features]`.
public struct RepeatVector: FeedForwardLayer {
    public var name: String
    /// How many times the input is repeated.
    public var n: Int

    /// Keras's `RepeatVector(n)`.
    public init(_ n: Int, name: String = "repeat_vector") {
        self.name = name
        self.n = n
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        guard inputs.rank == 2 else {
            throw RecurrentError(
                .shapeMismatch, layer: name, "expected inputs [batch, features], received shape \(inputs.shape)")
        }
        let (batch, features) = (inputs.shape[0], inputs.shape[1])
        var values = [Float]()
        values.reserveCapacity(batch * n * features)
        for b in 0..<batch {
            let row = inputs.scalars[(b * features)..<((b + 1) * features)]
            for _ in 0..<n { values += row }
        }
        return Tensor(shape: [batch, n, features], scalars: values)
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { nil }

    public func outputShape(inputShape: [Int?]) -> [Int?] { [inputShape.first ?? nil, n, inputShape.last ?? nil] }
}

/// Keras's `Cropping1D` (steps removed at the start and the end) and `ZeroPadding1D` (zero steps added),
/// on `[batch, steps, features]`.
public struct Steps1D: FeedForwardLayer {
    /// Which of the two layers.
    public enum Kind: Sendable {
        /// Cropping1D: steps removed.
        case crop
        /// ZeroPadding1D: zero steps added.
        case pad
    }

    public var name: String
    /// Cropping or padding.
    public var kind: Kind
    /// Steps removed or added at the start.
    public var before: Int
    /// Steps removed or added at the end.
    public var after: Int

    /// Keras's `Cropping1D((before, after))` or `ZeroPadding1D((before, after))`; throws for a negative count.
    public init(_ kind: Kind, before: Int, after: Int, name: String) throws {
        guard before >= 0, after >= 0 else {
            throw RecurrentError(
                .invalidArgument, layer: name, "\(kind == .crop ? "cropping" : "padding") must not be negative")
        }
        self.name = name
        self.kind = kind
        self.before = before
        self.after = after
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        let (batch, steps, features) = try sequenceShape(inputs, layer: name)
        switch kind {
        case .crop:
            guard before + after < steps else {
                throw RecurrentError(
                    .shapeMismatch, layer: name,
                    "cropping (\(before), \(after)) leaves no steps of \(steps)")
            }
            let length = steps - before - after
            var values = [Float]()
            values.reserveCapacity(batch * length * features)
            for b in 0..<batch {
                values += inputs.scalars[((b * steps + before) * features)..<((b * steps + before + length) * features)]
            }
            return Tensor(shape: [batch, length, features], scalars: values)
        case .pad:
            let length = steps + before + after
            var values = [Float](repeating: 0, count: batch * length * features)
            for b in 0..<batch {
                values.replaceSubrange(
                    ((b * length + before) * features)..<((b * length + before + steps) * features),
                    with: inputs.scalars[((b * steps) * features)..<((b + 1) * steps * features)])
            }
            return Tensor(shape: [batch, length, features], scalars: values)
        }
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { nil }

    public func outputShape(inputShape: [Int?]) -> [Int?] {
        guard inputShape.count == 3 else { return inputShape }
        let change = kind == .crop ? -(before + after) : before + after
        return [inputShape[0], inputShape[1].map { $0 + change }, inputShape[2]]
    }
}

extension Tensor {
    /// The tensor with its axes reordered: axis `i` of the result is axis `axes[i]` of this one.
    public func permuted(_ axes: [Int]) -> Tensor {
        precondition(axes.sorted() == Array(0..<rank), "permuted: \(axes) is not a permutation of \(rank) axes")
        let newShape = axes.map { shape[$0] }
        var strides = [Int](repeating: 1, count: rank)
        for axis in stride(from: rank - 2, through: 0, by: -1) { strides[axis] = strides[axis + 1] * shape[axis + 1] }
        let sourceStrides = axes.map { strides[$0] }
        var values = [Float](repeating: 0, count: count)
        var index = [Int](repeating: 0, count: rank)
        for i in 0..<count {
            var offset = 0
            for axis in 0..<rank { offset += index[axis] * sourceStrides[axis] }
            values[i] = scalars[offset]
            Self.advance(&index, within: newShape)
        }
        return Tensor(shape: newShape, scalars: values)
    }

    /// Steps a row-major multi-index to the next element of `shape` (the last axis fastest).
    static func advance(_ index: inout [Int], within shape: [Int]) {
        var axis = shape.count - 1
        while axis >= 0 {
            index[axis] += 1
            if index[axis] < shape[axis] { return }
            index[axis] = 0
            axis -= 1
        }
    }
}

/// The `[batch, steps, channels]` of a sequence input, or an error naming the layer and the shape.
func sequenceShape(_ inputs: Tensor, layer: String) throws -> (batch: Int, steps: Int, channels: Int) {
    guard inputs.rank == 3 else {
        throw RecurrentError(
            .shapeMismatch, layer: layer, "expected inputs [batch, steps, channels], received shape \(inputs.shape)")
    }
    return (inputs.shape[0], inputs.shape[1], inputs.shape[2])
}
