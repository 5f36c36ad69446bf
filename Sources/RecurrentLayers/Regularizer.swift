/// Keras's weight regularizers: a penalty added to the training loss, by Keras 3's formulas.
public enum Regularizer: Sendable, Equatable {
    /// `l1 · Σ|w|` (Keras default 0.01).
    case l1(Float)
    /// `l2 · Σw²` (Keras default 0.01).
    case l2(Float)
    /// `l1 · Σ|w| + l2 · Σw²` (Keras defaults 0 and 0).
    case l1l2(l1: Float, l2: Float)
    /// Keras's `OrthogonalRegularizer`: how far the rows (or columns) of a matrix are from orthogonal,
    /// `factor · 0.5 · Σ|off-diagonal of N·Nᵀ| / pairs` with N the L2-normalised rows (columns).
    case orthogonal(factor: Float, mode: OrthogonalMode)

    /// Which side of the matrix `OrthogonalRegularizer` wants orthogonal.
    public enum OrthogonalMode: String, Sendable, Equatable {
        /// The rows (Keras's `mode="rows"`, the default).
        case rows
        /// The columns.
        case columns
    }

    /// The penalty for `weights`.
    /// - Throws: `RecurrentError.invalidArgument` for the orthogonal regularizer on a non-matrix.
    public func penalty(_ weights: Tensor) throws -> Float {
        switch self {
        case .l1(let l1): return l1 * weights.scalars.reduce(0) { $0 + abs($1) }
        case .l2(let l2): return l2 * weights.scalars.reduce(0) { $0 + $1 * $1 }
        case .l1l2(let l1, let l2):
            var total: Float = 0
            if l1 != 0 { total += try Regularizer.l1(l1).penalty(weights) }
            if l2 != 0 { total += try Regularizer.l2(l2).penalty(weights) }
            return total
        case .orthogonal(let factor, let mode):
            guard weights.rank == 2 else {
                throw RecurrentError(
                    .invalidArgument,
                    "Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape=\(weights.shape)")
            }
            let (rows, cols) = (weights.shape[0], weights.shape[1])
            let vectors =
                mode == .rows
                ? (0..<rows).map { r in Array(weights.scalars[(r * cols)..<((r + 1) * cols)]) }
                : (0..<cols).map { c in (0..<rows).map { weights.scalars[$0 * cols + c] } }
            let normalized = vectors.map(Self.normalize)
            let size = normalized.count
            var sum: Float = 0
            for i in 0..<size {
                for j in 0..<size where i != j {
                    sum += abs(zip(normalized[i], normalized[j]).reduce(0) { $0 + $1.0 * $1.1 })
                }
            }
            let pairs = Float(size) * (Float(size) - 1) / 2
            return factor * 0.5 * sum / pairs
        }
    }

    /// Keras's L2 normalisation: `x · min(1/√Σx², 1/ε)`.
    static func normalize(_ vector: [Float]) -> [Float] {
        let inverse = min(1 / vector.reduce(0) { $0 + $1 * $1 }.squareRoot(), 1 / Constraint.epsilon)
        return vector.map { $0 * inverse }
    }
}

/// Keras's weight constraints: a projection applied to a weight after each training update.
public enum Constraint: Sendable, Equatable {
    /// Scales each slice (over `axis`) down to at most `maxValue` L2 norm (Keras default 2, axis 0).
    case maxNorm(maxValue: Float, axis: [Int])
    /// `max(w, 0)`.
    case nonNeg
    /// Scales each slice to unit L2 norm (axis 0).
    case unitNorm(axis: [Int])
    /// Pulls each slice's norm into `[minValue, maxValue]` at `rate` (Keras defaults 0, 1, 1, axis 0).
    case minMaxNorm(minValue: Float, maxValue: Float, rate: Float, axis: [Int])

    /// Keras's `backend.epsilon()`.
    static let epsilon: Float = 1e-7

