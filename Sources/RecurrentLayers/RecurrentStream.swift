import CKernels

/// One timestep at a time through a SimpleRNN, LSTM or GRU layer, for real-time use: each `step` takes
/// one input row per sample and writes the output, the states carried between calls, nothing allocated.
/// The numbers are those of `RNN.call` over the whole sequence, to float32 rounding (the input product
/// runs per step here, over the whole sequence there).
///
/// ```swift
/// let stream = try RecurrentStream(layer)            // batch 1, zero states
/// var output = [Float](repeating: 0, count: stream.outputWidth)
/// for frame in frames {                              // frame: [Float] of layer's input width
///     try stream.step(frame, into: &output)
/// }
/// ```
public final class RecurrentStream {
    /// Samples per step.
    public let batch: Int
    /// The input width of one sample.
    public let inputWidth: Int
    /// The output width of one sample (the layer's units).
    public var outputWidth: Int { recurrence.units }

    private let recurrence: Recurrence
    private let packedKernel: [Float]
    private let workspace: UnsafeMutablePointer<Float>
    private let workspaceCount: Int
    private var h: UnsafeMutablePointer<Float>
    private var next: UnsafeMutablePointer<Float>
    private let c: UnsafeMutablePointer<Float>?
    private let z: UnsafeMutablePointer<Float>
    private let scratch: UnsafeMutablePointer<Float>

    /// A stream through `layer`'s cell, starting from `initialState` (the cell's order), from the
    /// layer's carried states when it is stateful and has them, or from zeros.
    /// - Throws: `RecurrentError` for a cell that is not SimpleRNN, LSTM or GRU, a layer that runs
    ///   backwards (it needs the whole sequence), or states of the wrong shape.
    public init(_ layer: RNN, batch: Int = 1, initialState: [Tensor]? = nil) throws {
        guard let cell = layer.cell as? any FusedRecurrentCell else {
            throw RecurrentError(
                .unsupported, layer: layer.name,
                "streaming needs a SimpleRNN, LSTM or GRU cell, not \(type(of: layer.cell))")
        }
        guard !layer.goBackwards else {
            throw RecurrentError(
                .unsupported, layer: layer.name, "a layer with go_backwards needs the whole sequence; it cannot stream")
        }
        guard batch > 0 else { throw RecurrentError(.invalidArgument, layer: layer.name, "batch must be positive") }
        let recurrence = cell.recurrence
        self.recurrence = recurrence
        self.batch = batch
        self.inputWidth = recurrence.inputSize
        packedKernel = Recurrence.pack(
            recurrence.kernel, k: recurrence.inputSize, ldb: recurrence.width, columns: 0..<recurrence.width)
        let states = batch * recurrence.units
        let lstm = recurrence.stateCount == 2
        workspaceCount =
            states * (lstm ? 3 : 2) + batch * recurrence.width + max(recurrence.scratchCount(rows: batch), 1)
        workspace = .allocate(capacity: workspaceCount)
        workspace.initialize(repeating: 0, count: workspaceCount)
        h = workspace
        next = workspace + states
        c = lstm ? workspace + 2 * states : nil
        z = workspace + states * (lstm ? 3 : 2)
        scratch = z + batch * recurrence.width
        let start = initialState ?? (layer.stateful && layer.batchSize == batch ? layer.states : nil)
        if let start { try reset(to: start) }
    }

    deinit { workspace.deallocate() }

    /// The current states, in the cell's order (`[h]`, or `[h, c]` for LSTM), each `[batch, units]`.
    public var states: [Tensor] {
        let count = batch * recurrence.units
        var result = [
            Tensor(shape: [batch, recurrence.units], scalars: Array(UnsafeBufferPointer(start: h, count: count)))
        ]
        if let c {
            result.append(
                Tensor(shape: [batch, recurrence.units], scalars: Array(UnsafeBufferPointer(start: c, count: count))))
        }
        return result
    }

    /// Starts again from `states` (the cell's order), or from zeros.
    /// - Throws: `RecurrentError` when the count or a shape is wrong.
    public func reset(to states: [Tensor]? = nil) throws {
        let count = batch * recurrence.units
        guard let states else {
            h.update(repeating: 0, count: count)
            c?.update(repeating: 0, count: count)
            return
        }
        guard states.count == recurrence.stateCount else {
            throw RecurrentError(
                .countMismatch,
                "Layer has \(recurrence.stateCount) states but was passed \(states.count) initial states.")
        }
        for (index, state) in states.enumerated() where state.shape != [batch, recurrence.units] {
            throw RecurrentError(
                .shapeMismatch,
                "initial state \(index) has shape \(state.shape), the cell needs \([batch, recurrence.units])")
        }
        states[0].scalars.withUnsafeBufferPointer { h.update(from: $0.baseAddress!, count: count) }
        if let c { states[1].scalars.withUnsafeBufferPointer { c.update(from: $0.baseAddress!, count: count) } }
    }

    /// One timestep: `input` holds `batch` rows of `inputWidth` values, `output` receives `batch` rows of
    /// `outputWidth`. Allocates nothing.
    /// - Throws: `RecurrentError.shapeMismatch` when a buffer has the wrong size.
    public func step(_ input: UnsafeBufferPointer<Float>, into output: UnsafeMutableBufferPointer<Float>) throws {
        let (u, w, f) = (recurrence.units, recurrence.width, recurrence.inputSize)
        guard input.count == batch * f, output.count == batch * u else {
            throw RecurrentError(
                .shapeMismatch,
                "a step takes \(batch * f) input values and writes \(batch * u), given \(input.count) and \(output.count)"
            )
        }
        for b in 0..<batch {
            if let bias = recurrence.inputBias {
                bias.withUnsafeBufferPointer { (z + b * w).update(from: $0.baseAddress!, count: w) }
            } else {
                (z + b * w).update(repeating: 0, count: w)
            }
        }
        if f > 0 {
            packedKernel.withUnsafeBufferPointer {
                rnnkit_gemm_packed(batch, w, f, input.baseAddress!, f, $0.baseAddress!, z, w, 1)
            }
        }
        recurrence.step(
            rows: batch, z: z, zStride: w, previous: h, next: next, cell: c, scratch: scratch, active: nil,
            activeStride: 0, blas: batch > Recurrence.blasRows)
        swap(&h, &next)
        output.baseAddress!.update(from: h, count: batch * u)
    }

    /// One timestep from and into arrays (`output` must hold `batch * outputWidth` values).
    public func step(_ input: [Float], into output: inout [Float]) throws {
        try input.withUnsafeBufferPointer { input in
            try output.withUnsafeMutableBufferPointer { try step(input, into: $0) }
        }
    }
}
