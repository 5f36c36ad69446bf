/// Keras's `UpSampling1D/2D/3D` with nearest-neighbour interpolation: each step (1D) or spatial position
/// repeated `size` times along its axis. `[batch, steps, features]` for 1D; `[batch, spatial...,
/// channels]` (channels first with `channelsFirst`) for 2D and 3D. UpSampling2D's `bilinear`
/// interpolation samples the input at `(out + 0.5) / size - 0.5` (half-pixel centres, edges clamped),
/// as Keras 3's image resize and TensorFlow's do. No mask passes on.
public struct UpSampling: FeedForwardLayer {
    /// The layer's name.
    public var name: String
    /// The repeat count per spatial axis (one for 1D, two for 2D, three for 3D).
    public var size: [Int]
    /// Channels before the spatial dimensions (Keras's `channels_first`; 2D and 3D only).
    public var channelsFirst: Bool
    /// UpSampling2D's `interpolation="bilinear"`; nearest otherwise.
    public var bilinear = false

    /// The number of spatial axes.
    public var rank: Int { size.count }

    /// Keras's `UpSampling1D(size)`, `UpSampling2D(size)` or `UpSampling3D(size)`; throws for a size that
    /// is not positive or a rank outside 1...3.
    public init(size: [Int], channelsFirst: Bool = false, name: String) throws {
        guard (1...3).contains(size.count), size.allSatisfy({ $0 > 0 }), !(channelsFirst && size.count == 1) else {
            throw RecurrentError(
                .invalidArgument, layer: name, "size \(size) must hold 1 to 3 positive integers (channels last for 1D)")
        }
        self.name = name
        self.size = size
        self.channelsFirst = channelsFirst
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        let x = try spatialInput(inputs, rank: rank, channels: nil, channelsFirst: channelsFirst, layer: name)
        let output = zip(x.shape[1...rank], size).map { $0 * $1 }
        if bilinear && rank == 2 { return interpolated(x, into: output) }
        return rearranged(x, into: output, channelsFirst: channelsFirst) { axis, at in at / size[axis] }
    }

    /// Bilinear upsampling of a channels-last `[batch, rows, columns, channels]` tensor.
    private func interpolated(_ x: Tensor, into output: [Int]) -> Tensor {
        let (batch, rows, columns, channels) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        /// For each output position along an axis: the two input positions and the second one's weight.
        func samples(_ count: Int, input: Int, scale: Int) -> [(Int, Int, Float)] {
            (0..<count).map { at in
                let source = max((Float(at) + 0.5) / Float(scale) - 0.5, 0)
                let low = min(Int(source), input - 1)
                return (low, min(low + 1, input - 1), source - Float(low))
            }
        }
        let down = samples(output[0], input: rows, scale: size[0])
        let across = samples(output[1], input: columns, scale: size[1])
        var values = [Float](repeating: 0, count: batch * output[0] * output[1] * channels)
        x.scalars.withUnsafeBufferPointer { source in
            for b in 0..<batch {
                for (row, (top, bottom, dy)) in down.enumerated() {
                    for (column, (left, right, dx)) in across.enumerated() {
                        let out = ((b * output[0] + row) * output[1] + column) * channels
                        func at(_ r: Int, _ c: Int) -> Int { ((b * rows + r) * columns + c) * channels }
                        let (a, bb, cc, d) = (at(top, left), at(top, right), at(bottom, left), at(bottom, right))
                        for channel in 0..<channels {
                            let upper = source[a + channel] * (1 - dx) + source[bb + channel] * dx
                            let lower = source[cc + channel] * (1 - dx) + source[d + channel] * dx
                            values[out + channel] = upper * (1 - dy) + lower * dy
                        }
                    }
                }
            }
        }
        let result = Tensor(shape: [batch] + output + [channels], scalars: values)
        return channelsFirst ? result.permuted([0, 3, 1, 2]) : result
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { nil }

    public func outputShape(inputShape: [Int?]) -> [Int?] {
        spatialOutputShape(inputShape, rank: rank, channelsFirst: channelsFirst) { axis, length in length * size[axis] }
    }
}

/// Keras's `ZeroPadding2D/3D` (zeros added before and after each spatial axis) and `Cropping2D/3D`
/// (positions removed there), on `[batch, spatial..., channels]` (channels first with `channelsFirst`).
/// No mask passes on.
public struct Border: FeedForwardLayer {
    /// Which of the two layers.
    public enum Kind: Sendable {
        /// Cropping2D/3D: positions removed.
        case crop
        /// ZeroPadding2D/3D: zeros added.
        case pad
    }

