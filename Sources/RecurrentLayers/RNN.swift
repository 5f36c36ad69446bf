/// Keras's `RNN` layer: runs a cell over the timesteps of a sequence (seeds 000-003, KERAS.md A).
///
/// Inputs are `[batch, timesteps, features]` (`[timesteps, batch, features]` when `timeMajor`). The
/// output is the last step's output `[batch, outputSize]`, or every step's `[batch, timesteps, outputSize]`
/// with `returnSequences`, in processing order (with `goBackwards` the sequence is not reversed back).
/// A mask freezes each sample's states at its padded steps; the output there is the previous output
/// (zeros before the first), or zeros with `zeroOutputForMask` (TensorFlow's rule, KERAS.md A.5).
///
/// ```swift
/// var layer = RNN(cell: try LSTMCell(units: 3, inputSize: 4), returnSequences: true, returnState: true)
/// let result = try layer.call(x, mask: mask)   // result.output [2, 6, 3]; result.states [h, c]
/// ```
///
/// A stateful layer carries its final states into the next call; `resetStates` sets them to zeros or
/// to given arrays. `unroll` is accepted and gives the same numbers as the loop.
public struct RNN: Sendable {
    /// The layer's name (`lstm`, `gru`, ... as Keras names them).
    public var name: String
    /// The cell run at each timestep.
    public var cell: any RecurrentCell
    /// Keras's `return_sequences`: the output holds every step, not only the last.
    public var returnSequences: Bool
    /// Keras's `return_state`: the call also returns the final states.
    public var returnState: Bool
    /// Keras's `go_backwards`: the sequence is read from its last step.
    public var goBackwards: Bool
    /// Keras's `stateful`: the final states of a call start the next one.
    public var stateful: Bool
    /// Keras's `unroll`: accepted; the numbers are the loop's.
    public var unroll: Bool
    /// Keras's `zero_output_for_mask`: masked steps output zeros instead of the previous output.
    public var zeroOutputForMask: Bool
    /// tf.keras's unrolled loop running backwards zeroes the outputs of masked steps at the positions of the
    /// *unreversed* mask (KERAS.md A.5): set for tf.keras layers with `unroll`, `go_backwards` and
    /// `zero_output_for_mask` (a Bidirectional's backward layer), so that their files compute what tf.keras
    /// computes. Masked steps otherwise carry the previous output.
    public var zeroesUnreversedMaskPositions = false
    /// tf.keras's `time_major`: inputs, masks and output sequences are `[timesteps, batch, ...]`.
    public var timeMajor: Bool
    /// A stateful layer's batch size: given here, or fixed by the first call.
    public var batchSize: Int?
    /// A stateful layer's carried states (nil until the first call or `resetStates`).
    public internal(set) var states: [Tensor]?
    /// Training calls so far: each draws new dropout masks, reproducibly from the cells' seeds.
    public internal(set) var trainingCalls = 0
    /// Keras's `activity_regularizer`: a penalty on the layer's outputs (see `activityLoss`).
    public var activityRegularizer: Regularizer?

    /// Keras's `RNN(cell, return_sequences, return_state, go_backwards, stateful, unroll, ...)`; `batchSize` fixes a stateful layer's batch.
    public init(
        cell: any RecurrentCell, returnSequences: Bool = false, returnState: Bool = false, goBackwards: Bool = false,
        stateful: Bool = false, unroll: Bool = false, zeroOutputForMask: Bool = false, timeMajor: Bool = false,
        batchSize: Int? = nil, name: String = "rnn"
    ) {
        self.name = name
        self.cell = cell
        self.returnSequences = returnSequences
        self.returnState = returnState
        self.goBackwards = goBackwards
        self.stateful = stateful
        self.unroll = unroll
        self.zeroOutputForMask = zeroOutputForMask
        self.timeMajor = timeMajor
        self.batchSize = batchSize
    }

    /// A layer over several cells stacked in each timestep (Keras's `RNN([cell, cell, ...])`).
    public init(
        cells: [any RecurrentCell], returnSequences: Bool = false, returnState: Bool = false,
        goBackwards: Bool = false, stateful: Bool = false, unroll: Bool = false, zeroOutputForMask: Bool = false,
        timeMajor: Bool = false, batchSize: Int? = nil, name: String = "rnn"
    ) {
        self.init(
            cell: StackedRNNCells(cells), returnSequences: returnSequences, returnState: returnState,
            goBackwards: goBackwards, stateful: stateful, unroll: unroll, zeroOutputForMask: zeroOutputForMask,
            timeMajor: timeMajor, batchSize: batchSize, name: name)
    }

    /// Keras 3's activity loss for a call's result: the regularizer's penalty on every returned tensor
    /// (the output, and the states with `returnState`), each divided by its batch size. Zero without one.
    public func activityLoss(_ result: RNNOutput) throws -> Float {
        guard let activityRegularizer else { return 0 }
        return try result.tensors.reduce(0) {
            $0 + (try activityRegularizer.penalty($1)) / Float(max($1.shape.first ?? 1, 1))
        }
    }

    /// The states a call starts from when none are given (Keras's `get_initial_state`): the cell's
    /// initial state for `batchSize` samples (zeros for the built-in cells).
    public func initialState(batchSize: Int) -> [Tensor] { cell.initialState(batchSize: batchSize) }

    /// The layer's weights: its cell's.
    public var weightSlots: [WeightSlot] { cell.weightSlots }
    /// The cell's weights, in Keras's order.
    public var weights: [Tensor] { cell.weights }
    /// Replaces the cell's weights (Keras's `set_weights`).
    public mutating func setWeights(_ weights: [Tensor]) throws { try cell.setWeights(weights) }
}

/// What an `RNN` call returns.
public struct RNNOutput: Sendable {
    /// `[batch, outputSize]`, or `[batch, timesteps, outputSize]` with `returnSequences`.
    public var output: Tensor
    /// The final states in the cell's order (for stacked cells, cell by cell).
    public var states: [Tensor]
    /// Whether the layer returns its states (Keras's `return_state`).
    public var includesStates: Bool

    /// What Keras's call returns, flattened: `[output]`, or `[output, states...]` with `returnState`.
    public var tensors: [Tensor] { includesStates ? [output] + states : [output] }
}
