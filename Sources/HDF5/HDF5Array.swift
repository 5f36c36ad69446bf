/// Values read from or written to a dataset or attribute, with their shape.
///
/// Storage is row-major (C order), the order libhdf5 and NumPy use. A scalar has shape `[]` and one value;
/// a zero-length array has a zero in its shape and no values.
public struct HDF5Array<Element: Sendable>: Sendable {
    /// The extent of each dimension, outermost first: `[rows, columns]` for a matrix.
    public var shape: [Int]
    /// Every element in row-major order; `values.count` is the product of `shape`.
    public var values: [Element]

    /// Creates an array; `values.count` must equal the product of `shape`.
    public init(shape: [Int], values: [Element]) {
        precondition(shape.reduce(1, *) == values.count, "HDF5Array: \(values.count) values do not fill shape \(shape)")
        self.shape = shape
        self.values = values
    }

    /// True for shape `[]`.
    public var isScalar: Bool { shape.isEmpty }
}

extension HDF5Array: Equatable where Element: Equatable {}
