import Foundation

/// Keras's `ReLU` layer: `max_value` where `x >= max_value`, `x` where `threshold <= x`, and
/// `negative_slope * (x - threshold)` below. The mask passes through.
public struct ReLULayer: FeedForwardLayer {
    /// The layer's name.
    public var name: String
    /// The largest output (Keras's `max_value`); nil for none.
    public var maxValue: Float?
    /// The slope below the threshold (Keras's `negative_slope`).
    public var negativeSlope: Float
    /// Where the function bends (Keras's `threshold`).
    public var threshold: Float
    /// Read from (and written as) Keras's `LeakyReLU`, the same function with only `negative_slope`.
    public var leaky = false

    /// Keras's `ReLU(max_value, negative_slope, threshold)`; throws for a negative `max_value` or slope.
    public init(maxValue: Float? = nil, negativeSlope: Float = 0, threshold: Float = 0, name: String = "re_lu") throws {
        guard (maxValue ?? 0) >= 0, negativeSlope >= 0 else {
            throw RecurrentError(
                .invalidArgument, layer: name, "max_value and negative_slope must not be negative")
        }
        self.name = name
        self.maxValue = maxValue
        self.negativeSlope = negativeSlope
        self.threshold = threshold
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        var result = inputs
        for index in result.scalars.indices {
            let x = result.scalars[index]
            var y = x >= threshold ? x : negativeSlope * (x - threshold)
            if let maxValue, x >= maxValue { y = maxValue }
            result.scalars[index] = y
        }
        return result
    }
}

/// Keras's `ELU` layer: `x` for `x > 0`, `alpha * (e^x - 1)` below. The mask passes through.
public struct ELU: FeedForwardLayer {
    /// The layer's name.
    public var name: String
    /// The scale of the negative part.
    public var alpha: Float

    /// Keras's `ELU(alpha)`.
    public init(alpha: Float = 1, name: String = "elu") {
        self.name = name
        self.alpha = alpha
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        Activation.elu(alpha: alpha)(inputs)
    }
}

/// Keras's `PReLU`: `x` for `x >= 0`, `alpha * x` below, with `alpha` learned per element of the input
/// (shared along `sharedAxes`). Weight: `alpha`, shaped like the input without its batch axis, with 1 on
/// the shared axes. The mask passes through.
public struct PReLU: FeedForwardLayer {
    /// The layer's name.
    public var name: String
    /// The slopes below zero, `[input shape without batch]` with 1 on the shared axes.
    public var alpha: Tensor

    /// Keras's `PReLU(shared_axes)` for inputs of shape `inputShape` (without the batch axis), with zero
    /// slopes until `setWeights`; `sharedAxes` count from 1, as Keras's do.
    public init(inputShape: [Int], sharedAxes: [Int] = [], name: String = "p_re_lu") throws {
        guard sharedAxes.allSatisfy({ (1...inputShape.count).contains($0) }), inputShape.allSatisfy({ $0 > 0 }) else {
            throw RecurrentError(
                .invalidArgument, layer: name, "shared_axes \(sharedAxes) do not fit an input of shape \(inputShape)")
        }
        self.name = name
        self.alpha = .zeros(inputShape.indices.map { sharedAxes.contains($0 + 1) ? 1 : inputShape[$0] })
    }

    public var weightSlots: [WeightSlot] { [WeightSlot(name: "alpha", shape: alpha.shape)] }
    public var weights: [Tensor] { [alpha] }

    public mutating func setWeights(_ weights: [Tensor]) throws {
        try checkWeights(weights, against: weightSlots, layer: name)
        alpha = weights[0]
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        let shape = Array(inputs.shape.dropFirst())
        guard shape.count == alpha.rank, zip(shape, alpha.shape).allSatisfy({ $0 == $1 || $1 == 1 }) else {
            throw RecurrentError(
                .shapeMismatch, layer: name, "alpha has shape \(alpha.shape), the input \(inputs.shape)")
        }
        var result = inputs
        let sample = shape.reduce(1, *)
        var position = [Int](repeating: 0, count: shape.count)
        for offset in 0..<sample {
            var slope = 0
            for axis in shape.indices {
                slope = slope * alpha.shape[axis] + (alpha.shape[axis] == 1 ? 0 : position[axis])
            }
            let a = alpha.scalars[slope]
            for b in 0..<(inputs.shape.first ?? 0) {
                let x = result.scalars[b * sample + offset]
                if x < 0 { result.scalars[b * sample + offset] = a * x }
            }
            Tensor.advance(&position, within: shape)
        }
        return result
    }
}

/// Keras's `Softmax` layer over `axis` (negative counts from the end). With a mask `[batch, timesteps]`,
/// as Keras 3.15.1 does: masked positions take `-1e9` before the softmax and 0 after it (so a fully
/// masked row is zeros, not uniform). The mask passes through.
public struct Softmax: FeedForwardLayer {
    /// The layer's name.
    public var name: String
    /// The axis the probabilities sum to one along.
    public var axis: Int

    /// Keras's `Softmax(axis)`.
    public init(axis: Int = -1, name: String = "softmax") {
        self.name = name
        self.axis = axis
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        try call(inputs, mask: nil, training: training)
    }

