import CKernels
import Foundation

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

    /// The geometry of these sizes, made once: a model calls its convolutions and pools with the same
    /// sizes pass after pass, and the table of sources costs a few percent of a small convolution. The
    /// last 32 geometries are kept.
    static func shared(input: [Int], kernel: [Int], strides: [Int], dilation: [Int], padding: Padding) -> Self {
        let key = CacheKey(input: input, kernel: kernel, strides: strides, dilation: dilation, padding: padding)
        if let known = cacheLock.withLock({ cache[key] }) { return known }
        let geometry = Self(input: input, kernel: kernel, strides: strides, dilation: dilation, padding: padding)
        cacheLock.withLock {
            if cache.count >= 32 { cache.removeAll() }
            cache[key] = geometry
        }
        return geometry
    }

    private static let cacheLock = NSLock()
    nonisolated(unsafe) private static var cache: [CacheKey: Self] = [:]

    private struct CacheKey: Hashable {
        var input, kernel, strides, dilation: [Int]
        var padding: Padding
    }

    var inputCount: Int { input.reduce(1, *) }
    var outputCount: Int { output.reduce(1, *) }
    var windowCount: Int { kernel.reduce(1, *) }
}

extension Kernels {
    /// Output rows handed to one thread at a time, as about this many patch values (each block gathers and
    /// multiplies its rows a tile at a time, `rnnkit_convolve_rows`); the blocks do not depend on the thread
    /// count, so the numbers are the same with any number of threads.
    static let convolutionBlockValues = 262_144

    /// A channels-last convolution: `x [batch, input..., channels]` with `kernel [kernel..., channels,
    /// filters]` (+ `bias [filters]`, then an element-wise `activation`) gives `[batch, output..., filters]`.
    /// Each output position's window is gathered into a row (zeros where it falls in the padding) a few rows
    /// at a time, each few multiplied by the packed kernel while in cache (`rnnkit_convolve_rows`), in blocks of
    /// rows on `Parallelism`'s threads; the bias and the activation are applied to each block while it is in
    /// cache.
    static func convolve(
        _ x: [Float], batch: Int, channels: Int, geometry: ConvolutionGeometry, kernel: [Float], filters: Int,
        bias: [Float]? = nil, activation: Activation = .linear
    ) -> [Float] {
        precondition(activation != .softmax && activation != .logSoftmax, "convolve applies element-wise activations")
        let positions = geometry.outputCount
        let rows = batch * positions
        let windows = geometry.windowCount
        let columns = windows * channels
        let blockRows = max(1, convolutionBlockValues / max(columns, 1))
        let blocks = (rows + blockRows - 1) / blockRows
        let work = rows * columns * filters
        // Packed once into the panels the product reads (a few thousand values).
        let packedKernel = Recurrence.pack(kernel, k: columns, ldb: filters, columns: 0..<filters)
        // Every element is written by its block, so the array starts uninitialised.
        let biasValues = bias ?? []
        return [Float](unsafeUninitializedCapacity: rows * filters) { output, initialized in
            initialized = rows * filters
            nonisolated(unsafe) let output = output
            x.withUnsafeBufferPointer { x in
                nonisolated(unsafe) let x = x
                biasValues.withUnsafeBufferPointer { biasBuffer in
                    nonisolated(unsafe) let biasBase = bias == nil ? nil : biasBuffer.baseAddress
                    packedKernel.withUnsafeBufferPointer { packed in
                        nonisolated(unsafe) let packed = packed
                        geometry.sources.withUnsafeBufferPointer { sources in
                            nonisolated(unsafe) let sources = sources
                            let body: @Sendable (Int) -> Void = { block in
                                let first = block * blockRows
                                let count = min(blockRows, rows - first)
                                let result = UnsafeMutableBufferPointer(
                                    start: output.baseAddress! + first * filters, count: count * filters)
                                let scratch = UnsafeMutablePointer<Float>.allocate(
                                    capacity: max(rnnkit_convolve_scratch_count(windows, channels), 1))
                                defer { scratch.deallocate() }
                                rnnkit_convolve_rows(
                                    x.baseAddress!, geometry.inputCount * channels, channels, sources.baseAddress!,
                                    windows, positions, first, count, packed.baseAddress!, filters, biasBase,
                                    activation == .relu ? 1 : 0, result.baseAddress!, scratch)
                                if activation != .relu { activation.apply(to: result) }
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
        }
    }
}
