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
    /// Output rows gathered and multiplied at a time: a block of patches of about 1 MB stays in cache,
    /// and the blocks (of a size that does not depend on the thread count) run on `Parallelism`'s threads
    /// with single-threaded BLAS, so the numbers are the same with any number of threads.
    static let convolutionBlockValues = 262_144

    /// A channels-last convolution: `x [batch, input..., channels]` with `kernel [kernel..., channels,
    /// filters]` (+ `bias [filters]`) gives `[batch, output..., filters]`. Each output position's window is
    /// gathered into a row (zeros where it falls in the padding), then a matrix product does the rest, a
    /// block of rows at a time.
    static func convolve(
        _ x: [Float], batch: Int, channels: Int, geometry: ConvolutionGeometry, kernel: [Float], filters: Int,
        bias: [Float]? = nil
    ) -> [Float] {
        let positions = geometry.outputCount
        let rows = batch * positions
        let windows = geometry.windowCount
        let columns = windows * channels
        let blockRows = max(1, convolutionBlockValues / max(columns, 1))
        let blocks = (rows + blockRows - 1) / blockRows
        var output = [Float](repeating: 0, count: rows * filters)
        if let bias {
            for row in 0..<rows { output.replaceSubrange((row * filters)..<((row + 1) * filters), with: bias) }
        }
        let work = rows * columns * filters
        output.withUnsafeMutableBufferPointer { output in
            nonisolated(unsafe) let output = output
            x.withUnsafeBufferPointer { x in
                nonisolated(unsafe) let x = x
                kernel.withUnsafeBufferPointer { kernel in
                    nonisolated(unsafe) let kernel = kernel
                    geometry.sources.withUnsafeBufferPointer { sources in
                        nonisolated(unsafe) let sources = sources
                        let body: @Sendable (Int) -> Void = { block in
                            let first = block * blockRows
                            let count = min(blockRows, rows - first)
                            var patches = [Float](repeating: 0, count: count * columns)
                            patches.withUnsafeMutableBufferPointer { patches in
                                for r in 0..<count {
                                    let (b, o) = (first + r).quotientAndRemainder(dividingBy: positions)
                                    let image = b * geometry.inputCount
                                    for w in 0..<windows {
                                        let source = Int(sources[o * windows + w])
                                        guard source >= 0 else { continue }
                                        let from = x.baseAddress! + (image + source) * channels
                                        let to = patches.baseAddress! + r * columns + w * channels
                                        if channels < 16 {  // a call to memmove costs more than a few values
                                            for c in 0..<channels { to[c] = from[c] }
                                        } else {
                                            to.update(from: from, count: channels)
                                        }
                                    }
                                }
                                multiplyAdd(
                                    UnsafeBufferPointer(patches), kernel,
                                    into: UnsafeMutableBufferPointer(
                                        start: output.baseAddress! + first * filters, count: count * filters),
                                    m: count, k: columns, n: filters)
                            }
                        }
                        if blocks > 1, work >= Parallelism.minimumWork {
                            Parallelism.forEachGroup(blocks, body)
                        } else {
                            for block in 0..<blocks { body(block) }
                        }
                    }
                }
            }
        }
        return output
    }
}
