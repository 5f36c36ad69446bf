import CKernels

/// Keras's `Conv2D` and `Conv3D`: `activation(conv(x, kernel) + bias)` over `[batch, spatial...,
/// channels]` (`[batch, channels, spatial...]` with `channelsFirst`), with `strides`, `dilation_rate`,
/// `groups` and padding `valid` or `same`. Weights: `kernel [kernel..., channels / groups, filters]`,
/// `bias [filters]`. Keras 3 drops the input's mask. The windows are gathered into rows and one matrix
/// product does the rest (the kernel ConvLSTM uses).
public struct Convolution: KernelAndBiasLayer {
    /// The layer's name.
    public var name: String
    /// The number of output channels.
    public var filters: Int
    /// The kernel's extent in each spatial dimension (2 of them for Conv2D, 3 for Conv3D).
    public var kernelSize: [Int]
    /// The step between applications of the kernel, per spatial dimension (Keras's `strides`).
    public var strides: [Int]
    /// The spacing of the kernel's taps, per spatial dimension (Keras's `dilation_rate`).
    public var dilation: [Int]
    /// The number of channel groups convolved apart (Keras's `groups`).
    public var groups: Int
    /// `valid` or `same`.
    public var padding: Padding
    /// Keras's `data_format="channels_first"`: channels before the spatial dimensions.
    public var channelsFirst: Bool
    /// The activation applied to the output.
    public var activation: Activation
    /// True when the layer adds a bias.
    public var useBias: Bool
    /// `[kernel..., channels / groups, filters]`.
    public var kernel: Tensor
    /// `[filters]`, or nil without `useBias`.
    public var bias: Tensor?

    /// The number of spatial dimensions: 2 (Conv2D) or 3 (Conv3D).
    public var rank: Int { kernelSize.count }

    /// A layer with zero weights for `channels` input channels; load weights with `setWeights`.
    /// - Parameters:
    ///   - filters: The number of output channels.
    ///   - kernelSize: The kernel's extent, one value per spatial dimension (2 or 3 of them; 1 inside the
    ///     depthwise and separable layers, `Conv1D` being its own type).
    ///   - channels: The channels of the input.
    ///   - strides: One per spatial dimension; 1 by default.
    ///   - dilation: One per spatial dimension; 1 by default.
    ///   - groups: Channel groups convolved apart; `channels` and `filters` must be multiples of it.
    ///   - padding: `valid` or `same`.
    ///   - channelsFirst: Channels before the spatial dimensions.
    ///   - activation: Applied to the output.
    ///   - useBias: Whether the layer adds a bias.
    ///   - name: The layer's name.
    public init(
        filters: Int, kernelSize: [Int], channels: Int, strides: [Int]? = nil, dilation: [Int]? = nil,
        groups: Int = 1, padding: Padding = .valid, channelsFirst: Bool = false, activation: Activation = .linear,
        useBias: Bool = true, name: String = "conv2d"
    ) throws {
        let rank = kernelSize.count
        let strides = strides ?? Array(repeating: 1, count: rank)
        let dilation = dilation ?? Array(repeating: 1, count: rank)
        guard (1...3).contains(rank), strides.count == rank, dilation.count == rank, filters > 0, groups > 0,
            (kernelSize + strides + dilation).allSatisfy({ $0 > 0 }), channels > 0, channels % groups == 0,
            filters % groups == 0, padding != .causal
        else {
            throw RecurrentError(
                .invalidArgument, layer: name,
                "filters (\(filters)), kernel_size \(kernelSize), strides \(strides) and dilation_rate \(dilation) must be positive with 1 to 3 spatial dimensions each, the input channels (\(channels)) and filters divisible by groups (\(groups)), and padding valid or same"
            )
        }
        let kernelValues = Tensor.checkedCount(kernelSize + [channels / groups, filters])
        guard !kernelValues.overflow, kernelValues.partialValue <= Initializer.elementLimit else {
            throw RecurrentError(.invalidArgument, layer: name, "the kernel would be too large to exist")
        }
        self.name = name
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.dilation = dilation
        self.groups = groups
        self.padding = padding
        self.channelsFirst = channelsFirst
        self.activation = activation
        self.useBias = useBias
        self.kernel = .zeros(kernelSize + [channels / groups, filters])
        self.bias = useBias ? .zeros([filters]) : nil
    }

