/// Keras's `Dropout`: the identity at inference; in training each element is zeroed with probability
/// `rate` and the rest scaled by `1 / (1 - rate)`, reproducibly from `seed`.
public struct Dropout: FeedForwardLayer {
    public var name: String
    /// The fraction of inputs set to zero in training (the rest are scaled by `1 / (1 - rate)`).
    public var rate: Float
    /// Dimensions of the dropped mask, 1 where it is shared (Keras's `noise_shape`); nil for the input's own.
    public var noiseShape: [Int?]?
    /// The seed of the dropout masks' random numbers.
    public var seed: UInt64

    /// Keras's `Dropout(rate, noise_shape, seed)`; throws when `rate` is outside [0, 1].
    public init(rate: Float, noiseShape: [Int?]? = nil, seed: UInt64 = 0, name: String = "dropout") throws {
        guard rate >= 0 && rate <= 1 else {
            throw RecurrentError(
                .invalidArgument, layer: name,
                "Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=\(rate)"
            )
        }
        self.name = name
        self.rate = rate
        self.noiseShape = noiseShape
        self.seed = seed
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        guard training, rate > 0 else { return inputs }
        var generator = SeededGenerator(seed: seed)
        guard rate < 1 else { return .zeros(inputs.shape) }
        // The mask's shape: noise_shape, with unknown dimensions taken from the input.
        let maskShape = (noiseShape ?? inputs.shape.map { Optional($0) }).enumerated().map { $1 ?? inputs.shape[$0] }
        guard maskShape.count == inputs.rank, zip(maskShape, inputs.shape).allSatisfy({ $0 == 1 || $0 == $1 }) else {
            throw RecurrentError(
                .shapeMismatch, layer: name, "noise shape \(maskShape) does not broadcast to inputs \(inputs.shape)")
        }
        let keep = 1 / (1 - rate)
        let mask = (0..<maskShape.reduce(1, *)).map { _ in generator.uniform(0, 1) < rate ? Float(0) : keep }
        var result = inputs
        var index = [Int](repeating: 0, count: inputs.rank)
        for i in 0..<inputs.count {
            var offset = 0
            for axis in 0..<inputs.rank { offset = offset * maskShape[axis] + (maskShape[axis] == 1 ? 0 : index[axis]) }
            result.scalars[i] *= mask[offset]
            Tensor.advance(&index, within: inputs.shape)
        }
        return result
    }
}
