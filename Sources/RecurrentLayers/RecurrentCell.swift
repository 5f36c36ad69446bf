/// A named, shaped weight of a layer, in the order Keras stores them: `kernel [features, units]`,
/// `recurrent_kernel [units, units]`, `bias [units]`. Readers, writers, validation and `inspect` all use
/// a layer's one list of slots.
public struct WeightSlot: Sendable, Equatable, CustomStringConvertible {
    /// Keras's name for the weight: `kernel`, `recurrent_kernel`, `bias`, `gamma`, `embeddings`, ...
    public var name: String
    /// The shape the weight must have.
    public var shape: [Int]

    /// A slot named `name` of shape `shape`.
    public init(name: String, shape: [Int]) {
        self.name = name
        self.shape = shape
    }

    /// `name [shape]`, as `inspect` prints it.
    public var description: String { "\(name) \(shape)" }
}

/// What a cell's step sees besides its input and states.
public struct CellContext: Sendable {
    /// Training mode (dropout applies); inference otherwise.
    public var training: Bool
    /// Constants passed to the layer's call (tf.keras `constants=`), given unchanged to every step.
    public var constants: [Tensor]
    /// This call's dropout masks, one entry per cell (a stack has several); empty at inference.
    public var dropout: [DropoutMasks?]

    /// A context for one call: inference without constants unless told otherwise.
    public init(training: Bool = false, constants: [Tensor] = [], dropout: [DropoutMasks?] = []) {
        self.training = training
        self.constants = constants
        self.dropout = dropout
    }

    /// The masks of the (single) cell this context is for, in training only.
    var masks: DropoutMasks? { training ? dropout.first ?? nil : nil }
}

/// Keras's RNN cell contract (seed 000): one timestep at a time.
///
/// A cell maps `(input_t [batch, features], states_t)` to `(output_t [batch, outputSize], states_t+1)`.
/// Write your own and run it with `RNN`, as the seed's `MinimalRNNCell`:
///
/// ```swift
/// struct MinimalRNNCell: RecurrentCell {
///     var kernel: Tensor            // [features, units]
///     var recurrentKernel: Tensor   // [units, units]
///     var stateShapes: [[Int]] { [[kernel.shape[1]]] }
///     func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
///         let output = input.matmul(kernel) + states[0].matmul(recurrentKernel)
///         return CellOutput(output: output, states: [output])
///     }
/// }
/// let y = try RNN(cell: MinimalRNNCell(kernel: k, recurrentKernel: r)).call(x)
/// ```
public protocol RecurrentCell: Sendable {
    /// The shape of each state without its batch dimension: `[[units]]` for SimpleRNN and GRU,
    /// `[[units], [units]]` (h, c) for LSTM; a shape may have several dimensions.
    var stateShapes: [[Int]] { get }

    /// The width of the output; by default the first state's first dimension (Keras's rule).
    var outputSize: Int { get }

    /// The shape of one step's output without its batch dimension: `[outputSize]` by default; a
    /// convolutional cell's is `[spatial..., filters]`.
    var outputShape: [Int] { get }

    /// The states a sequence starts from when none are given: zeros by default.
    func initialState(batchSize: Int) -> [Tensor]

    /// One timestep: `input` is `[batch, features]`, `states` match `stateShapes` with a batch dimension.
    func step(_ input: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput

    /// The names and shapes of the cell's weights in Keras's order; empty for a cell without weights.
    var weightSlots: [WeightSlot] { get }
    /// The cell's weights, in the order of `weightSlots`.
    var weights: [Tensor] { get }
    /// Replaces the weights (Keras's `set_weights`): one tensor per slot, in order, each of its slot's
    /// shape; throws `RecurrentError` naming the slot and both shapes otherwise.
    mutating func setWeights(_ weights: [Tensor]) throws

    /// True when the cell reads `context.constants` (tf.keras `constants`); `RNN` refuses constants otherwise.
    var acceptsConstants: Bool { get }

    /// The dropout masks for one training call, one entry per cell (nil for a cell without dropout):
    /// `RNN` makes them once per sequence and passes them to every step in `context.dropout`.
    /// - Parameters:
    ///   - batchSize: The batch of the call.
    ///   - inputSize: The width of the cell's input at each step.
    ///   - call: The layer's training-call counter, so that masks differ from call to call.
    func makeDropoutMasks(batchSize: Int, inputSize: Int, call: Int) -> [DropoutMasks?]

    /// Fast path, optional: the input projection of every timestep at once, `[n, step shape...]`
    /// (`[n, features]` for rank-3 sequences) to `[n, width]`, so that only the recurrent product runs per
    /// step. Return nil to use `step` instead.
    func projectInputs(_ inputs: Tensor) throws -> Tensor?

    /// One timestep from a row of `projectInputs`'s result; called only when `projectInputs` returned one.
    func step(projected: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput
}

/// What one step returns.
public struct CellOutput: Sendable {
    /// `[batch, outputSize]` (`[batch] + outputShape`).
    public var output: Tensor
    /// The new states, in the order of `stateShapes`.
    public var states: [Tensor]

    /// One step's result: its output and the states the next step starts from.
    public init(output: Tensor, states: [Tensor]) {
        self.output = output
        self.states = states
    }
}

extension RecurrentCell {
    public var outputSize: Int { stateShapes.first?.first ?? 0 }
    public var outputShape: [Int] { [outputSize] }

    public func initialState(batchSize: Int) -> [Tensor] {
        stateShapes.map { Tensor.zeros([batchSize] + $0) }
    }

    public var weightSlots: [WeightSlot] { [] }
    public var weights: [Tensor] { [] }

    public mutating func setWeights(_ weights: [Tensor]) throws {
        guard weights.isEmpty else {
            throw RecurrentError(.countMismatch, "this cell has no weights, but \(weights.count) were given")
        }
    }

    public var acceptsConstants: Bool { false }

    public func makeDropoutMasks(batchSize: Int, inputSize: Int, call: Int) -> [DropoutMasks?] { [nil] }

    public func projectInputs(_ inputs: Tensor) throws -> Tensor? { nil }

    public func step(projected: Tensor, states: [Tensor], context: CellContext) throws -> CellOutput {
        throw RecurrentError(.unsupported, "this cell has no projected step")
    }
}
