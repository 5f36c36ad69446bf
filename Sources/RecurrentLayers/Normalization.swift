/// Keras's `BatchNormalization` over one axis: at inference `(x - moving_mean) / sqrt(moving_variance +
/// epsilon) * gamma + beta`; in training the batch's own mean and variance over every other axis
/// (Keras also updates the moving statistics in training, which RNNKit does not). Weights, in Keras's
/// order: `gamma` (when `scale`), `beta` (when `center`), `moving_mean`, `moving_variance`, each
/// `[size of axis]`. The mask passes through.
public struct BatchNormalization: FeedForwardLayer {
    public var name: String
    /// The normalized axis (negative counts from the end).
    public var axis: Int
    /// Added to the variance before the square root.
    public var epsilon: Float
    /// Keras's `center`: the layer adds `beta`.
    public var center: Bool
    /// Keras's `scale`: the layer multiplies by `gamma`.
    public var scale: Bool
    /// `[size of axis]`, or nil without `scale`.
    public var gamma: Tensor?
    /// `[size of axis]`, or nil without `center`.
    public var beta: Tensor?
    /// The mean used at inference, `[size of axis]`.
    public var movingMean: Tensor
    /// The variance used at inference, `[size of axis]`.
    public var movingVariance: Tensor

    /// A layer for `size` features along `axis`, with Keras's initial values (gamma 1, beta 0, mean 0,
    /// variance 1).
    public init(
        size: Int, axis: Int = -1, epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true,
        name: String = "batch_normalization"
    ) {
        self.name = name
        self.axis = axis
        self.epsilon = epsilon
        self.center = center
        self.scale = scale
        gamma = scale ? Tensor(repeating: 1, shape: [size]) : nil
        beta = center ? .zeros([size]) : nil
        movingMean = .zeros([size])
        movingVariance = Tensor(repeating: 1, shape: [size])
    }

    public var weightSlots: [WeightSlot] {
        let shape = movingMean.shape
        return (scale ? [WeightSlot(name: "gamma", shape: shape)] : [])
            + (center ? [WeightSlot(name: "beta", shape: shape)] : [])
            + [WeightSlot(name: "moving_mean", shape: shape), WeightSlot(name: "moving_variance", shape: shape)]
    }

    public var weights: [Tensor] {
        (gamma.map { [$0] } ?? []) + (beta.map { [$0] } ?? []) + [movingMean, movingVariance]
    }

    public mutating func setWeights(_ weights: [Tensor]) throws {
        try checkWeights(weights, against: weightSlots, layer: name)
        var rest = weights[...]
        if scale { gamma = rest.removeFirst() }
        if center { beta = rest.removeFirst() }
        movingMean = rest.removeFirst()
        movingVariance = rest.removeFirst()
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        let axis = self.axis < 0 ? self.axis + inputs.rank : self.axis
        let size = movingMean.count
        guard axis >= 0, axis < inputs.rank, inputs.shape[axis] == size else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "expected inputs whose axis \(self.axis) has size \(size), received shape \(inputs.shape)")
        }
        let inner = inputs.shape[(axis + 1)...].reduce(1, *)
        let outer = inputs.count / (inner * size)
        var mean = movingMean.scalars
        var variance = movingVariance.scalars
        if training {
            let n = Float(outer * inner)
            for a in 0..<size {
                var sum: Float = 0
                for o in 0..<outer { for i in 0..<inner { sum += inputs.scalars[(o * size + a) * inner + i] } }
                mean[a] = sum / n
                var squares: Float = 0
                for o in 0..<outer {
                    for i in 0..<inner {
                        let d = inputs.scalars[(o * size + a) * inner + i] - mean[a]
                        squares += d * d
                    }
                }
                variance[a] = squares / n
            }
        }
        var result = inputs
        for a in 0..<size {
            // Keras's batch_normalization: x * (rsqrt(var + eps) * gamma) + (beta - mean * that).
            let factor = (1 / (variance[a] + epsilon).squareRoot()) * (gamma?.scalars[a] ?? 1)
            let offset = (beta?.scalars[a] ?? 0) - mean[a] * factor
            for o in 0..<outer {
                for i in 0..<inner {
                    let j = (o * size + a) * inner + i
                    result.scalars[j] = inputs.scalars[j] * factor + offset
                }
            }
        }
        return result
    }
}