    public func call(_ inputs: Tensor, mask: Mask?, training: Bool) throws -> Tensor {
        let axis = self.axis < 0 ? inputs.rank + self.axis : self.axis
        guard (1..<inputs.rank).contains(axis) else {
            throw RecurrentError(.shapeMismatch, layer: name, "axis \(self.axis) is not an axis of \(inputs.shape)")
        }
        var x = inputs
        if let mask {
            guard mask.shape == Array(inputs.shape.prefix(2)) else {
                throw RecurrentError(
                    .shapeMismatch, layer: name, "the mask has shape \(mask.shape), the inputs \(inputs.shape)")
            }
            let inner = inputs.shape.dropFirst(2).reduce(1, *)
            for (index, keep) in mask.values.enumerated() where !keep {
                for j in 0..<inner { x.scalars[index * inner + j] = -1e9 }
            }
        }
        // Move the axis last, take the softmax of each row, move it back.
        let order = Array(0..<inputs.rank).filter { $0 != axis } + [axis]
        var moved = x.permuted(order)
        Kernels.softmaxRows(&moved.scalars, width: inputs.shape[axis], log: false)
        var back = [Int](repeating: 0, count: inputs.rank)
        for (position, source) in order.enumerated() { back[source] = position }
        var result = moved.permuted(back)
        if let mask {
            let inner = inputs.shape.dropFirst(2).reduce(1, *)
            for (index, keep) in mask.values.enumerated() where !keep {
                for j in 0..<inner { result.scalars[index * inner + j] = 0 }
            }
        }
        return result
    }
}

/// Keras's `Rescaling`: `x * scale + offset`, with `scale` and `offset` one number each or one per
/// channel (the last axis). The mask passes through.
public struct Rescaling: FeedForwardLayer {
    /// The layer's name.
    public var name: String
    /// One factor, or one per channel.
    public var scale: [Float]
    /// One offset, or one per channel.
    public var offset: [Float]

    /// Keras's `Rescaling(scale, offset)`; throws for an empty list.
    public init(scale: [Float], offset: [Float] = [0], name: String = "rescaling") throws {
        guard !scale.isEmpty, !offset.isEmpty else {
            throw RecurrentError(.invalidArgument, layer: name, "scale and offset must hold at least one number")
        }
        self.name = name
        self.scale = scale
        self.offset = offset
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        let channels = inputs.shape.last ?? 1
        guard [1, channels].contains(scale.count), [1, channels].contains(offset.count) else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "scale (\(scale.count) values) and offset (\(offset.count)) do not fit \(channels) channels")
        }
        var result = inputs
        for index in result.scalars.indices {
            let c = index % channels
            result.scalars[index] =
                result.scalars[index] * scale[scale.count == 1 ? 0 : c] + offset[offset.count == 1 ? 0 : c]
        }
        return result
    }
}

/// Keras's `Normalization` (preprocessing): `(x - mean) / max(sqrt(variance), 1e-7)` along `axis`, or the
/// inverse with `invert`. Its statistics come from the config (`mean`, `variance`) or, after `adapt`, from
/// its weights `mean`, `variance` (shaped like the normalized axis) and `count`. The mask passes through.
public struct Normalization: FeedForwardLayer {
    /// The layer's name.
    public var name: String
    /// The axis with one mean and variance per position (the last by default).
    public var axis: Int
    /// Keras's `invert`: the layer undoes a normalization instead.
    public var invert: Bool
    /// The means along `axis`.
    public var mean: Tensor
    /// The variances along `axis`.
    public var variance: Tensor
    /// Whether the statistics are weights of the file (an adapted layer) rather than config values.
    public var statisticsAreWeights: Bool
    /// The number of samples `adapt` saw (a weight Keras keeps; unused at inference).
    public var count: Tensor

    /// Keras's `Normalization(axis, mean, variance, invert)` over `size` positions of `axis`; with nil
    /// statistics they are weights, set with `setWeights` (`mean`, `variance`, `count`).
    public init(
        axis: Int = -1, size: Int, mean: [Float]? = nil, variance: [Float]? = nil, invert: Bool = false,
        name: String = "normalization"
    ) throws {
        guard size > 0, (mean == nil) == (variance == nil) else {
            throw RecurrentError(
                .invalidArgument, layer: name, "mean and variance must be given together, for a known axis size")
        }
        func spread(_ values: [Float]?) throws -> Tensor {
            guard let values else { return .zeros([size]) }
            guard values.count == 1 || values.count == size else {
                throw RecurrentError(
                    .invalidArgument, layer: name, "\(values.count) statistics for an axis of size \(size)")
            }
            return Tensor(shape: [size], scalars: values.count == 1 ? Array(repeating: values[0], count: size) : values)
        }
        self.name = name
        self.axis = axis
        self.invert = invert
        self.mean = try spread(mean)
        self.variance = try spread(variance)
        self.statisticsAreWeights = mean == nil
        self.count = .zeros([])
    }

    public var weightSlots: [WeightSlot] {
        guard statisticsAreWeights else { return [] }
        return [
            WeightSlot(name: "mean", shape: mean.shape), WeightSlot(name: "variance", shape: variance.shape),
            WeightSlot(name: "count", shape: []),
        ]
    }

    public var weights: [Tensor] { statisticsAreWeights ? [mean, variance, count] : [] }

    public mutating func setWeights(_ weights: [Tensor]) throws {
        try checkWeights(weights, against: weightSlots, layer: name)
        guard statisticsAreWeights else { return }
        (mean, variance, count) = (weights[0], weights[1], weights[2])
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        let axis = self.axis < 0 ? inputs.rank + self.axis : self.axis
        guard (1..<inputs.rank).contains(axis), inputs.shape[axis] == mean.count else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "axis \(self.axis) of the input \(inputs.shape) must have the \(mean.count) positions of the statistics"
            )
        }
        let inner = inputs.shape[(axis + 1)...].reduce(1, *)
        let size = mean.count
        var result = inputs
        for index in result.scalars.indices {
            let p = (index / inner) % size
            let deviation = max(variance.scalars[p].squareRoot(), 1e-7)
            let x = result.scalars[index]
            result.scalars[index] = invert ? mean.scalars[p] + x * deviation : (x - mean.scalars[p]) / deviation
        }
        return result
    }
}
