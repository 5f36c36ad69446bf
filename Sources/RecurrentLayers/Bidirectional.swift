/// Keras's `Bidirectional` wrapper (KERAS.md B.7): a forward copy and a backward copy of a recurrent
/// layer over the same inputs, outputs merged.
///
/// With `returnSequences` the backward sequence is flipped back to input order before merging. Both
/// layers get `zeroOutputForMask = returnSequences` (Keras forces it), so masked positions are zero in
/// both halves. Weights: all forward weights, then all backward weights. With `returnState` the call
/// returns `(merged, forward states..., backward states...)`; with `mergeMode` nil, both outputs first.
public struct Bidirectional: Sendable {
    /// How the two directions' outputs are combined; `nil` (Keras's `None`) returns both.
    public enum MergeMode: String, Sendable, CaseIterable {
        /// The two outputs side by side on the last axis (Keras's default).
        case concat
        /// Their sum.
        case sum
        /// Their product.
        case mul
        /// Their mean.
        case ave
    }

    /// The wrapper's name (`bidirectional` by default).
    public var name: String
    /// The layer that reads the sequence from its first step.
    public var forward: RNN
    /// The layer that reads the sequence from its last step (`go_backwards` opposite to `forward`'s).
    public var backward: RNN
    /// Keras's `merge_mode`: how the two outputs combine; nil returns both.
    public var mergeMode: MergeMode?

    /// Wraps `layer`: the forward layer is a copy named `forward_<name>`; the backward layer is
    /// `backwardLayer` or a copy named `backward_<name>` with `goBackwards` set (Keras 3), or toggled with
    /// `togglingGoBackwards` (Keras 1/2 and tf.keras, which so accept a layer that already goes backwards:
    /// its copy then runs forwards).
    /// - Throws: `RecurrentError.invalidArgument` when both directions would run the same way, or the two
    ///   layers disagree on `stateful`, `returnSequences` or `returnState`.
    public init(
        _ layer: RNN, mergeMode: MergeMode? = .concat, backwardLayer: RNN? = nil, name: String? = nil,
        togglingGoBackwards: Bool = false
    ) throws {
        let base = layer.name.hasPrefix("forward_") ? String(layer.name.dropFirst("forward_".count)) : layer.name
        self.name = name ?? "bidirectional"
        self.mergeMode = mergeMode
        var forward = layer
        forward.name = "forward_" + base
        var backward: RNN
        if let backwardLayer {
            backward = backwardLayer
        } else {
            guard !layer.goBackwards || togglingGoBackwards else {
                throw RecurrentError(
                    .invalidArgument, layer: self.name,
                    "Forward layer and backward layer should have different go_backwards value. Received: forward_layer.go_backwards=true, backward_layer.go_backwards=true"
                )
            }
            backward = layer
            backward.name = "backward_" + base
            backward.goBackwards = !layer.goBackwards
        }
        guard forward.goBackwards != backward.goBackwards else {
            throw RecurrentError(
                .invalidArgument, layer: self.name,
                "Forward layer and backward layer should have different go_backwards value. Received: forward_layer.go_backwards=\(forward.goBackwards), backward_layer.go_backwards=\(backward.goBackwards)"
            )
        }
        for (label, same) in [
            ("stateful", forward.stateful == backward.stateful),
            ("return_sequences", forward.returnSequences == backward.returnSequences),
            ("return_state", forward.returnState == backward.returnState),
        ] where !same {
            throw RecurrentError(
                .invalidArgument, layer: self.name,
                "Forward layer and backward layer are expected to have the same value for attribute \"\(label)\"")
        }
        forward.zeroOutputForMask = forward.returnSequences
        backward.zeroOutputForMask = backward.returnSequences
        self.forward = forward
        self.backward = backward
    }

    /// The wrapped layers' `return_sequences`.
    public var returnSequences: Bool { forward.returnSequences }
    /// The wrapped layers' `return_state`: the call returns both directions' states after the output.
    public var returnState: Bool { forward.returnState }
    /// The wrapped layers' `stateful`.
    public var stateful: Bool { forward.stateful }

    /// Forward weights, then backward weights.
    public var weightSlots: [WeightSlot] {
        forward.weightSlots.map { WeightSlot(name: "\(forward.name)/\($0.name)", shape: $0.shape) }
            + backward.weightSlots.map { WeightSlot(name: "\(backward.name)/\($0.name)", shape: $0.shape) }
    }

    /// The forward layer's weights, then the backward layer's (Keras's order).
    public var weights: [Tensor] { forward.weights + backward.weights }

    /// Sets the forward layer's weights from the first half and the backward layer's from the second.
    public mutating func setWeights(_ weights: [Tensor]) throws {
        let half = forward.weightSlots.count
        guard weights.count == half + backward.weightSlots.count else {
            throw RecurrentError(
                .countMismatch, layer: name,
                "expected \(half + backward.weightSlots.count) weights (forward then backward), received \(weights.count)"
            )
        }
        try forward.setWeights(Array(weights[..<half]))
        try backward.setWeights(Array(weights[half...]))
    }