    /// The layer's name.
    public var name: String
    /// Cropping or padding.
    public var kind: Kind
    /// `(before, after)` per spatial axis.
    public var amounts: [(before: Int, after: Int)]
    /// Channels before the spatial dimensions (Keras's `channels_first`).
    public var channelsFirst: Bool

    /// The number of spatial axes: 2 or 3.
    public var rank: Int { amounts.count }

    /// Keras's `ZeroPadding2D/3D(padding)` or `Cropping2D/3D(cropping)`; throws for a negative amount or a
    /// rank other than 2 or 3.
    public init(_ kind: Kind, amounts: [(before: Int, after: Int)], channelsFirst: Bool = false, name: String) throws {
        guard (2...3).contains(amounts.count), amounts.allSatisfy({ $0.before >= 0 && $0.after >= 0 }) else {
            throw RecurrentError(
                .invalidArgument, layer: name,
                "\(kind == .crop ? "cropping" : "padding") must be 2 or 3 pairs of non-negative integers")
        }
        self.name = name
        self.kind = kind
        self.amounts = amounts
        self.channelsFirst = channelsFirst
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        let x = try spatialInput(inputs, rank: rank, channels: nil, channelsFirst: channelsFirst, layer: name)
        let spatial = Array(x.shape[1...rank])
        let sign = kind == .pad ? 1 : -1
        let output = spatial.indices.map { spatial[$0] + sign * (amounts[$0].before + amounts[$0].after) }
        guard output.allSatisfy({ $0 > 0 }) else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "cropping \(amounts.map { [$0.before, $0.after] }) leaves nothing of \(spatial)")
        }
        return rearranged(x, into: output, channelsFirst: channelsFirst) { axis, at in
            at - sign * amounts[axis].before
        }
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { nil }

    public func outputShape(inputShape: [Int?]) -> [Int?] {
        let sign = kind == .pad ? 1 : -1
        return spatialOutputShape(inputShape, rank: rank, channelsFirst: channelsFirst) { axis, length in
            length + sign * (amounts[axis].before + amounts[axis].after)
        }
    }
}

/// `x` (`[batch, spatial..., channels]`) rearranged over `output` spatial positions, each taking the
/// channels of the input position `source(axis, index)` gives per axis (zeros where that falls outside
/// the input), and moved back to channels first when the layer keeps them there.
func rearranged(_ x: Tensor, into output: [Int], channelsFirst: Bool, source: (Int, Int) -> Int) -> Tensor {
    let rank = output.count
    let (batch, channels) = (x.shape[0], x.shape[rank + 1])
    let spatial = Array(x.shape[1...rank])
    let (positions, inputPositions) = (output.reduce(1, *), spatial.reduce(1, *))
    var values = [Float](repeating: 0, count: batch * positions * channels)
    var position = [Int](repeating: 0, count: rank)
    for p in 0..<positions {
        var from = 0
        var inside = true
        for axis in 0..<rank {
            let at = source(axis, position[axis])
            if at < 0 || at >= spatial[axis] { inside = false }
            from = from * spatial[axis] + at
        }
        if inside {
            for b in 0..<batch {
                let start = (b * inputPositions + from) * channels
                let to = (b * positions + p) * channels
                for c in 0..<channels { values[to + c] = x.scalars[start + c] }
            }
        }
        Tensor.advance(&position, within: output)
    }
    let result = Tensor(shape: [batch] + output + [channels], scalars: values)
    return channelsFirst ? result.permuted([0, rank + 1] + Array(1...rank)) : result
}

/// The output shape of a layer over `rank` spatial axes that keeps the batch and channels and maps each
/// known spatial length with `length(axis, input length)`.
func spatialOutputShape(_ inputShape: [Int?], rank: Int, channelsFirst: Bool, length: (Int, Int) -> Int) -> [Int?] {
    guard inputShape.count == rank + 2 else { return inputShape }
    let first = channelsFirst ? 2 : 1
    var shape = inputShape
    for axis in 0..<rank { shape[first + axis] = inputShape[first + axis].map { length(axis, $0) } }
    return shape
}
