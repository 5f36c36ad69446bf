/// Keras's regularization layers that are the identity at inference: `SpatialDropout1D` (in training,
/// whole channels dropped per sample and the rest scaled by `1 / (1 - rate)`), `GaussianNoise` (adds
/// normal noise of `stddev`), `GaussianDropout` (multiplies by normal noise of mean 1 and standard
/// deviation `sqrt(rate / (1 - rate))`) and `ActivityRegularization` (adds a loss, never changes values).
/// Training-mode noise is reproducible by `seed`, not Keras's random stream. The mask passes through.
public struct NoiseLayer: FeedForwardLayer {
    /// The layer and its parameter.
    public enum Kind: Sendable, Equatable {
        /// Keras's `SpatialDropout1D(rate)`.
        case spatialDropout1D(rate: Float)
        /// Keras's `SpatialDropout2D(rate)` (rank 2) or `SpatialDropout3D(rate)` (rank 3): whole channels.
        case spatialDropout(rate: Float, rank: Int, channelsFirst: Bool)
        /// Keras's `GaussianNoise(stddev)`.
        case gaussianNoise(stddev: Float)
        /// Keras's `GaussianDropout(rate)`.
        case gaussianDropout(rate: Float)
        /// Keras's `ActivityRegularization(l1, l2)`.
        case activityRegularization(l1: Float, l2: Float)
    }

    public var name: String
    /// Which regularization layer this is.
    public var kind: Kind
    /// The seed of the training-mode noise.
    public var seed: UInt64

    /// One of the noise layers; throws for a rate outside [0, 1) or a negative standard deviation.
    public init(_ kind: Kind, seed: UInt64 = 0, name: String) throws {
        switch kind {
        case .spatialDropout1D(let rate), .gaussianDropout(let rate), .spatialDropout(let rate, _, _):
            guard rate >= 0 && rate < 1 else {
                throw RecurrentError(
                    .invalidArgument, layer: name,
                    "Invalid value received for argument `rate`. Expected a float value between 0 and 1. Received: rate=\(rate)"
                )
            }
        case .gaussianNoise(let stddev):
            guard stddev >= 0 else {
                throw RecurrentError(.invalidArgument, layer: name, "stddev must not be negative, received \(stddev)")
            }
        case .activityRegularization:
            break
        }
        self.name = name
        self.kind = kind
        self.seed = seed
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        guard training else { return inputs }
        var generator = SeededGenerator(seed: seed)
        var result = inputs
        switch kind {
        case .spatialDropout1D(let rate):
            guard inputs.rank == 3, rate > 0 else { return inputs }
            let (batch, steps, channels) = (inputs.shape[0], inputs.shape[1], inputs.shape[2])
            let keep = 1 / (1 - rate)
            for b in 0..<batch {
                for c in 0..<channels {
                    let factor = generator.uniform(0, 1) < rate ? Float(0) : keep
                    for t in 0..<steps { result.scalars[(b * steps + t) * channels + c] *= factor }
                }
            }
        case .spatialDropout(let rate, let rank, let channelsFirst):
            guard inputs.rank == rank + 2, rate > 0 else { return inputs }
            let batch = inputs.shape[0]
            let channels = channelsFirst ? inputs.shape[1] : inputs.shape[rank + 1]
            let positions = inputs.count / max(batch * channels, 1)
            let keep = 1 / (1 - rate)
            for b in 0..<batch {
                for c in 0..<channels {
                    let factor = generator.uniform(0, 1) < rate ? Float(0) : keep
                    for p in 0..<positions {
                        let index =
                            channelsFirst ? (b * channels + c) * positions + p : (b * positions + p) * channels + c
                        result.scalars[index] *= factor
                    }
                }
            }
        case .gaussianNoise(let stddev):
            for j in result.scalars.indices { result.scalars[j] += stddev * generator.normal() }
        case .gaussianDropout(let rate):
            let stddev = (rate / (1 - rate)).squareRoot()
            for j in result.scalars.indices { result.scalars[j] *= 1 + stddev * generator.normal() }
        case .activityRegularization:
            break
        }
        return result
    }
}
