/// Everything the layer module refuses: wrong shapes, wrong state counts, misuse of stateful layers.
/// `description` is one sentence naming the layer and what was expected and found, in Keras's words
/// where Keras has words for it.
public struct RecurrentError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of refusal, for code that reacts to it.
    public enum Code: String, Sendable, Equatable {
        /// An input, state, mask or weight has the wrong shape.
        case shapeMismatch
        /// The number of initial states or weights is wrong.
        case countMismatch
        /// `resetStates` on a layer that is not stateful.
        case notStateful
        /// A stateful layer whose batch size is not known yet, or a batch that differs from it.
        case batchSize
        /// An argument value outside what the layer accepts (an unknown activation, a rate outside [0, 1], ...).
        case invalidArgument
        /// A feature the cell does not support (constants passed to a cell that takes none, ...).
        case unsupported
    }

    /// The kind of refusal.
    public var code: Code
    /// The layer's name, when it has one.
    public var layer: String?
    /// The weight slot at fault (`kernel`, `recurrent_kernel`, ...), when one is; the message names it too.
    public var slot: String?
    /// What is wrong, in one sentence (Keras's words where it has words for it).
    public var message: String

    /// A refusal of kind `code` by layer `layer` (and weight slot `slot`), saying `message`.
    public init(_ code: Code, layer: String? = nil, slot: String? = nil, _ message: String) {
        self.code = code
        self.layer = layer
        self.slot = slot
        self.message = message
    }

    /// `layer 'name': message`, or the message alone for an unnamed layer.
    public var description: String {
        if let layer { return "layer '\(layer)': \(message)" }
        return message
    }
}
