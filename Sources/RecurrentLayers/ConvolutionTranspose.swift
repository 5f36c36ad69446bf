/// Keras's `Conv1DTranspose`, `Conv2DTranspose` and `Conv3DTranspose` (the transpose of a convolution,
/// used to upsample in frame predictors and decoders): each input position adds its channels times the
/// kernel into the output window it maps to, `activation(y + bias)`. Geometry as Keras 3 computes it:
/// with `valid` padding an output of `in * stride + max(window - stride, 0)` per axis, with `same`
/// `in * stride`, or `(in - 1) * stride + window - 2 * (window / 2) + outputPadding` with
/// `output_padding` (window = the dilated kernel extent). Weights: `kernel [kernel..., filters,
/// channels]` (filters before channels, the transpose of Conv2D's), `bias [filters]`.
public struct ConvolutionTranspose: KernelAndBiasLayer {
    /// The layer's name.
    public var name: String
    /// The number of output channels.
    public var filters: Int
    /// The kernel's extent in each spatial dimension (1, 2 or 3 of them).
    public var kernelSize: [Int]
    /// The upsampling step per spatial dimension (Keras's `strides`).
    public var strides: [Int]
    /// The spacing of the kernel's taps (Keras's `dilation_rate`).
    public var dilation: [Int]
    /// `valid` or `same`.
    public var padding: Padding
    /// Extra output steps per dimension (Keras's `output_padding`), or nil for Keras's default.
    public var outputPadding: [Int]?
    /// Channels before the spatial dimensions.
    public var channelsFirst: Bool
    /// The activation applied to the output.
    public var activation: Activation
    /// True when the layer adds a bias.
    public var useBias: Bool
    /// `[kernel..., filters, channels]`.
    public var kernel: Tensor
    /// `[filters]`, or nil without `useBias`.
    public var bias: Tensor?

    /// The number of spatial dimensions.
    public var rank: Int { kernelSize.count }
    /// The channels of the input.
    public var channels: Int { kernel.shape[rank + 1] }

    /// A layer with zero weights for `channels` input channels; load weights with `setWeights`.
    /// - Throws: `RecurrentError.invalidArgument` for sizes that are not positive, 0 or more than 3
    ///   spatial dimensions, causal padding, or an output padding not below its stride.
    public init(
        filters: Int, kernelSize: [Int], channels: Int, strides: [Int]? = nil, dilation: [Int]? = nil,
        padding: Padding = .valid, outputPadding: [Int]? = nil, channelsFirst: Bool = false,
        activation: Activation = .linear, useBias: Bool = true, name: String = "conv2d_transpose"
    ) throws {
        let rank = kernelSize.count
        let strides = strides ?? Array(repeating: 1, count: rank)
        let dilation = dilation ?? Array(repeating: 1, count: rank)
        let paddingFits =
            outputPadding.map { op in op.count == rank && zip(op, strides).allSatisfy { $0 >= 0 && $0 < $1 } } ?? true
        guard (1...3).contains(rank), strides.count == rank, dilation.count == rank, filters > 0, channels > 0,
            (kernelSize + strides + dilation).allSatisfy({ $0 > 0 }), padding != .causal, paddingFits
        else {
            throw RecurrentError(
                .invalidArgument, layer: name,
                "filters (\(filters)), kernel_size \(kernelSize), strides \(strides) and dilation_rate \(dilation) must be positive with 1 to 3 spatial dimensions each, padding valid or same, and output_padding \(outputPadding.map { "\($0)" } ?? "None") below the strides"
            )
        }
        let kernelValues = Tensor.checkedCount(kernelSize + [filters, channels])
        guard !kernelValues.overflow, kernelValues.partialValue <= Initializer.elementLimit else {
            throw RecurrentError(.invalidArgument, layer: name, "the kernel would be too large to exist")
        }
        self.name = name
        self.filters = filters
        self.kernelSize = kernelSize
        self.strides = strides
        self.dilation = dilation
        self.padding = padding
        self.outputPadding = outputPadding
        self.channelsFirst = channelsFirst
        self.activation = activation
        self.useBias = useBias
        self.kernel = .zeros(kernelSize + [filters, channels])
        self.bias = useBias ? .zeros([filters]) : nil
    }