    /// Runs both directions and merges them.
    /// - Parameters:
    ///   - inputs: `[batch, timesteps, features]`.
    ///   - initialState: Forward states then backward states (`[h_f, c_f, h_b, c_b]` for LSTM).
    ///   - mask: Which steps are real, `[batch, timesteps]`.
    ///   - training: Training mode: dropout applies.
    ///   - constants: Tensors every step of both directions sees (tf.keras `constants`).
    /// - Returns: Keras's outputs, flattened: merged output (or both outputs), then states with `returnState`.
    public mutating func call(
        _ inputs: Tensor, initialState: [Tensor]? = nil, mask: Mask? = nil, training: Bool = false,
        constants: [Tensor] = []
    ) throws -> [Tensor] {
        var forwardState: [Tensor]?
        var backwardState: [Tensor]?
        if let initialState {
            guard initialState.count % 2 == 0 else {
                throw RecurrentError(
                    .countMismatch, layer: name,
                    "initial states are split in half (forward, then backward), but \(initialState.count) were given")
            }
            forwardState = Array(initialState[..<(initialState.count / 2)])
            backwardState = Array(initialState[(initialState.count / 2)...])
        }
        // The two directions are independent: they run at once when each is worth a thread.
        let (forwardLayer, backwardLayer) = (forward, backward)
        let (forwardInitial, backwardInitial) = (forwardState, backwardState)
        let forwardRun = Slot<(RNN, Result<RNNOutput, Error>)>()
        let backwardRun = Slot<(RNN, Result<RNNOutput, Error>)>()
        let parameters = forward.weights.reduce(0) { $0 + $1.scalars.count }
        let work = Int(min(Double(inputs.scalars.count / max(inputs.shape.last ?? 1, 1)) * Double(parameters), 1e15))
        Parallelism.both(work: work) {
            var layer = forwardLayer
            let result = Result {
                try layer.call(
                    inputs, initialState: forwardInitial, mask: mask, training: training, constants: constants)
            }
            forwardRun.value = (layer, result)
        } _: {
            var layer = backwardLayer
            let result = Result {
                try layer.call(
                    inputs, initialState: backwardInitial, mask: mask, training: training, constants: constants)
            }
            backwardRun.value = (layer, result)
        }
        guard let (forwardAfter, forwardResult) = forwardRun.value,
            let (backwardAfter, backwardResult) = backwardRun.value
        else { preconditionFailure("Parallelism.both ran both directions") }
        let y = try forwardResult.get()
        let yBackward = try backwardResult.get()
        (forward, backward) = (forwardAfter, backwardAfter)
        var reversed = yBackward.output
        if returnSequences { reversed = Self.flipTime(reversed, timeMajor: backward.timeMajor) }
        let outputs: [Tensor]
        switch mergeMode {
        case .concat?: outputs = [Self.concatLastAxis(y.output, reversed)]
        case .sum?: outputs = [y.output + reversed]
        case .mul?: outputs = [y.output * reversed]
        case .ave?:
            outputs = [
                Tensor(shape: y.output.shape, scalars: zip(y.output.scalars, reversed.scalars).map { ($0 + $1) / 2 })
            ]
        case nil: outputs = [y.output, reversed]
        }
        return returnState ? outputs + y.states + yBackward.states : outputs
    }

    /// Resets both directions' carried states to zeros.
    /// - Throws: `RecurrentError.notStateful` ("Layer must be stateful.") when not stateful.
    public mutating func resetStates() throws {
        guard stateful else { throw RecurrentError(.notStateful, layer: name, "Layer must be stateful.") }
        try forward.resetStates()
        try backward.resetStates()
    }

    /// Output shapes for an input shape (Keras's `compute_output_shape`).
    public func outputShapes(inputShape: [Int?]) -> [[Int?]] {
        let forwardShapes = forward.outputShapes(inputShape: inputShape)
        var output = forwardShapes[0]
        let states = Array(forwardShapes.dropFirst())
        if mergeMode == .concat, let last = output.last ?? nil { output[output.count - 1] = last * 2 }
        let outputs = mergeMode == nil ? [output, output] : [output]
        return returnState ? outputs + states + states : outputs
    }

    /// Output masks (Keras 3.15.1): the input mask on each output sequence, none otherwise.
    public func outputMasks(inputMask: Mask?) -> [Mask?] {
        let mask = returnSequences ? inputMask : nil
        let outputs: [Mask?] = mergeMode == nil ? [mask, mask] : [mask]
        return outputs + (returnState ? Array(repeating: nil, count: 2 * forward.cell.stateShapes.count) : [])
    }

    /// Reverses the time axis of `[batch, timesteps, ...]` (`[timesteps, batch, ...]` when time-major).
    static func flipTime(_ tensor: Tensor, timeMajor: Bool) -> Tensor {
        let source = timeMajor ? tensor.swappingFirstTwoAxes() : tensor
        let (batch, timesteps) = (source.shape[0], source.shape[1])
        let inner = source.count / max(batch * timesteps, 1)
        var scalars = source.scalars
        for b in 0..<batch {
            for t in 0..<timesteps {
                let from = (b * timesteps + (timesteps - 1 - t)) * inner
                let to = (b * timesteps + t) * inner
                scalars.replaceSubrange(to..<(to + inner), with: source.scalars[from..<(from + inner)])
            }
        }
        let flipped = Tensor(shape: source.shape, scalars: scalars)
        return timeMajor ? flipped.swappingFirstTwoAxes() : flipped
    }

    /// Concatenates two tensors of equal leading shape along the last axis (forward features first).
    static func concatLastAxis(_ a: Tensor, _ b: Tensor) -> Tensor {
        let (wa, wb) = (a.shape.last ?? 1, b.shape.last ?? 1)
        let rows = a.count / max(wa, 1)
        var scalars: [Float] = []
        scalars.reserveCapacity(a.count + b.count)
        for r in 0..<rows {
            scalars += a.scalars[(r * wa)..<((r + 1) * wa)]
            scalars += b.scalars[(r * wb)..<((r + 1) * wb)]
        }
        return Tensor(shape: Array(a.shape.dropLast()) + [wa + wb], scalars: scalars)
    }
}
