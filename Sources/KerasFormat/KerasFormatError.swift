import HDF5
import RecurrentLayers

/// What went wrong reading or writing a Keras file: one sentence naming the file (and, where it applies,
/// the layer and slot), plus the underlying HDF5 error when there is one.
public struct KerasFormatError: Error, Sendable, CustomStringConvertible {
    /// The kind of failure, for code that reacts to it (and for the CLI's exit code).
    public enum Code: String, Sendable {
        /// The file does not exist.
        case fileNotFound
        /// The file is not in any Keras layout RNNKit knows (by content, never by name).
        case unknownLayout
        /// The file is in a known layout but cannot be read: truncated, damaged, or missing a part.
        case unreadable
        /// A weights-only file was read without the model's JSON (`model.to_json()`), which it needs.
        case configRequired
        /// The file holds a layer, cell or activation RNNKit does not implement (a custom class, Lambda).
        case unsupportedLayer
        /// Weights do not fit the layers: missing, unused, or of the wrong shape.
        case weightMismatch
        /// The output file cannot be written (it exists, the directory is missing, or the write failed).
        case cannotWrite
        /// A model built in code cannot be written as it stands (two layers with one name).
        case invalidModel
    }

    /// The kind of failure.
    public var code: Code
    /// The file's path.
    public var file: String
    /// The layer the failure is about, when it is about one (its name in the file's config).
    public var layer: String?
    /// The weight slot (`kernel`, `recurrent_kernel`, ...) or the HDF5 path of the weight, when one is at
    /// fault. The sentence names it too; this is for code.
    public var slot: String?
    /// The `.keras` archive member (`config.json`, `model.weights.h5`, ...), when the failure is inside one.
    public var member: String?
    /// Why, in words (without the file and layer, which `description` puts in front).
    public var reason: String
    /// The error this one wraps: an `HDF5Error` from the file module, a `RecurrentError` from a layer, a
    /// `JSONError`, or Foundation's error for a write.
    public var underlying: (any Error)?

    /// A failure of kind `code` in `file` (at `layer`, `slot` or archive `member` where it applies), said in `reason`, with the error it wraps.
    public init(
        _ code: Code, file: String, layer: String? = nil, slot: String? = nil, member: String? = nil,
        reason: String, underlying: (any Error)? = nil
    ) {
        self.code = code
        self.file = file
        self.layer = layer
        self.slot = slot
        self.member = member
        self.reason = reason
        self.underlying = underlying
    }

    /// Wraps an HDF5 error, keeping its one-sentence description.
    init(_ error: HDF5Error) {
        let code: Code =
            switch error.code {
            case .fileNotFound: .fileNotFound
            case .notHDF5: .unknownLayout
            default: .unreadable
            }
        self.init(code, file: error.file, reason: error.description, underlying: error)
    }

    /// Wraps a layer's refusal (a weight of the wrong shape, a config a layer cannot take) as the file's
    /// fault, keeping the layer and slot it names.
    init(_ code: Code, file: String, _ error: RecurrentError) {
        self.init(code, file: file, layer: error.layer, slot: error.slot, reason: error.message, underlying: error)
    }

    /// The HDF5 module's error, when the failure came from there.
    public var hdf5Error: HDF5Error? { underlying as? HDF5Error }

    /// One line, whatever the file held: `file: layer 'name': reason`, or the HDF5 error's own sentence
    /// (which names the file and object). Names and values from the file are escaped and long ones cut
    /// (`TerminalText`).
    public var description: String {
        if layer == nil, let hdf5Error { return TerminalText.escaped(hdf5Error.description) }
        return TerminalText.escaped("\(file): " + (layer.map { "layer '\($0)': " } ?? "") + reason)
    }
}
