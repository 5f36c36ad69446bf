/// Everything that can go wrong in the HDF5 module: what was attempted, on which file and object, why,
/// and libhdf5's own error stack.
///
/// `description` is one sentence a user can act on, for example
/// `model.h5: cannot open file: it is truncated or damaged (libhdf5: truncated file: eof = 2048, ...)`.
public struct HDF5Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure, for code that reacts to it.
    public enum Code: String, Sendable, Equatable {
        /// The file does not exist (or is a directory).
        case fileNotFound
        /// The file cannot be read or created for lack of permission or a missing directory.
        case accessDenied
        /// The file has no HDF5 signature: it is not an HDF5 file at all.
        case notHDF5
        /// The file has an HDF5 signature but libhdf5 cannot read it: truncated or damaged.
        case damaged
        /// Another process holds the file's lock (libhdf5 locks a file while it is open for writing).
        case locked
        /// Creating a file that exists, without being asked to overwrite it.
        case fileExists
        /// No object or attribute at that path or name.
        case notFound
        /// The object exists but is of another kind (a dataset where a group was expected, ...).
        case wrongKind
        /// The data's type cannot be read as asked (strings read as numbers, a compound type, ...).
        case unsupportedType
        /// The file asks for something RNNKit refuses to do: follow an external link, read external or
        /// virtual storage, or allocate far more memory than the file holds.
        case refused
        /// The caller passed something unusable: a bad name, values that do not fit the shape, ...
        case invalidArgument
        /// The file was closed before the call.
        case closed
        /// libhdf5 reported a failure not covered above.
        case libraryFailure
    }

    /// The kind of failure.
    public var code: Code
    /// What was attempted, such as `read attribute 'layer_names'`.
    public var operation: String
    /// The file's path (or an in-memory file's name).
    public var file: String
    /// The object's path inside the file, when the failure concerns one.
    public var objectPath: String?
    /// Why it failed, in words.
    public var reason: String
    /// libhdf5's error stack, outermost call first; empty when the failure was detected before calling it.
    public var libraryStack: [String]

    /// A failure of `operation` on `file` (at `objectPath`), with libhdf5's error stack when it reported one.
    public init(
        _ code: Code, operation: String, file: String, objectPath: String? = nil, reason: String,
        libraryStack: [String] = []
    ) {
        self.code = code
        self.operation = operation
        self.file = file
        self.objectPath = objectPath
        self.reason = reason
        self.libraryStack = libraryStack
    }

    /// One sentence: the file, the operation, the object, why, and libhdf5's innermost message.
    public var description: String {
        var text = "\(file): cannot \(operation)"
        if let objectPath { text += " at \(objectPath)" }
        text += ": \(reason)"
        if let cause = libraryStack.last { text += " (libhdf5: \(cause))" }
        return text
    }
}
