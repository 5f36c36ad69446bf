/// The value of an attribute, by element kind.
public enum HDF5AttributeValue: Sendable, Equatable {
    /// Strings of any form, decoded as UTF-8.
    case strings(HDF5Array<String>)
    /// Floating-point numbers of any width, as `Double`.
    case floats(HDF5Array<Double>)
    /// Integers of any width, as `Int64`.
    case integers(HDF5Array<Int64>)

    /// The attribute's shape: `[]` for a scalar.
    public var shape: [Int] {
        switch self {
        case .strings(let array): return array.shape
        case .floats(let array): return array.shape
        case .integers(let array): return array.shape
        }
    }
}

/// An attribute's type and shape, without its value.
public struct HDF5AttributeInfo: Sendable, Equatable {
    /// The type of the attribute's elements.
    public var datatype: HDF5Datatype
    /// `[]` for a scalar attribute.
    public var shape: [Int]
}
