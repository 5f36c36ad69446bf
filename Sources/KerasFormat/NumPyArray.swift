import Foundation
import RecurrentLayers

/// A NumPy `.npy` array (format versions 1-3), the way arrays travel to and from `rnnkit run`.
///
/// Reads little- and big-endian float16/32/64, signed and unsigned integers and booleans in C order;
/// values become float32 (`Tensor`), as Keras computes. Object arrays (pickles) are refused: nothing in a
/// file is ever executed.
public struct NumPyArray: Sendable, Equatable {
    /// NumPy's dtype string, such as `<f4` or `<i8`.
    public var dtype: String
    /// The array's shape (`[]` for a scalar).
    public var shape: [Int]
    /// The values as float32 (integer arrays converted).
    public var tensor: Tensor

    /// A float32 (`<f4`) array holding `tensor`.
    public init(tensor: Tensor) {
        self.dtype = "<f4"
        self.shape = tensor.shape
        self.tensor = tensor
    }

    /// True for integer and boolean dtypes (token ids for an Embedding).
    public var isInteger: Bool { dtype.dropFirst().first.map { "iub".contains($0) } ?? false }

    static let magic: [UInt8] = [0x93] + Array("NUMPY".utf8)

    /// Parses `.npy` bytes; `name` is used in error messages.
    /// - Throws: `KerasFormatError.unreadable` for anything that is not a plain numeric `.npy`.
    public static func parse(_ bytes: [UInt8], name: String) throws -> NumPyArray {
        func fail(_ reason: String) -> KerasFormatError { KerasFormatError(.unreadable, file: name, reason: reason) }
        guard bytes.count >= 10, Array(bytes[0..<6]) == magic else {
            throw fail("it is not a NumPy .npy file (no \\x93NUMPY signature)")
        }
        let major = bytes[6]
        let headerLength: Int
        let headerStart: Int
        switch major {
        case 1:
            headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
            headerStart = 10
        case 2, 3:
            guard bytes.count >= 12 else { throw fail("the .npy header is truncated") }
            headerLength = (0..<4).reduce(0) { $0 | Int(bytes[8 + $1]) << (8 * $1) }
            headerStart = 12
        default:
            throw fail("unsupported .npy format version \(major)")
        }
        guard headerLength <= bytes.count - headerStart else { throw fail("the .npy header is truncated") }
        let header = String(decoding: bytes[headerStart..<(headerStart + headerLength)], as: UTF8.self)
        guard let descr = field("descr", in: header), let order = field("fortran_order", in: header),
            let shapeText = field("shape", in: header)
        else { throw fail("the .npy header lacks descr, fortran_order or shape: \(header.prefix(120))") }
        let dtype = descr.trimmingCharacters(in: CharacterSet(charactersIn: "'\""))
        guard order == "False" else {
            throw fail("Fortran-ordered arrays are not supported; save with np.ascontiguousarray")
        }
        let shape = try shapeText.trimmingCharacters(in: CharacterSet(charactersIn: "() ")).split(separator: ",").map {
            part -> Int in
            guard let extent = Int(part.trimmingCharacters(in: .whitespaces)), extent >= 0 else {
                throw fail("bad shape \(shapeText)")
            }
            return extent
        }
        let (count, overflow) = Tensor.checkedCount(shape)
        guard !overflow else { throw fail("its shape \(shape) has more elements than can be counted") }
        let data = Array(bytes[(headerStart + headerLength)...])
        let values = try decode(data, dtype: dtype, count: count, fail: fail)
        return NumPyArray(dtype: dtype, shape: shape, tensor: Tensor(shape: shape, scalars: values))
    }

    /// Reads a `.npy` file.
    public static func read(path: String) throws -> NumPyArray {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw KerasFormatError(.fileNotFound, file: path, reason: "no such file")
        }
        return try parse([UInt8](data), name: path)
    }

    /// The value of `key` in a header dict such as `{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }`.
    static func field(_ key: String, in header: String) -> String? {
        guard let keyRange = header.range(of: "'\(key)':") ?? header.range(of: "\"\(key)\":") else { return nil }
        var rest = header[keyRange.upperBound...].drop { $0 == " " }
        if rest.first == "(" {
            guard let close = rest.firstIndex(of: ")") else { return nil }
            return String(rest[...close])
        }
        if rest.first == "'" || rest.first == "\"" {
            let quote = rest.first!
            rest = rest.dropFirst()
            guard let close = rest.firstIndex(of: quote) else { return nil }
            return String(rest[..<close])
        }
        return String(rest.prefix { $0 != "," && $0 != "}" }).trimmingCharacters(in: .whitespaces)
    }

    static func decode(_ data: [UInt8], dtype: String, count: Int, fail: (String) -> KerasFormatError) throws -> [Float]
    {
        guard dtype.count >= 3, let width = Int(dtype.dropFirst(2)) else { throw fail("unsupported dtype '\(dtype)'") }
        let order = dtype.first!
        let kind = dtype[dtype.index(after: dtype.startIndex)]
        guard kind != "O" else { throw fail("object arrays (pickles) are refused: nothing in a file is executed") }
        guard [1, 2, 4, 8].contains(width) else { throw fail("unsupported dtype '\(dtype)'") }
        guard data.count / width >= count else {
            throw fail("the array data is truncated: \(data.count) bytes for \(count) elements of \(dtype)")
        }
        let bigEndian = order == ">"
        func word(_ index: Int) -> UInt64 {
            var value: UInt64 = 0
            for byte in 0..<width {
                let b = UInt64(data[index * width + (bigEndian ? width - 1 - byte : byte)])
                value |= b << (8 * UInt64(byte))
            }
            return value
        }
        switch (kind, width) {
        case ("f", 2): return (0..<count).map { Float(Float16(bitPattern: UInt16(word($0)))) }
        case ("f", 4): return (0..<count).map { Float(bitPattern: UInt32(word($0))) }
        case ("f", 8): return (0..<count).map { Float(Double(bitPattern: word($0))) }
        case ("i", 1), ("i", 2), ("i", 4), ("i", 8):
            let shift = UInt64(64 - 8 * width)
            return (0..<count).map { Float(Int64(bitPattern: word($0) << shift) >> Int64(shift)) }
        case ("u", _), ("b", 1): return (0..<count).map { Float(word($0)) }
        default: throw fail("unsupported dtype '\(dtype)'")
        }
    }

    /// The `.npy` bytes of this array as float32 (`<f4`), format version 1.0.
    public func npyBytes() -> [UInt8] {
        let shapeText =
            tensor.shape.count == 1
            ? "(\(tensor.shape[0]),)" : "(" + tensor.shape.map(String.init).joined(separator: ", ") + ")"
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': \(shapeText), }"
        let total = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - total % 64) % 64) + "\n"
        var bytes =
            Self.magic + [1, 0, UInt8(header.utf8.count & 0xFF), UInt8(header.utf8.count >> 8)] + Array(header.utf8)
        for value in tensor.scalars {
            let bits = value.bitPattern
            bytes += [UInt8(bits & 0xFF), UInt8((bits >> 8) & 0xFF), UInt8((bits >> 16) & 0xFF), UInt8(bits >> 24)]
        }
        return bytes
    }

    private init(dtype: String, shape: [Int], tensor: Tensor) {
        self.dtype = dtype
        self.shape = shape
        self.tensor = tensor
    }
}
