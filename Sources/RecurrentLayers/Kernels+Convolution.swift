/// Where an N-dimensional convolution's windows fall: Keras's `compute_conv_output_shape` and the
/// `valid` / `same` padding of `ops.conv` (same: `total = max((out - 1) * stride + window - in, 0)`,
/// `total / 2` before, the rest after, as JAX and TensorFlow pad).
struct ConvolutionGeometry: Sendable, Equatable {
    var input: [Int]
    var kernel: [Int]
    var strides: [Int]
    var dilation: [Int]
    var output: [Int]
    /// Padding before the first element, per spatial axis.
    var before: [Int]

    init(input: [Int], kernel: [Int], strides: [Int], dilation: [Int], padding: Padding) {
        self.input = input
        self.kernel = kernel
        self.strides = strides
        self.dilation = dilation
        var output: [Int] = []
        var before: [Int] = []
        for axis in input.indices {
            let window = (kernel[axis] - 1) * dilation[axis] + 1
            let (length, pad) = padding.outputLength(input[axis], window: window, stride: strides[axis])
            output.append(length)
            before.append(pad)
        }
        self.output = output
        self.before = before
        // Where each output position's window elements come from: a spatial input index, or -1 in the padding.
        var sources = [Int32](repeating: -1, count: output.reduce(1, *) * kernel.reduce(1, *))
        var inputStride = [Int](repeating: 1, count: input.count)
        for axis in stride(from: input.count - 2, through: 0, by: -1) {
            inputStride[axis] = inputStride[axis + 1] * input[axis + 1]
        }
        var position = [Int](repeating: 0, count: input.count)
        var offset = [Int](repeating: 0, count: input.count)
        let windowCount = kernel.reduce(1, *)
        for o in 0..<output.reduce(1, *) {
            for w in 0..<windowCount {
                defer { Tensor.advance(&offset, within: kernel) }
                var source = 0
                var inside = true
                for axis in input.indices {
                    let at = position[axis] * strides[axis] - before[axis] + offset[axis] * dilation[axis]
                    if at < 0 || at >= input[axis] {
                        inside = false
                        break
                    }
                    source += at * inputStride[axis]
                }
                if inside { sources[o * windowCount + w] = Int32(source) }
            }
            Tensor.advance(&position, within: output)
        }
        self.sources = sources
    }

    /// `sources[o * windowCount + w]`: the input position under window element `w` of output position `o`.
    let sources: [Int32]

    var inputCount: Int { input.reduce(1, *) }
    var outputCount: Int { output.reduce(1, *) }
    var windowCount: Int { kernel.reduce(1, *) }
}

extension Kernels {
    /// A channels-last convolution: `x [batch, input..., channels]` with `kernel [kernel..., channels,
    /// filters]` (+ `bias [filters]`) gives `[batch, output..., filters]`. Each output position's window is
    /// gathered into a row (zeros where it falls in the padding), then one matrix product does the rest.
    static func convolve(
        _ x: [Float], batch: Int, channels: Int, geometry: ConvolutionGeometry, kernel: [Float], filters: Int,
        bias: [Float]? = nil
    ) -> [Float] {
        let rows = batch * geometry.outputCount
        let windows = geometry.windowCount
        let columns = windows * channels
        var patches = [Float](repeating: 0, count: rows * columns)
        x.withUnsafeBufferPointer { x in
            patches.withUnsafeMutableBufferPointer { patches in
                geometry.sources.withUnsafeBufferPointer { sources in
                    for b in 0..<batch {
                        let image = b * geometry.inputCount
                        for o in 0..<geometry.outputCount {
                            let row = (b * geometry.outputCount + o) * columns
                            for w in 0..<windows {
                                let source = Int(sources[o * windows + w])
                                guard source >= 0 else { continue }
                                let from = (image + source) * channels
                                let to = row + w * channels
                                for c in 0..<channels { patches[to + c] = x[from + c] }
                            }
                        }
                    }
                }
            }
        }
        return matmul(patches, kernel, m: rows, k: columns, n: filters, bias: bias)
    }
}