    /// The channels of the input.
    var channels: Int { kernel.shape[rank] * groups }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        let x = try spatialInput(inputs, rank: rank, channels: channels, channelsFirst: channelsFirst, layer: name)
        let spatial = Array(x.shape[1...rank])
        let geometry = ConvolutionGeometry.shared(
            input: spatial, kernel: kernelSize, strides: strides, dilation: dilation, padding: padding)
        let perRow = activation == .softmax || activation == .logSoftmax
        var output = Kernels.convolve(
            x.scalars, batch: x.shape[0], channels: channels, geometry: geometry, kernel: fullKernel(),
            filters: filters, bias: bias?.scalars, activation: perRow ? .linear : activation)
        if perRow { activation.apply(&output, rowWidth: filters) }
        return channelsFirstIfNeeded(Tensor(shape: [x.shape[0]] + geometry.output + [filters], scalars: output))
    }

    /// The kernel over every input channel: with groups, each filter's weights sit in its group's
    /// channel rows and the other rows are zero (one product then serves every group).
    private func fullKernel() -> [Float] {
        guard groups > 1 else { return kernel.scalars }
        let groupChannels = channels / groups
        let groupFilters = filters / groups
        let windows = kernelSize.reduce(1, *)
        var full = [Float](repeating: 0, count: windows * channels * filters)
        for w in 0..<windows {
            for c in 0..<groupChannels {
                for f in 0..<filters {
                    let channel = (f / groupFilters) * groupChannels + c
                    full[(w * channels + channel) * filters + f] = kernel.scalars[(w * groupChannels + c) * filters + f]
                }
            }
        }
        return full
    }

    private func channelsFirstIfNeeded(_ tensor: Tensor) -> Tensor {
        channelsFirst ? tensor.permuted([0, tensor.rank - 1] + Array(1..<(tensor.rank - 1))) : tensor
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { nil }

    public func outputShape(inputShape: [Int?]) -> [Int?] {
        var shape = spatialOutputShape(inputShape, rank: rank, channelsFirst: channelsFirst) { axis, length in
            padding.outputLength(length, window: (kernelSize[axis] - 1) * dilation[axis] + 1, stride: strides[axis])
                .length
        }
        if shape.count == rank + 2 { shape[channelsFirst ? 1 : rank + 1] = filters }
        return shape
    }
}

/// Keras's `MaxPooling2D/3D` and `AveragePooling2D/3D`: the maximum or mean of each window of `poolSize`,
/// every `strides`, per channel. With `same` padding the windows at the edges take their real elements
/// only (as Keras's backends pad: minus infinity for the maximum, uncounted for the mean). Keras 3 drops
/// the input's mask.
public struct Pooling: FeedForwardLayer {
    /// The layer's name.
    public var name: String
    /// Maximum or mean.
    public var kind: Pooling1D.Kind
    /// The window's extent per spatial dimension (Keras's `pool_size`).
    public var poolSize: [Int]
    /// The step between windows per spatial dimension (Keras's `strides`; `poolSize` by default).
    public var strides: [Int]
    /// `valid` or `same`.
    public var padding: Padding
    /// Channels before the spatial dimensions (Keras's `channels_first`).
    public var channelsFirst: Bool

    /// The number of spatial dimensions: 2 or 3.
    public var rank: Int { poolSize.count }

    /// Keras's `MaxPooling2D/3D` or `AveragePooling2D/3D`; throws for a non-positive size or stride, a
    /// rank other than 2 or 3, or `causal` padding.
    public init(
        _ kind: Pooling1D.Kind, poolSize: [Int], strides: [Int]? = nil, padding: Padding = .valid,
        channelsFirst: Bool = false, name: String
    ) throws {
        let strides = strides ?? poolSize
        guard (2...3).contains(poolSize.count), strides.count == poolSize.count,
            (poolSize + strides).allSatisfy({ $0 > 0 }), padding != .causal
        else {
            throw RecurrentError(
                .invalidArgument, layer: name,
                "pool_size \(poolSize) and strides \(strides) must be positive with 2 or 3 spatial dimensions each, and padding valid or same"
            )
        }
        self.name = name
        self.kind = kind
        self.poolSize = poolSize
        self.strides = strides
        self.padding = padding
        self.channelsFirst = channelsFirst
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        let x = try spatialInput(inputs, rank: rank, channels: nil, channelsFirst: channelsFirst, layer: name)
        let (batch, channels) = (x.shape[0], x.shape[rank + 1])
        let geometry = ConvolutionGeometry.shared(
            input: Array(x.shape[1...rank]), kernel: poolSize, strides: strides,
            dilation: Array(repeating: 1, count: rank), padding: padding)
        let (windows, positions) = (geometry.windowCount, geometry.outputCount)
        let rows = batch * positions
        let (inputCount, isMax) = (geometry.inputCount, kind == .max)
        let output = [Float](unsafeUninitializedCapacity: rows * channels) { output, initialized in
            initialized = rows * channels
            nonisolated(unsafe) let output = output
            x.scalars.withUnsafeBufferPointer { x in
                nonisolated(unsafe) let x = x
                geometry.sources.withUnsafeBufferPointer { sources in
                    nonisolated(unsafe) let sources = sources
                    // Output positions in blocks on Parallelism's threads; each position's window combined in
                    // window order, eight channels at a time, in registers (`rnnkit_pool_rows`).
                    let blockRows = 1024
                    let blocks = (rows + blockRows - 1) / blockRows
                    let body: @Sendable (Int) -> Void = { block in
                        let first = block * blockRows
                        rnnkit_pool_rows(
                            x.baseAddress!, inputCount * channels, channels, sources.baseAddress!, windows, positions,
                            first, min(blockRows, rows - first), isMax ? 1 : 0, output.baseAddress! + first * channels)
                    }
                    if blocks > 1, rows * windows * channels >= Parallelism.minimumWork / 4 {
                        Parallelism.forEachGroup(blocks, body)
                    } else {
                        for block in 0..<blocks { body(block) }
                    }
                }
            }
        }
        let result = Tensor(shape: [batch] + geometry.output + [channels], scalars: output)
        return channelsFirst ? result.permuted([0, rank + 1] + Array(1...rank)) : result
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { nil }

    public func outputShape(inputShape: [Int?]) -> [Int?] {
        spatialOutputShape(inputShape, rank: rank, channelsFirst: channelsFirst) { axis, length in
            padding.outputLength(length, window: poolSize[axis], stride: strides[axis]).length
        }
    }
}

/// Keras's `GlobalMaxPooling2D/3D` and `GlobalAveragePooling2D/3D`: the maximum or mean over every
/// spatial position, per channel; `[batch, channels]`, or with `keepDims` the spatial axes kept at
/// length 1. No mask passes on.
public struct GlobalPooling: FeedForwardLayer {
    /// The layer's name.
    public var name: String
    /// Maximum or mean.
    public var kind: Pooling1D.Kind
    /// The number of spatial dimensions: 2 or 3.
    public var rank: Int
    /// Keep the spatial axes (length 1), Keras's `keepdims`.
    public var keepDims: Bool
    /// Channels before the spatial dimensions (Keras's `channels_first`).
    public var channelsFirst: Bool

