extension RNN {
    /// Runs the layer over `inputs` (Keras's `call`).
    /// - Parameters:
    ///   - inputs: `[batch, timesteps, features...]` (`[timesteps, batch, ...]` when `timeMajor`).
    ///   - initialState: States to start from, in the cell's order; they win over a stateful layer's
    ///     carried states (Keras 3's rule).
    ///   - mask: `[batch, timesteps]` (`[timesteps, batch]` when `timeMajor`); `true` marks real steps.
    ///   - training: Training mode (dropout); inference otherwise.
    ///   - constants: tf.keras `constants`, given to every step of a cell that accepts them.
    /// - Throws: `RecurrentError` for shapes, counts, a stateful batch mismatch, or constants the cell
    ///   does not take.
    public mutating func call(
        _ inputs: Tensor, initialState: [Tensor]? = nil, mask: Mask? = nil, training: Bool = false,
        constants: [Tensor] = []
    ) throws -> RNNOutput {
        guard inputs.rank >= 3 else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "expected inputs of rank 3 or more ([batch, timesteps, features]), received shape \(inputs.shape)")
        }
        let x = timeMajor ? inputs.swappingFirstTwoAxes() : inputs
        let batch = x.shape[0]
        let timesteps = x.shape[1]
        let stepShape = [batch] + Array(x.shape.dropFirst(2))
        let mask = try checkedMask(mask, batch: batch, timesteps: timesteps)
        if zeroesUnreversedMaskPositions, let mask, goBackwards, zeroOutputForMask, returnSequences, !timeMajor {
            // tf.keras's quirk: carried outputs, then output k (in processing order) zeroed where the mask's
            // step k (in input order) is masked.
            var carried = self
            carried.zeroesUnreversedMaskPositions = false
            carried.zeroOutputForMask = false
            var result = try carried.call(
                inputs, initialState: initialState, mask: mask, training: training, constants: constants)
            (states, batchSize, trainingCalls) = (carried.states, carried.batchSize, carried.trainingCalls)
            let width = result.output.count / max(batch * timesteps, 1)
            var values = result.output.scalars
            for b in 0..<batch {
                for k in 0..<timesteps where !mask[b, k] {
                    for i in 0..<width { values[(b * timesteps + k) * width + i] = 0 }
                }
            }
            result.output = Tensor(shape: result.output.shape, scalars: values)
            return result
        }
        if !constants.isEmpty && !cell.acceptsConstants {
            throw RecurrentError(.unsupported, layer: name, "RNN cell \(type(of: cell)) does not support constants")
        }
        var states = try startingStates(initialState, batch: batch)
        var context = CellContext(training: training, constants: constants)
        if training {
            // Dropout masks: made once per sequence, the same at every step (KERAS.md A.15).
            let inputSize = stepShape.dropFirst().reduce(1, *)
            context.dropout = cell.makeDropoutMasks(batchSize: batch, inputSize: inputSize, call: trainingCalls)
            trainingCalls += 1
        }
        let outputShape = cell.outputShape
        let outputSize = outputShape.reduce(1, *)

        // Built-in cells at inference: the fused recurrence, nothing allocated per step.
        // (Inputs of the wrong width take the per-step path, whose projection names the mismatch.)
        if !context.dropout.contains(where: { $0 != nil }), constants.isEmpty, x.rank == 3,
            let fused = cell as? any FusedRecurrentCell, x.shape[2] == fused.inputSize, fused.inputSize > 0,
            batch > 0, timesteps > 0, outputSize > 0
        {
            let (values, finalStates) = runFused(fused.recurrence, x: x, states: states, mask: mask)
            return finish(values, states: finalStates, batch: batch, timesteps: timesteps, outputShape: outputShape)
        }

        // ConvLSTM at inference: the input convolution of all timesteps at once, nothing allocated per step.
        if !context.dropout.contains(where: { $0 != nil }), constants.isEmpty,
            let convolutional = cell as? ConvLSTMCell,
            batch > 0, timesteps > 0, outputSize > 0
        {
            let flat = x.reshaped([batch * timesteps] + Array(x.shape.dropFirst(2)))
            try convolutional.checkStepInput(flat)
            let (values, finalStates) = convolutional.runSequence(
                inputs: flat, batch: batch, timesteps: timesteps, states: states, mask: mask,
                goBackwards: goBackwards, returnSequences: returnSequences, zeroOutputForMask: zeroOutputForMask)
            return finish(values, states: finalStates, batch: batch, timesteps: timesteps, outputShape: outputShape)
        }

        // One product projects every timestep's input; only the recurrent product runs per step. Under
        // dropout masks each step applies its own masks instead.
        let flat = x.reshaped([batch * timesteps] + Array(x.shape.dropFirst(2)))
        let masked = context.dropout.contains { $0 != nil }
        let projected = masked ? nil : try cell.projectInputs(flat)
        let width = projected.map { $0.shape[1] } ?? stepShape.dropFirst().reduce(1, *)
        let source = projected?.scalars ?? x.scalars

        var previousOutput = [Float](repeating: 0, count: batch * outputSize)
        var sequence = returnSequences ? [Float](repeating: 0, count: batch * timesteps * outputSize) : []
        for k in 0..<timesteps {
            let t = goBackwards ? timesteps - 1 - k : k
            let slice = Kernels.timeSlice(source, batch: batch, timesteps: timesteps, width: width, t: t)
            let result =
                if projected != nil {
                    try cell.step(
                        projected: Tensor(shape: [batch, width], scalars: slice), states: states, context: context)
                } else {
                    try cell.step(Tensor(shape: stepShape, scalars: slice), states: states, context: context)
                }
            try checkStep(result, batch: batch, outputShape: outputShape, states: states)
            var output = result.output.scalars
            if let mask {
                states = Self.select(result.states, states, mask: mask, t: t)
                for b in 0..<batch where !mask[b, t] {
                    let row = (b * outputSize)..<((b + 1) * outputSize)
                    if zeroOutputForMask {
                        output.replaceSubrange(row, with: repeatElement(0, count: outputSize))
                    } else {
                        output.replaceSubrange(row, with: previousOutput[row])
                    }
                }
            } else {
                states = result.states
            }
            if returnSequences {
                for b in 0..<batch {
                    let to = (b * timesteps + k) * outputSize
                    sequence.replaceSubrange(
                        to..<(to + outputSize), with: output[(b * outputSize)..<((b + 1) * outputSize)])
                }
            }
            previousOutput = output
        }
        return finish(
            returnSequences ? sequence : previousOutput, states: states, batch: batch, timesteps: timesteps,
            outputShape: outputShape)
    }

    /// The call's result from its output values (the sequence or the last step) and final states, which a
    /// stateful layer keeps.
    private mutating func finish(
        _ values: [Float], states: [Tensor], batch: Int, timesteps: Int, outputShape: [Int]
    ) -> RNNOutput {
        if stateful {
            self.states = states
            batchSize = batch
        }
        var output =
            returnSequences
            ? Tensor(shape: [batch, timesteps] + outputShape, scalars: values)
            : Tensor(shape: [batch] + outputShape, scalars: values)
        if timeMajor && returnSequences { output = output.swappingFirstTwoAxes() }
        return RNNOutput(output: output, states: states, includesStates: returnState)
    }

    /// The batch-major mask, checked against the inputs.
    private func checkedMask(_ mask: Mask?, batch: Int, timesteps: Int) throws -> Mask? {
        guard let mask else { return nil }
        let batchMajor = timeMajor ? mask.transposed() : mask
        guard batchMajor.shape == [batch, timesteps] else {
            let expected = timeMajor ? [timesteps, batch] : [batch, timesteps]
            throw RecurrentError(
                .shapeMismatch, layer: name, "expected a mask of shape \(expected), received \(mask.shape)")
        }
        return batchMajor
    }

    /// The states the sequence starts from: given, carried (stateful), or the cell's initial state.
    private func startingStates(_ given: [Tensor]?, batch: Int) throws -> [Tensor] {
        if stateful, let known = batchSize, known != batch {
            throw RecurrentError(
                .batchSize, layer: name,
                "If an RNN is stateful, the batch size of the input sequences must be the same as the batch size of the initial state. - Expected batch size: \(known) - Received batch size: \(batch)"
            )
        }
        let expected = cell.stateShapes.map { [batch] + $0 }
        guard let given else {
            if stateful, let states { return states }
            return cell.initialState(batchSize: batch)
        }
        guard given.count == expected.count else {
            throw RecurrentError(
                .countMismatch, layer: name,
                "Layer has \(expected.count) states but was passed \(given.count) initial states.")
        }
        for (index, (state, shape)) in zip(given, expected).enumerated() where state.shape != shape {
            throw RecurrentError(
                .shapeMismatch, layer: name, "initial state \(index) has shape \(state.shape), the cell needs \(shape)")
        }
        return given
    }

    /// Checks a step's result against what the cell declared, so a custom cell's mistake is named.
    private func checkStep(_ result: CellOutput, batch: Int, outputShape: [Int], states: [Tensor]) throws {
        guard result.output.shape == [batch] + outputShape else {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "the cell returned an output of shape \(result.output.shape), expected \([batch] + outputShape)")
        }
        guard result.states.count == states.count else {
            throw RecurrentError(
                .countMismatch, layer: name, "the cell returned \(result.states.count) states, expected \(states.count)"
            )
        }
        for (new, old) in zip(result.states, states) where new.shape != old.shape {
            throw RecurrentError(
                .shapeMismatch, layer: name, "the cell returned a state of shape \(new.shape), expected \(old.shape)")
        }
    }

    /// Per sample: the new states where the mask is true at `t`, the old ones where it is false.
    static func select(_ new: [Tensor], _ old: [Tensor], mask: Mask, t: Int) -> [Tensor] {
        zip(new, old).map { new, old in
            var result = new
            let batch = new.shape[0]
            let inner = new.count / max(batch, 1)
            for b in 0..<batch where !mask[b, t] {
                result.scalars.replaceSubrange(
                    (b * inner)..<((b + 1) * inner), with: old.scalars[(b * inner)..<((b + 1) * inner)])
            }
            return result
        }
    }
}
