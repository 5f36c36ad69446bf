/// Keras's `DepthwiseConv1D` and `DepthwiseConv2D`: each input channel convolved on its own with
/// `depthMultiplier` kernels, `activation(depthwise(x) + bias)`; output channel `c * depthMultiplier + m`
/// is channel `c`'s kernel `m`. Weights: `kernel [kernel..., channels, depthMultiplier]` (Keras 3 calls
/// it `kernel`, tf.keras `depthwise_kernel`), `bias [channels * depthMultiplier]`. Run as a convolution
/// with one group per channel, whose kernel is the same values.
public struct DepthwiseConvolution: FeedForwardLayer {
    /// The layer's name.
    public var name: String
    /// Kernels per input channel (Keras's `depth_multiplier`).
    public var depthMultiplier: Int
    /// The grouped convolution that computes the layer.
    var convolution: Convolution

    /// A layer with zero weights for `channels` input channels; load weights with `setWeights`.
    /// - Parameters: as `Convolution`'s, with `depthMultiplier` kernels per channel in place of `filters`
    ///   and `groups`; `kernelSize` has 1 (DepthwiseConv1D) or 2 (DepthwiseConv2D) values.
    public init(
        depthMultiplier: Int = 1, kernelSize: [Int], channels: Int, strides: [Int]? = nil, dilation: [Int]? = nil,
        padding: Padding = .valid, channelsFirst: Bool = false, activation: Activation = .linear,
        useBias: Bool = true, name: String = "depthwise_conv2d"
    ) throws {
        guard depthMultiplier > 0, channels > 0 else {
            throw RecurrentError(
                .invalidArgument, layer: name,
                "depth_multiplier (\(depthMultiplier)) and the input channels (\(channels)) must be positive")
        }
        let (filters, overflow) = channels.multipliedReportingOverflow(by: depthMultiplier)
        guard !overflow else { throw RecurrentError(.invalidArgument, layer: name, "the kernel would be too large") }
        self.name = name
        self.depthMultiplier = depthMultiplier
        self.convolution = try Convolution(
            filters: filters, kernelSize: kernelSize, channels: channels, strides: strides, dilation: dilation,
            groups: channels, padding: padding, channelsFirst: channelsFirst, activation: activation,
            useBias: useBias, name: name)
    }

    /// The input channels.
    public var channels: Int { convolution.groups }
    /// The kernel's extent per spatial dimension.
    public var kernelSize: [Int] { convolution.kernelSize }
    /// The step between applications of the kernel.
    public var strides: [Int] { convolution.strides }
    /// The spacing of the kernel's taps.
    public var dilation: [Int] { convolution.dilation }
    /// `valid` or `same`.
    public var padding: Padding { convolution.padding }
    /// Channels before the spatial dimensions.
    public var channelsFirst: Bool { convolution.channelsFirst }
    /// The activation applied to the output.
    public var activation: Activation { convolution.activation }
    /// True when the layer adds a bias.
    public var useBias: Bool { convolution.useBias }
    /// The number of spatial dimensions.
    public var rank: Int { convolution.rank }

    public var weightSlots: [WeightSlot] {
        [WeightSlot(name: "kernel", shape: kernelSize + [channels, depthMultiplier])]
            + (useBias ? [WeightSlot(name: "bias", shape: [channels * depthMultiplier])] : [])
    }

    public var weights: [Tensor] {
        [convolution.kernel.reshaped(kernelSize + [channels, depthMultiplier])]
            + (convolution.bias.map { [$0] } ?? [])
    }