    /// Keras's `GlobalMaxPooling2D/3D` or `GlobalAveragePooling2D/3D` over `rank` spatial dimensions.
    public init(_ kind: Pooling1D.Kind, rank: Int, keepDims: Bool = false, channelsFirst: Bool = false, name: String)
        throws
    {
        guard (2...3).contains(rank) else {
            throw RecurrentError(.invalidArgument, layer: name, "global pooling over \(rank) spatial dimensions")
        }
        self.name = name
        self.kind = kind
        self.rank = rank
        self.keepDims = keepDims
        self.channelsFirst = channelsFirst
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        let x = try spatialInput(inputs, rank: rank, channels: nil, channelsFirst: channelsFirst, layer: name)
        let (batch, channels) = (x.shape[0], x.shape[rank + 1])
        let positions = x.shape[1...rank].reduce(1, *)
        var output = [Float](repeating: kind == .max ? -.infinity : 0, count: batch * channels)
        for b in 0..<batch {
            for p in 0..<positions {
                let from = (b * positions + p) * channels
                for c in 0..<channels {
                    let element = x.scalars[from + c]
                    output[b * channels + c] =
                        kind == .max ? Swift.max(output[b * channels + c], element) : output[b * channels + c] + element
                }
            }
        }
        if kind == .average { output = output.map { $0 / Float(positions) } }
        guard keepDims else { return Tensor(shape: [batch, channels], scalars: output) }
        let ones = [Int](repeating: 1, count: rank)
        return Tensor(shape: channelsFirst ? [batch, channels] + ones : [batch] + ones + [channels], scalars: output)
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { nil }

    public func outputShape(inputShape: [Int?]) -> [Int?] {
        guard inputShape.count == rank + 2 else { return inputShape }
        let channels = channelsFirst ? inputShape[1] : inputShape[rank + 1]
        guard keepDims else { return [inputShape[0], channels] }
        let ones = [Int?](repeating: 1, count: rank)
        return channelsFirst ? [inputShape[0], channels] + ones : [inputShape[0]] + ones + [channels]
    }
}

/// `inputs` as `[batch, spatial..., channels]` for a layer over `rank` spatial dimensions, moved from
/// channels first when the layer keeps them there; checks the rank and, when given, the channels.
func spatialInput(_ inputs: Tensor, rank: Int, channels: Int?, channelsFirst: Bool, layer: String) throws -> Tensor {
    let found = channelsFirst ? (inputs.rank > 1 ? inputs.shape[1] : 0) : inputs.shape.last ?? 0
    guard inputs.rank == rank + 2, channels == nil || found == channels else {
        let place =
            channelsFirst
            ? "[batch, \(channels.map(String.init) ?? "channels"), spatial...]"
            : "[batch, spatial..., \(channels.map(String.init) ?? "channels")]"
        throw RecurrentError(
            .shapeMismatch, layer: layer,
            "expected inputs \(place) with \(rank) spatial dimensions, received shape \(inputs.shape)")
    }
    return channelsFirst ? inputs.permuted([0] + Array(2..<inputs.rank) + [1]) : inputs
}
