import Foundation

/// How a fresh weight is filled: Keras's initializers, with Keras's defaults and formulas.
///
/// Random initializers draw from `SeededGenerator`: the same distribution as Keras, not Keras's numbers.
public enum Initializer: Sendable, Equatable {
    /// All zeros.
    case zeros
    /// All ones.
    case ones
    /// Every value the given constant.
    case constant(Float)
    /// Normal samples with the given mean and standard deviation.
    case randomNormal(mean: Float = 0, stddev: Float = 0.05)
    /// Uniform samples in `[minval, maxval)`.
    case randomUniform(minval: Float = -0.05, maxval: Float = 0.05)
    /// Normal samples redrawn beyond two standard deviations.
    case truncatedNormal(mean: Float = 0, stddev: Float = 0.05)
    /// Uniform in `±sqrt(6 / (fan_in + fan_out))` (Keras's default kernel initializer).
    case glorotUniform
    /// Truncated normal with variance `2 / (fan_in + fan_out)`.
    case glorotNormal
    /// Uniform in `±sqrt(6 / fan_in)`.
    case heUniform
    /// Truncated normal with variance `2 / fan_in`.
    case heNormal
    /// Uniform in `±sqrt(3 / fan_in)`.
    case lecunUniform
    /// Truncated normal with variance `1 / fan_in`.
    case lecunNormal
    /// `scale / fan` variance with `mode` `fan_in`, `fan_out` or `fan_avg` and `distribution`
    /// `truncated_normal`, `untruncated_normal` or `uniform`.
    case varianceScaling(scale: Float, mode: String, distribution: String)
    /// A (semi-)orthogonal matrix times `gain` (Keras's default recurrent initializer).
    case orthogonal(gain: Float = 1)
    /// The identity matrix times `gain`.
    case identity(gain: Float = 1)
    /// No values yet: an empty placeholder for weights that will be set (loaded) before use, so that a
    /// layer built from a file's config does not first allocate and fill weights it is about to replace.
    case placeholder

    /// Keras's `compute_fans`: `(fan_in, fan_out)` of a weight shape.
    static func fans(_ shape: [Int]) -> (Float, Float) {
        switch shape.count {
        case 0: return (1, 1)
        case 1: return (Float(shape[0]), Float(shape[0]))
        case 2: return (Float(shape[0]), Float(shape[1]))
        default:
            let receptive = Float(shape.dropLast(2).reduce(1, *))
            return (Float(shape[shape.count - 2]) * receptive, Float(shape[shape.count - 1]) * receptive)
        }
    }

    /// The most values one initializer creates: 2^31 (8 GiB of float32), far beyond any recurrent model;
    /// sizes from a config (`units` near `Int.max`) are refused before any allocation.
    public static let elementLimit = 1 << 31