    /// The output length along `axis` for an input of `length`, and where input step 0's window starts
    /// (Keras 3's `compute_conv_transpose_padding_args_for_jax`: the window starts at
    /// `window - 1 - left` before the strided input, `left` being its padding of the dilated input).
    func geometry(_ length: Int, axis: Int) -> (length: Int, before: Int) {
        let window = (kernelSize[axis] - 1) * dilation[axis] + 1
        let stride = strides[axis]
        let extra = outputPadding?[axis]
        let left: Int
        let output: Int
        if padding == .valid {
            left = window - 1
            output = extra.map { (length - 1) * stride + window + $0 } ?? length * stride + max(window - stride, 0)
        } else {
            let padLength = extra.map { window + window % 2 - 2 + $0 } ?? stride + window - 2
            left = min(padLength / 2 + padLength % 2, window - 1)
            output = extra.map { (length - 1) * stride + window % 2 + $0 } ?? length * stride
        }
        return (max(output, 0), window - 1 - left)
    }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        let x = try spatialInput(inputs, rank: rank, channels: channels, channelsFirst: channelsFirst, layer: name)
        let batch = x.shape[0]
        let input = Array(x.shape[1...rank])
        let shapes = input.indices.map { geometry(input[$0], axis: $0) }
        let output = shapes.map(\.length)
        let taps = kernelSize.reduce(1, *)
        let positions = input.reduce(1, *)
        // Every input position's channels times every tap's [channels, filters]: one product.
        var weights = [Float](repeating: 0, count: channels * taps * filters)
        for tap in 0..<taps {
            for f in 0..<filters {
                for c in 0..<channels {
                    weights[c * taps * filters + tap * filters + f] = kernel.scalars[(tap * filters + f) * channels + c]
                }
            }
        }
        let products = Kernels.matmul(x.scalars, weights, m: batch * positions, k: channels, n: taps * filters)
        let outputPositions = output.reduce(1, *)
        var y = [Float](repeating: 0, count: batch * outputPositions * filters)
        if let bias {
            for row in 0..<(batch * outputPositions) {
                y.replaceSubrange((row * filters)..<((row + 1) * filters), with: bias.scalars)
            }
        }
        func unflatten(_ index: Int, _ extents: [Int]) -> [Int] {
            var rest = index
            var result = [Int](repeating: 0, count: extents.count)
            for axis in extents.indices.reversed() {
                result[axis] = rest % extents[axis]
                rest /= extents[axis]
            }
            return result
        }
        let tapIndices = (0..<taps).map { unflatten($0, kernelSize) }
        for position in 0..<positions {
            let at = unflatten(position, input)
            for (tap, offsets) in tapIndices.enumerated() {
                var target = 0
                var inside = true
                for axis in 0..<rank {
                    let o = at[axis] * strides[axis] + offsets[axis] * dilation[axis] - shapes[axis].before
                    guard o >= 0, o < output[axis] else {
                        inside = false
                        break
                    }
                    target = target * output[axis] + o
                }
                guard inside else { continue }
                for b in 0..<batch {
                    let source = ((b * positions + position) * taps + tap) * filters
                    let destination = (b * outputPositions + target) * filters
                    for f in 0..<filters { y[destination + f] += products[source + f] }
                }
            }
        }
        activation.apply(&y, rowWidth: filters)
        let result = Tensor(shape: [batch] + output + [filters], scalars: y)
        return channelsFirst ? result.permuted([0, result.rank - 1] + Array(1..<(result.rank - 1))) : result
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { nil }

    public func outputShape(inputShape: [Int?]) -> [Int?] {
        var shape = spatialOutputShape(inputShape, rank: rank, channelsFirst: channelsFirst) { axis, length in
            geometry(length, axis: axis).length
        }
        if shape.count == rank + 2 { shape[channelsFirst ? 1 : rank + 1] = filters }
        return shape
    }
}
