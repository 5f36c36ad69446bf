/// A JSON value that keeps what Keras wrote: object keys in their order, integers apart from floats,
/// and Python's `NaN`/`Infinity` extensions. Configs read into it and written back are unchanged,
/// including the keys RNNKit does not interpret.
public enum JSONValue: Sendable, Equatable {
    /// `null` (Python's `None`).
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// An integer literal (no fraction or exponent).
    case int(Int64)
    /// Any other number, including Python's `NaN`, `Infinity` and `-Infinity`.
    case double(Double)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object, its keys in the order written.
    case object(JSONObject)

    /// The object's value for `key`, when this is an object that has it.
    public subscript(key: String) -> JSONValue? {
        if case .object(let object) = self { return object[key] }
        return nil
    }

    /// The string, when this is one.
    public var stringValue: String? { if case .string(let value) = self { value } else { nil } }
    /// The Boolean, when this is one.
    public var boolValue: Bool? { if case .bool(let value) = self { value } else { nil } }
    /// The elements, when this is an array.
    public var arrayValue: [JSONValue]? { if case .array(let value) = self { value } else { nil } }
    /// The object, when this is one.
    public var objectValue: JSONObject? { if case .object(let value) = self { value } else { nil } }
    /// True for `null`.
    public var isNull: Bool { self == .null }

    /// An integer, from an integer literal or a float with no fraction.
    public var intValue: Int? {
        switch self {
        case .int(let value): return Int(exactly: value)
        case .double(let value): return value.rounded() == value && abs(value) < 1e15 ? Int(value) : nil
        default: return nil
        }
    }

    /// A number, from either kind of literal.
    public var doubleValue: Double? {
        switch self {
        case .int(let value): return Double(value)
        case .double(let value): return value
        default: return nil
        }
    }
}

/// A JSON object: its entries in order, looked up by key.
public struct JSONObject: Sendable, Equatable, Sequence {
    /// The entries, in order.
    public private(set) var entries: [(key: String, value: JSONValue)]

    /// An object with `entries`, in that order.
    public init(_ entries: [(key: String, value: JSONValue)] = []) {
        self.entries = entries
    }

    /// The value for `key`; setting a new key appends it, setting nil removes it.
    public subscript(key: String) -> JSONValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append((key, newValue))
            }
        }
    }

    /// The keys, in order.
    public var keys: [String] { entries.map(\.key) }

    /// The entries, in order.
    public func makeIterator() -> IndexingIterator<[(key: String, value: JSONValue)]> { entries.makeIterator() }

    /// Equal when the entries are, in the same order.
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        lhs.entries.count == rhs.entries.count
            && zip(lhs.entries, rhs.entries).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }
}
