/// Keras's `Conv1D` (channels last): `activation(conv(x, kernel) + bias)` over `[batch, steps,
/// channels]`, with `strides`, `dilation_rate`, `groups` and padding `valid`, `same` or `causal`.
/// Weights: `kernel [kernelSize, channels / groups, filters]`, `bias [filters]`. Keras 3 drops the
/// input's mask.
public struct Conv1D: KernelAndBiasLayer {
    public var name: String
    /// The number of output channels.
    public var filters: Int
    /// The kernel's length in steps.
    public var kernelSize: Int
    /// The step between applications of the kernel (Keras's `strides`).
    public var stride: Int
    /// The spacing of the kernel's taps (Keras's `dilation_rate`).
    public var dilation: Int
    /// The number of channel groups convolved apart (Keras's `groups`).
    public var groups: Int
    /// `valid`, `same` or `causal`.
    public var padding: Padding
    /// The activation applied to the output.
    public var activation: Activation
    /// True when the layer adds a bias.
    public var useBias: Bool
    /// `[kernelSize, channels / groups, filters]`.
    public var kernel: Tensor
    /// `[filters]`, or nil without `useBias`.
    public var bias: Tensor?

    /// A layer with zero weights, for `channels` input channels; load weights with `setWeights`.
    public init(
        filters: Int, kernelSize: Int, channels: Int, stride: Int = 1, dilation: Int = 1, groups: Int = 1,
        padding: Padding = .valid, activation: Activation = .linear, useBias: Bool = true, name: String = "conv1d"
    ) throws {
        guard filters > 0, kernelSize > 0, stride > 0, dilation > 0, groups > 0, channels % groups == 0,
            filters % groups == 0
        else {
            throw RecurrentError(
                .invalidArgument, layer: name,
                "filters (\(filters)), kernel_size (\(kernelSize)), strides (\(stride)) and dilation_rate (\(dilation)) must be positive, and the input channels (\(channels)) and filters divisible by groups (\(groups))"
            )
        }
        guard stride == 1 || dilation == 1 else {
            throw RecurrentError(
                .invalidArgument, layer: name, "strides > 1 with dilation_rate > 1 is not supported (as in Keras)")
        }
        self.name = name
        self.filters = filters
        self.kernelSize = kernelSize
        self.stride = stride
        self.dilation = dilation
        self.groups = groups
        self.padding = padding
        self.activation = activation
        self.useBias = useBias
        self.kernel = .zeros([kernelSize, channels / groups, filters])
        self.bias = useBias ? .zeros([filters]) : nil
    }

    var channels: Int { kernel.shape[1] * groups }

    public func call(_ inputs: Tensor, training: Bool = false) throws -> Tensor {
        guard inputs.rank == 3, inputs.shape[2] == channels else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "expected inputs [batch, steps, \(channels)], received shape \(inputs.shape)")
        }
        let (batch, steps) = (inputs.shape[0], inputs.shape[1])
        let window = dilation * (kernelSize - 1) + 1
        let (length, before) = padding.outputLength(steps, window: window, stride: stride)
        let groupChannels = channels / groups
        let groupFilters = filters / groups
        let patch = kernelSize * groupChannels
        var output = [Float](repeating: 0, count: batch * length * filters)
        for group in 0..<groups {
            // im2col: one row per output step, the window's channels of this group side by side.
            var columns = [Float](repeating: 0, count: batch * length * patch)
            for b in 0..<batch {
                for o in 0..<length {
                    let row = (b * length + o) * patch
                    for k in 0..<kernelSize {
                        let t = o * stride + k * dilation - before
                        guard t >= 0 && t < steps else { continue }
                        let source = (b * steps + t) * channels + group * groupChannels
                        for c in 0..<groupChannels { columns[row + k * groupChannels + c] = inputs.scalars[source + c] }
                    }
                }
            }
            // The kernel [k, channels, filters] is already the [patch, filters] matrix; with groups, this
            // group's filter columns are gathered.
            var weights = kernel.scalars
            if groups > 1 {
                weights = [Float](repeating: 0, count: patch * groupFilters)
                for row in 0..<patch {
                    for f in 0..<groupFilters {
                        weights[row * groupFilters + f] = kernel.scalars[row * filters + group * groupFilters + f]
                    }
                }
            }
            let product = Kernels.matmul(columns, weights, m: batch * length, k: patch, n: groupFilters)
            if groups == 1 {
                output = product
                break
            }
            for row in 0..<(batch * length) {
                for f in 0..<groupFilters {
                    output[row * filters + group * groupFilters + f] = product[row * groupFilters + f]
                }
            }
        }
        if let bias {
            for row in 0..<(batch * length) {
                for f in 0..<filters { output[row * filters + f] += bias.scalars[f] }
            }
        }
        activation.apply(&output, rowWidth: filters)
        return Tensor(shape: [batch, length, filters], scalars: output)
    }

    public func outputMask(inputs: Tensor, mask: Mask?) -> Mask? { nil }

    public func outputShape(inputShape: [Int?]) -> [Int?] {
        let window = dilation * (kernelSize - 1) + 1
        let steps = inputShape.count > 1 ? inputShape[1] : nil
        return [
            inputShape.first ?? nil, steps.map { padding.outputLength($0, window: window, stride: stride).length },
            filters,
        ]
    }
}
