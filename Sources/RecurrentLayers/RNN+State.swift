extension RNN {
    /// Sets a stateful layer's carried states: to zeros, or to `states` (seed 002's `reset_states`).
    ///
    /// Keras 3's `reset_states()` takes no arguments and does nothing on a layer that is not stateful;
    /// tf.keras's takes arrays and reports the errors below, which RNNKit follows.
    /// - Throws: `RecurrentError` `.notStateful` ("Layer must be stateful."), `.batchSize` when the batch
    ///   size is not known yet, `.countMismatch` or `.shapeMismatch` for wrong `states`.
    public mutating func resetStates(_ states: [Tensor]? = nil) throws {
        guard stateful else { throw RecurrentError(.notStateful, layer: name, "Layer must be stateful.") }
        guard let batch = batchSize else {
            throw RecurrentError(
                .batchSize, layer: name,
                "If a RNN is stateful, it needs to know its batch size. Specify the batch size of your input tensors (the layer's batchSize, or a first call)."
            )
        }
        let expected = cell.stateShapes.map { [batch] + $0 }
        guard let states else {
            self.states = expected.map { Tensor.zeros($0) }
            return
        }
        guard states.count == expected.count else {
            let received = states.map { "\($0.shape)" }.joined(separator: ", ")
            throw RecurrentError(
                .countMismatch, layer: name,
                "Layer \(name) expects \(expected.count) states, but it received \(states.count) state values. States received: [\(received)]"
            )
        }
        for (index, (state, shape)) in zip(states, expected).enumerated() where state.shape != shape {
            throw RecurrentError(
                .shapeMismatch, layer: name,
                "State \(index) is incompatible with layer \(name): expected shape=\(shape) but found shape=\(state.shape)"
            )
        }
        self.states = states
    }
}
