/// An n-dimensional array of float32 values: RNNKit's compute type, as Keras computes in float32.
///
/// Storage is row-major: for shape `[batch, timesteps, features]` the element `[b, t, f]` is at
/// `b * timesteps * features + t * features + f`.
///
/// ```swift
/// let x = Tensor(shape: [2, 3], scalars: [1, 2, 3, 4, 5, 6])
/// x[1, 2]  // 6
/// ```
public struct Tensor: Sendable, Equatable, CustomStringConvertible {
    /// The extent of each dimension, outermost first.
    public private(set) var shape: [Int]
    /// Every value in row-major order; `scalars.count` is the product of `shape`.
    public var scalars: [Float]

    /// A tensor of `shape` holding `scalars` in row-major order.
    public init(shape: [Int], scalars: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "Tensor: negative dimension in \(shape)")
        precondition(shape.reduce(1, *) == scalars.count, "Tensor: \(scalars.count) values do not fill shape \(shape)")
        self.shape = shape
        self.scalars = scalars
    }

    /// A tensor of `shape` with every element equal to `value`.
    public init(repeating value: Float, shape: [Int]) {
        self.init(shape: shape, scalars: Array(repeating: value, count: shape.reduce(1, *)))
    }

    /// The number of elements of `shape`, with `overflow` set when the product does not fit an `Int` or
    /// an extent is negative: how sizes that come from files are computed before anything is allocated.
    public static func checkedCount(_ shape: [Int]) -> (partialValue: Int, overflow: Bool) {
        var count = 1
        for extent in shape {
            guard extent >= 0 else { return (0, true) }
            let product = count.multipliedReportingOverflow(by: extent)
            if product.overflow { return (0, true) }
            count = product.partialValue
        }
        return (count, false)
    }

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int]) -> Tensor { Tensor(repeating: 0, shape: shape) }

    /// The number of dimensions.
    public var rank: Int { shape.count }

    /// The number of elements.
    public var count: Int { scalars.count }

    /// The element at a full index.
    public subscript(indices: Int...) -> Float {
        get { scalars[offset(indices)] }
        set { scalars[offset(indices)] = newValue }
    }

    private func offset(_ indices: [Int]) -> Int {
        precondition(indices.count == shape.count, "Tensor: index \(indices) for shape \(shape)")
        var offset = 0
        for (index, extent) in zip(indices, shape) {
            precondition(index >= 0 && index < extent, "Tensor: index \(indices) out of range for shape \(shape)")
            offset = offset * extent + index
        }
        return offset
    }

    /// The same values viewed with another shape of the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, scalars: scalars)
    }

    /// Swaps the first two dimensions: `[a, b, rest...]` becomes `[b, a, rest...]` (time-major <-> batch-major).
    public func swappingFirstTwoAxes() -> Tensor {
        precondition(rank >= 2, "Tensor: cannot swap the first two axes of shape \(shape)")
        let (a, b) = (shape[0], shape[1])
        let inner = shape.dropFirst(2).reduce(1, *)
        var result = [Float](repeating: 0, count: count)
        for i in 0..<a {
            for j in 0..<b {
                let from = (i * b + j) * inner
                let to = (j * a + i) * inner
                result.replaceSubrange(to..<(to + inner), with: scalars[from..<(from + inner)])
            }
        }
        return Tensor(shape: [b, a] + shape.dropFirst(2), scalars: result)
    }

    /// `Tensor(shape: [...], scalars: [...])`.
    public var description: String { "Tensor(shape: \(shape), scalars: \(scalars))" }
}