    public mutating func setWeights(_ weights: [Tensor]) throws {
        try checkWeights(weights, against: weightSlots, layer: name)
        try convolution.setWeights(
            [weights[0].reshaped(kernelSize + [1, channels * depthMultiplier])] + weights.dropFirst())
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        try convolution.call(inputs, training: training)
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { nil }

    public func outputShape(inputShape: [Int?]) -> [Int?] { convolution.outputShape(inputShape: inputShape) }
}

/// Keras's `SeparableConv1D` and `SeparableConv2D`: a depthwise convolution (the strides, dilation and
/// padding apply to it), then a pointwise (1 x 1) convolution to `filters` channels, the bias and the
/// activation. Weights: `depthwise_kernel [kernel..., channels, depthMultiplier]`, `pointwise_kernel
/// [1..., channels * depthMultiplier, filters]`, `bias [filters]`.
public struct SeparableConvolution: FeedForwardLayer {
    /// The layer's name.
    public var name: String
    /// The depthwise step, without bias or activation.
    var depthwise: DepthwiseConvolution
    /// The pointwise step, with the bias and the activation.
    var pointwise: Convolution

    /// A layer with zero weights for `channels` input channels; load weights with `setWeights`.
    /// - Parameters: as `Convolution`'s, with `depthMultiplier` depthwise kernels per channel;
    ///   `kernelSize` has 1 (SeparableConv1D) or 2 (SeparableConv2D) values.
    public init(
        filters: Int, kernelSize: [Int], channels: Int, depthMultiplier: Int = 1, strides: [Int]? = nil,
        dilation: [Int]? = nil, padding: Padding = .valid, channelsFirst: Bool = false,
        activation: Activation = .linear, useBias: Bool = true, name: String = "separable_conv2d"
    ) throws {
        self.name = name
        self.depthwise = try DepthwiseConvolution(
            depthMultiplier: depthMultiplier, kernelSize: kernelSize, channels: channels, strides: strides,
            dilation: dilation, padding: padding, channelsFirst: channelsFirst, useBias: false, name: name)
        self.pointwise = try Convolution(
            filters: filters, kernelSize: Array(repeating: 1, count: kernelSize.count),
            channels: channels * depthMultiplier, channelsFirst: channelsFirst, activation: activation,
            useBias: useBias, name: name)
    }

    /// The number of output channels.
    public var filters: Int { pointwise.filters }
    /// Depthwise kernels per input channel.
    public var depthMultiplier: Int { depthwise.depthMultiplier }
    /// The input channels.
    public var channels: Int { depthwise.channels }
    /// The depthwise kernel's extent per spatial dimension.
    public var kernelSize: [Int] { depthwise.kernelSize }
    /// The depthwise step between applications of the kernel.
    public var strides: [Int] { depthwise.strides }
    /// The spacing of the depthwise kernel's taps.
    public var dilation: [Int] { depthwise.dilation }
    /// `valid` or `same`, for the depthwise step.
    public var padding: Padding { depthwise.padding }
    /// Channels before the spatial dimensions.
    public var channelsFirst: Bool { depthwise.channelsFirst }
    /// The activation applied to the output.
    public var activation: Activation { pointwise.activation }
    /// True when the layer adds a bias.
    public var useBias: Bool { pointwise.useBias }
    /// The number of spatial dimensions.
    public var rank: Int { depthwise.rank }

    public var weightSlots: [WeightSlot] {
        [
            WeightSlot(name: "depthwise_kernel", shape: kernelSize + [channels, depthMultiplier]),
            WeightSlot(name: "pointwise_kernel", shape: pointwise.kernel.shape),
        ] + (useBias ? [WeightSlot(name: "bias", shape: [filters])] : [])
    }

    public var weights: [Tensor] { [depthwise.weights[0]] + pointwise.weights }

    public mutating func setWeights(_ weights: [Tensor]) throws {
        try checkWeights(weights, against: weightSlots, layer: name)
        try depthwise.setWeights([weights[0]])
        try pointwise.setWeights(Array(weights.dropFirst()))
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        try pointwise.call(try depthwise.call(inputs, training: training), training: training)
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { nil }

    public func outputShape(inputShape: [Int?]) -> [Int?] {
        pointwise.outputShape(inputShape: depthwise.outputShape(inputShape: inputShape))
    }
}