    /// A tensor of `shape` filled by this initializer.
    /// - Throws: `RecurrentError.invalidArgument` for `identity` on a non-matrix or an unknown
    ///   variance-scaling mode or distribution.
    package func make(_ shape: [Int], generator: inout SeededGenerator) throws -> Tensor {
        if case .placeholder = self { return Tensor(shape: [0], scalars: []) }
        let (count, overflow) = Tensor.checkedCount(shape)
        guard !overflow, count <= Self.elementLimit else {
            throw RecurrentError(
                .invalidArgument,
                "a weight of shape \(shape) is too large to create (over \(Self.elementLimit) values)")
        }
        switch self {
        case .placeholder: return Tensor(shape: [0], scalars: [])
        case .zeros: return .zeros(shape)
        case .ones: return Tensor(repeating: 1, shape: shape)
        case .constant(let value): return Tensor(repeating: value, shape: shape)
        case .randomNormal(let mean, let stddev):
            return Tensor(shape: shape, scalars: (0..<count).map { _ in mean + stddev * generator.normal() })
        case .randomUniform(let low, let high):
            return Tensor(shape: shape, scalars: (0..<count).map { _ in generator.uniform(low, high) })
        case .truncatedNormal(let mean, let stddev):
            return Tensor(shape: shape, scalars: (0..<count).map { _ in mean + stddev * generator.truncatedNormal() })
        case .glorotUniform:
            return try Self.varianceScaling(scale: 1, mode: "fan_avg", distribution: "uniform").make(
                shape, generator: &generator)
        case .glorotNormal:
            return try Self.varianceScaling(scale: 1, mode: "fan_avg", distribution: "truncated_normal").make(
                shape, generator: &generator)
        case .heUniform:
            return try Self.varianceScaling(scale: 2, mode: "fan_in", distribution: "uniform").make(
                shape, generator: &generator)
        case .heNormal:
            return try Self.varianceScaling(scale: 2, mode: "fan_in", distribution: "truncated_normal").make(
                shape, generator: &generator)
        case .lecunUniform:
            return try Self.varianceScaling(scale: 1, mode: "fan_in", distribution: "uniform").make(
                shape, generator: &generator)
        case .lecunNormal:
            return try Self.varianceScaling(scale: 1, mode: "fan_in", distribution: "truncated_normal").make(
                shape, generator: &generator)
        case .varianceScaling(let scale, let mode, let distribution):
            let (fanIn, fanOut) = Self.fans(shape)
            let fan: Float
            switch mode {
            case "fan_in": fan = fanIn
            case "fan_out": fan = fanOut
            case "fan_avg": fan = (fanIn + fanOut) / 2
            default: throw RecurrentError(.invalidArgument, "unknown variance-scaling mode '\(mode)'")
            }
            let variance = scale / max(1, fan)
            switch distribution {
            case "truncated_normal", "normal":
                let stddev = variance.squareRoot() / 0.879_625_661_034_239_78
                return Tensor(shape: shape, scalars: (0..<count).map { _ in stddev * generator.truncatedNormal() })
            case "untruncated_normal":
                return Tensor(
                    shape: shape, scalars: (0..<count).map { _ in variance.squareRoot() * generator.normal() })
            case "uniform":
                let limit = (3 * variance).squareRoot()
                return Tensor(shape: shape, scalars: (0..<count).map { _ in generator.uniform(-limit, limit) })
            default:
                throw RecurrentError(.invalidArgument, "unknown variance-scaling distribution '\(distribution)'")
            }
        case .orthogonal(let gain):
            return Self.orthogonal(shape, gain: gain, generator: &generator)
        case .identity(let gain):
            guard shape.count == 2 else {
                throw RecurrentError(.invalidArgument, "the identity initializer needs a matrix, not shape \(shape)")
            }
            var tensor = Tensor.zeros(shape)
            for i in 0..<min(shape[0], shape[1]) { tensor[i, i] = gain }
            return tensor
        }
    }

    /// Keras's orthogonal initializer: a random normal matrix `[rows, cols]` (rows = all but the last
    /// dimension), made orthonormal by QR with the signs of R's diagonal, transposed when wider than tall.
    static func orthogonal(_ shape: [Int], gain: Float, generator: inout SeededGenerator) -> Tensor {
        guard let cols = shape.last, shape.count >= 2 else {
            return Tensor(shape: shape, scalars: (0..<shape.reduce(1, *)).map { _ in gain * generator.normal() })
        }
        let rows = shape.dropLast().reduce(1, *)
        let (tall, short) = (max(rows, cols), min(rows, cols))
        // Columns of a random [tall, short] matrix, orthonormalised (modified Gram-Schmidt: Q of QR, with
        // R's diagonal positive, which is Keras's sign correction).
        var columns = (0..<short).map { _ in (0..<tall).map { _ in Double(generator.normal()) } }
        for j in 0..<short {
            for i in 0..<j {
                let dot = zip(columns[i], columns[j]).reduce(0) { $0 + $1.0 * $1.1 }
                for r in 0..<tall { columns[j][r] -= dot * columns[i][r] }
            }
            let norm = columns[j].reduce(0) { $0 + $1 * $1 }.squareRoot()
            for r in 0..<tall { columns[j][r] /= max(norm, 1e-12) }
        }
        var scalars = [Float](repeating: 0, count: rows * cols)
        for r in 0..<rows {
            for c in 0..<cols {
                let value = rows >= cols ? columns[c][r] : columns[r][c]
                scalars[r * cols + c] = gain * Float(value)
            }
        }
        return Tensor(shape: shape, scalars: scalars)
    }
}
