import HDF5

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

    public var code: Code
    /// The file's path.
    public var file: String
    /// Why, in words.
    public var reason: String
    /// The HDF5 module's error, when the failure came from there.
    public var underlying: HDF5Error?

    public init(_ code: Code, file: String, reason: String, underlying: HDF5Error? = nil) {
        self.code = code
        self.file = file
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

    /// One line, whatever the file held: names and values from the file are escaped and long ones cut
    /// (`TerminalText`).
    public var description: String {
        TerminalText.escaped(underlying?.description ?? "\(file): \(reason)")
    }
}
