/// The few tensor operations a custom cell needs; built-in layers use `Kernels` directly.
extension Tensor {
    /// Matrix product of `[m, k]` and `[k, n]`.
    public func matmul(_ other: Tensor) -> Tensor {
        precondition(rank == 2 && other.rank == 2 && shape[1] == other.shape[0], "matmul: \(shape) x \(other.shape)")
        let (m, k, n) = (shape[0], shape[1], other.shape[1])
        return Tensor(shape: [m, n], scalars: Kernels.matmul(scalars, other.scalars, m: m, k: k, n: n))
    }

    /// Element-wise sum of two tensors of the same shape.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        precondition(lhs.shape == rhs.shape, "+: \(lhs.shape) and \(rhs.shape)")
        return Tensor(shape: lhs.shape, scalars: zip(lhs.scalars, rhs.scalars).map(+))
    }

    /// Element-wise product of two tensors of the same shape.
    public static func * (lhs: Tensor, rhs: Tensor) -> Tensor {
        precondition(lhs.shape == rhs.shape, "*: \(lhs.shape) and \(rhs.shape)")
        return Tensor(shape: lhs.shape, scalars: zip(lhs.scalars, rhs.scalars).map(*))
    }

    /// Every element plus a scalar.
    public static func + (lhs: Tensor, rhs: Float) -> Tensor {
        Tensor(shape: lhs.shape, scalars: lhs.scalars.map { $0 + rhs })
    }
}