    /// The constrained weights.
    public func apply(_ weights: Tensor) -> Tensor {
        switch self {
        case .nonNeg:
            return Tensor(shape: weights.shape, scalars: weights.scalars.map { max($0, 0) })
        case .maxNorm(let maxValue, let axis):
            return Self.rescale(weights, axis: axis) { norm in min(max(norm, 0), maxValue) / (Self.epsilon + norm) }
        case .unitNorm(let axis):
            return Self.rescale(weights, axis: axis) { norm in 1 / (Self.epsilon + norm) }
        case .minMaxNorm(let minValue, let maxValue, let rate, let axis):
            return Self.rescale(weights, axis: axis) { norm in
                (rate * min(max(norm, minValue), maxValue) + (1 - rate) * norm) / (Self.epsilon + norm)
            }
        }
    }

    /// Multiplies every element by `factor(norm)`, the norm taken over `axis` (negative axes count from
    /// the end), as `keepdims=True` reductions broadcast back.
    static func rescale(_ weights: Tensor, axis: [Int], factor: (Float) -> Float) -> Tensor {
        let rank = weights.rank
        let reduced = Set(axis.map { $0 < 0 ? $0 + rank : $0 })
        // Each element's slice key: its index with the reduced axes set to zero.
        var strides = [Int](repeating: 1, count: rank)
        for d in stride(from: rank - 2, through: 0, by: -1) { strides[d] = strides[d + 1] * weights.shape[d + 1] }
        func key(_ offset: Int) -> Int {
            var key = 0
            for d in 0..<rank where !reduced.contains(d) {
                key += ((offset / strides[d]) % weights.shape[d]) * strides[d]
            }
            return key
        }
        var squares: [Int: Float] = [:]
        for (offset, value) in weights.scalars.enumerated() { squares[key(offset), default: 0] += value * value }
        let factors = squares.mapValues { factor($0.squareRoot()) }
        return Tensor(shape: weights.shape, scalars: weights.scalars.enumerated().map { $1 * factors[key($0)]! })
    }
}

/// A recurrent cell's per-weight regularizers and constraints (Keras's `kernel_regularizer`,
/// `recurrent_regularizer`, `bias_regularizer`, `kernel_constraint`, ...).
public struct CellRules: Sendable, Equatable {
    /// The penalty on the kernel (Keras's `kernel_regularizer`).
    public var kernelRegularizer: Regularizer?
    /// The penalty on the recurrent kernel (Keras's `recurrent_regularizer`).
    public var recurrentRegularizer: Regularizer?
    /// The penalty on the bias (Keras's `bias_regularizer`).
    public var biasRegularizer: Regularizer?
    /// The projection applied to the kernel after each training update (Keras's `kernel_constraint`).
    public var kernelConstraint: Constraint?
    /// The projection applied to the recurrent kernel after each update (Keras's `recurrent_constraint`).
    public var recurrentConstraint: Constraint?
    /// The projection applied to the bias after each update (Keras's `bias_constraint`).
    public var biasConstraint: Constraint?

    /// The cell's regularizers and constraints; nil for none, as Keras's defaults.
    public init(
        kernelRegularizer: Regularizer? = nil, recurrentRegularizer: Regularizer? = nil,
        biasRegularizer: Regularizer? = nil,
        kernelConstraint: Constraint? = nil, recurrentConstraint: Constraint? = nil, biasConstraint: Constraint? = nil
    ) {
        self.kernelRegularizer = kernelRegularizer
        self.recurrentRegularizer = recurrentRegularizer
        self.biasRegularizer = biasRegularizer
        self.kernelConstraint = kernelConstraint
        self.recurrentConstraint = recurrentConstraint
        self.biasConstraint = biasConstraint
    }

    /// The sum of the regularizers' penalties on the cell's weights.
    func penalty(_ weights: CellWeights) throws -> Float {
        let pairs: [(Regularizer?, Tensor?)] = [
            (kernelRegularizer, weights.kernel), (recurrentRegularizer, weights.recurrentKernel),
            (biasRegularizer, weights.bias),
        ]
        return try pairs.reduce(0) { total, pair in
            guard let regularizer = pair.0, let tensor = pair.1 else { return total }
            return total + (try regularizer.penalty(tensor))
        }
    }

    /// Applies the constraints to the cell's weights.
    func constrain(_ weights: inout CellWeights) {
        if let kernelConstraint { weights.kernel = kernelConstraint.apply(weights.kernel) }
        if let recurrentConstraint { weights.recurrentKernel = recurrentConstraint.apply(weights.recurrentKernel) }
        if let biasConstraint, let bias = weights.bias { weights.bias = biasConstraint.apply(bias) }
    }
}