/// Keras's `LayerNormalization` over trailing axes: each sample's values over `axes` normalized to zero
/// mean and unit variance (`epsilon` added to the variance), then `* gamma + beta`; with Keras's
/// deprecated `rms_scaling`, `x * rsqrt(variance + epsilon) * gamma` (no centering, no beta). Weights:
/// `gamma` (when `scale` or `rms_scaling`) and `beta` (when `center` without `rms_scaling`), shaped like
/// the normalized axes. The mask passes through.
public struct LayerNormalization: FeedForwardLayer {
    public var name: String
    /// Non-negative axes, sorted; they must be the last ones.
    public var axes: [Int]
    /// Added to the variance before the square root.
    public var epsilon: Float
    /// Keras's deprecated `rms_scaling`: scale by the root mean square only.
    public var rmsScaling: Bool
    /// Shaped like the normalized axes, or nil without `scale` (and without `rmsScaling`).
    public var gamma: Tensor?
    /// Shaped like the normalized axes, or nil without `center` (or with `rmsScaling`).
    public var beta: Tensor?
    var normalizedShape: [Int]

    /// A layer for inputs of shape `inputShape` (batch first; nil for unknown), normalizing `axes`.
    public init(
        inputShape: [Int?], axes: [Int] = [-1], epsilon: Float = 1e-3, center: Bool = true, scale: Bool = true,
        rmsScaling: Bool = false, name: String = "layer_normalization"
    ) throws {
        let rank = inputShape.count
        let resolved = axes.map { $0 < 0 ? $0 + rank : $0 }.sorted()
        guard !resolved.isEmpty, resolved == Array((rank - resolved.count)..<rank), resolved.first! > 0,
            resolved.allSatisfy({ inputShape[$0] != nil })
        else {
            throw RecurrentError(
                .invalidArgument, layer: name,
                "axis \(axes) must name the last axes of inputs \(inputShape), with known sizes (other axes are not supported)"
            )
        }
        self.name = name
        self.axes = resolved
        self.epsilon = epsilon
        self.rmsScaling = rmsScaling
        normalizedShape = resolved.map { inputShape[$0]! }
        gamma = scale || rmsScaling ? Tensor(repeating: 1, shape: normalizedShape) : nil
        beta = center && !rmsScaling ? .zeros(normalizedShape) : nil
    }

    public var weightSlots: [WeightSlot] {
        (gamma != nil ? [WeightSlot(name: "gamma", shape: normalizedShape)] : [])
            + (beta != nil ? [WeightSlot(name: "beta", shape: normalizedShape)] : [])
    }

    public var weights: [Tensor] { (gamma.map { [$0] } ?? []) + (beta.map { [$0] } ?? []) }

    public mutating func setWeights(_ weights: [Tensor]) throws {
        try checkWeights(weights, against: weightSlots, layer: name)
        var rest = weights[...]
        if gamma != nil { gamma = rest.removeFirst() }
        if beta != nil { beta = rest.removeFirst() }
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        let width = normalizedShape.reduce(1, *)
        guard inputs.rank == (axes.last ?? 0) + 1, Array(inputs.shape.suffix(normalizedShape.count)) == normalizedShape
        else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "expected inputs ending in \(normalizedShape), received shape \(inputs.shape)")
        }
        var result = inputs
        for row in 0..<(inputs.count / width) {
            let slice = inputs.scalars[(row * width)..<((row + 1) * width)]
            let mean = slice.reduce(0, +) / Float(width)
            let variance = slice.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Float(width)
            let inv = 1 / (variance + epsilon).squareRoot()
            for j in 0..<width {
                let x = inputs.scalars[row * width + j]
                let g = gamma?.scalars[j] ?? 1
                result.scalars[row * width + j] =
                    rmsScaling ? x * inv * g : x * (inv * g) + ((beta?.scalars[j] ?? 0) - mean * inv * g)
            }
        }
        return result
    }
}
