/// Which timesteps of each sequence are real (`true`) and which are padding (`false`): shape
/// `[batch, timesteps]` (or `[timesteps, batch]` for a time-major layer), as Keras masks are.
public struct Mask: Sendable, Equatable {
    /// `[batch, timesteps]`, or `[timesteps, batch]` alongside time-major inputs.
    public private(set) var shape: [Int]
    /// Row-major values.
    public var values: [Bool]

    /// A mask of `shape` (`[batch, timesteps]`) with its row-major values; the count must match the shape.
    public init(shape: [Int], values: [Bool]) {
        precondition(
            shape.count == 2 && shape[0] * shape[1] == values.count, "Mask: \(values.count) values for shape \(shape)")
        self.shape = shape
        self.values = values
    }

    /// A mask from rows of booleans, one row per sample: `Mask([[true, true, false]])`.
    public init(_ rows: [[Bool]]) {
        let width = rows.first?.count ?? 0
        precondition(rows.allSatisfy { $0.count == width }, "Mask: rows of different lengths")
        self.init(shape: [rows.count, width], values: rows.flatMap { $0 })
    }

    /// The mask value for sample `b` at time `t` of a `[batch, timesteps]` mask.
    public subscript(b: Int, t: Int) -> Bool { values[b * shape[1] + t] }

    /// The mask with its two axes swapped.
    func transposed() -> Mask {
        var result = [Bool](repeating: false, count: values.count)
        for i in 0..<shape[0] {
            for j in 0..<shape[1] { result[j * shape[0] + i] = values[i * shape[1] + j] }
        }
        return Mask(shape: [shape[1], shape[0]], values: result)
    }
}
