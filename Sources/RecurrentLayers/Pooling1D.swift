/// Keras's `MaxPooling1D` and `AveragePooling1D` (channels last): the maximum or mean of each window of
/// `poolSize` steps, every `stride` steps, per channel. `same` padding averages over the window's real
/// steps only, as Keras's backends do. Keras 3 drops the input's mask.
public struct Pooling1D: FeedForwardLayer {
    /// What a window reduces to.
    public enum Kind: Sendable {
        /// Its largest value (MaxPooling).
        case max
        /// Its mean (AveragePooling).
        case average
    }

    public var name: String
    /// Maximum or mean.
    public var kind: Kind
    /// The window's length in steps (Keras's `pool_size`).
    public var poolSize: Int
    /// The step between windows (Keras's `strides`; `poolSize` by default).
    public var stride: Int
    /// `valid` or `same`.
    public var padding: Padding

    /// Keras's `MaxPooling1D`/`AveragePooling1D`; throws for a non-positive size or stride, or `causal` padding.
    public init(_ kind: Kind, poolSize: Int = 2, stride: Int? = nil, padding: Padding = .valid, name: String) throws {
        guard poolSize > 0, (stride ?? poolSize) > 0, padding != .causal else {
            throw RecurrentError(
                .invalidArgument, layer: name,
                "pool_size (\(poolSize)) and strides must be positive and padding 'valid' or 'same'")
        }
        self.name = name
        self.kind = kind
        self.poolSize = poolSize
        self.stride = stride ?? poolSize
        self.padding = padding
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        let (batch, steps, channels) = try sequenceShape(inputs, layer: name)
        let (length, before) = padding.outputLength(steps, window: poolSize, stride: stride)
        var output = [Float](repeating: 0, count: batch * length * channels)
        for b in 0..<batch {
            for o in 0..<length {
                let first = max(o * stride - before, 0)
                let last = min(o * stride - before + poolSize, steps)
                for c in 0..<channels {
                    var value: Float = kind == .max ? -.infinity : 0
                    for t in first..<last {
                        let x = inputs.scalars[(b * steps + t) * channels + c]
                        value = kind == .max ? max(value, x) : value + x
                    }
                    output[(b * length + o) * channels + c] = kind == .max ? value : value / Float(last - first)
                }
            }
        }
        return Tensor(shape: [batch, length, channels], scalars: output)
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { nil }

    public func outputShape(inputShape: [Int?]) -> [Int?] {
        let steps = inputShape.count > 1 ? inputShape[1] : nil
        return [
            inputShape.first ?? nil, steps.map { padding.outputLength($0, window: poolSize, stride: stride).length },
            inputShape.last ?? nil,
        ]
    }
}

/// Keras's `GlobalMaxPooling1D` and `GlobalAveragePooling1D` (channels last): the maximum or mean over
/// the steps. The average honours the input's mask (the mean of the unmasked steps, as Keras 3); the
/// maximum ignores it. Neither passes a mask on.
public struct GlobalPooling1D: FeedForwardLayer {
    public var name: String
    /// Maximum or mean.
    public var kind: Pooling1D.Kind
    /// Keep the steps axis (length 1), Keras's `keepdims`.
    public var keepDims: Bool

    /// Keras's `GlobalMaxPooling1D`/`GlobalAveragePooling1D`.
    public init(_ kind: Pooling1D.Kind, keepDims: Bool = false, name: String) {
        self.name = name
        self.kind = kind
        self.keepDims = keepDims
    }

    public func call(_ inputs: Tensor, training: Bool) throws -> Tensor {
        try call(inputs, mask: nil, training: training)
    }

    public func call(_ inputs: Tensor, mask: Mask?, training: Bool) throws -> Tensor {
        let (batch, steps, channels) = try sequenceShape(inputs, layer: name)
        let mask = kind == .average ? mask : nil
        if let mask, mask.shape != [batch, steps] {
            throw RecurrentError(
                .shapeMismatch, layer: name, "the mask has shape \(mask.shape), the inputs \(inputs.shape)")
        }
        var output = [Float](repeating: 0, count: batch * channels)
        for b in 0..<batch {
            for c in 0..<channels {
                var value: Float = kind == .max ? -.infinity : 0
                var count: Float = 0
                for t in 0..<steps where mask?[b, t] ?? true {
                    let x = inputs.scalars[(b * steps + t) * channels + c]
                    value = kind == .max ? max(value, x) : value + x
                    count += 1
                }
                // Keras divides by the mask's sum: a fully masked row is 0 / 0.
                output[b * channels + c] = kind == .max ? value : value / count
            }
        }
        return Tensor(shape: keepDims ? [batch, 1, channels] : [batch, channels], scalars: output)
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { nil }

    public func outputShape(inputShape: [Int?]) -> [Int?] {
        keepDims
            ? [inputShape.first ?? nil, 1, inputShape.last ?? nil] : [inputShape.first ?? nil, inputShape.last ?? nil]
    }
}
