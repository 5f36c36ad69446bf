/// The type of a dataset's or attribute's elements, as stored in the file.
public enum HDF5Datatype: Sendable, Equatable, CustomStringConvertible {
    /// Byte order of a numeric type.
    public enum ByteOrder: Sendable, Equatable {
        /// Least significant byte first (x86, ARM as used).
        case littleEndian
        /// Most significant byte first.
        case bigEndian
    }

    /// An IEEE-style floating-point type of 16, 32 or 64 bits (or another width).
    case float(bits: Int, byteOrder: ByteOrder)
    /// A two's-complement or unsigned integer type.
    case integer(bits: Int, signed: Bool, byteOrder: ByteOrder)
    /// A string type (variable or fixed length).
    case string(HDF5StringForm)
    /// Anything else (compound, enum, opaque, reference, ...), named by its libhdf5 class.
    case other(String)

    /// NumPy's spelling for numeric types (`<f4`, `>i8`, `|u1`), and a readable one for strings.
    public var description: String {
        switch self {
        case .float(let bits, let order):
            return "\(Self.orderMark(order, bits: bits))f\(bits / 8)"
        case .integer(let bits, let signed, let order):
            return "\(Self.orderMark(order, bits: bits))\(signed ? "i" : "u")\(bits / 8)"
        case .string(let form):
            return form.description
        case .other(let name):
            return name
        }
    }

    /// True for float and integer types, which read into numbers.
    public var isNumeric: Bool {
        switch self {
        case .float, .integer: return true
        case .string, .other: return false
        }
    }

    private static func orderMark(_ order: ByteOrder, bits: Int) -> String {
        if bits <= 8 { return "|" }
        return order == .littleEndian ? "<" : ">"
    }
}

/// How a string type is stored: variable or fixed length, character set, and padding.
///
/// The forms Keras files hold (KERAS.md D.3):
/// - `variableUTF8`: h5py's `str` (the `name` of every `vars` group, root `keras_version`);
/// - `variableASCII`: h5py's `bytes` and lists of `bytes` (`model_config`, `layer_names`);
/// - `fixed(width, .ascii, .nullPadded)`: NumPy `S` arrays (chunked `layer_names0`, old Keras 2 files).
public struct HDF5StringForm: Sendable, Equatable, CustomStringConvertible {
    /// Variable length (each string on libhdf5's heap) or a fixed number of bytes per element.
    public enum Length: Sendable, Equatable {
        /// Each string on libhdf5's heap, as long as it is.
        case variable
        /// This many bytes per element.
        case fixed(Int)
    }

    /// The character set libhdf5 records for the type (`H5Tget_cset`).
    public enum Charset: Sendable, Equatable {
        /// `H5T_CSET_ASCII`.
        case ascii
        /// `H5T_CSET_UTF8`.
        case utf8
    }

    /// How a shorter string fills a fixed-length element (`H5Tget_strpad`).
    public enum Padding: Sendable, Equatable {
        /// A NUL ends the string (`H5T_STR_NULLTERM`, h5py's choice).
        case nullTerminated
        /// NULs fill the rest (`H5T_STR_NULLPAD`, NumPy's `S` strings).
        case nullPadded
        /// Spaces fill the rest (`H5T_STR_SPACEPAD`, Fortran's).
        case spacePadded
    }

    /// Fixed or variable length.
    public var length: Length
    /// The character set libhdf5 records.
    public var charset: Charset
    /// How a shorter string fills a fixed-length element.
    public var padding: Padding

    /// A string type of `length` in `charset`, padded as `padding` says.
    public init(length: Length, charset: Charset, padding: Padding = .nullTerminated) {
        self.length = length
        self.charset = charset
        self.padding = padding
    }

    /// Variable-length UTF-8, null-terminated: what h5py writes for a Python `str`.
    public static let variableUTF8 = HDF5StringForm(length: .variable, charset: .utf8)
    /// Variable-length ASCII, null-terminated: what h5py writes for Python `bytes`.
    public static let variableASCII = HDF5StringForm(length: .variable, charset: .ascii)

    /// A fixed-length form wide enough for the longest of `strings` in UTF-8 bytes (at least 1 byte, as
    /// NumPy sizes an `S` array).
    public static func fixed(
        fitting strings: [String], charset: Charset = .ascii, padding: Padding = .nullPadded
    ) -> HDF5StringForm {
        let width = max(1, strings.map(\.utf8.count).max() ?? 1)
        return HDF5StringForm(length: .fixed(width), charset: charset, padding: padding)
    }

    /// The form in words, such as `variable-length ascii`.
    public var description: String {
        let set = charset == .ascii ? "ascii" : "utf-8"
        let pad: String
        switch padding {
        case .nullTerminated: pad = "nullterm"
        case .nullPadded: pad = "nullpad"
        case .spacePadded: pad = "spacepad"
        }
        switch length {
        case .variable: return "vlen \(set) string (\(pad))"
        case .fixed(let width): return "S\(width) \(set) string (\(pad))"
        }
    }
}
