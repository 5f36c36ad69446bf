import CHDF5

extension HDF5Object {
    /// The names of this object's attributes, sorted by name (`H5Aget_name_by_idx` on the name index).
    public func attributeNames() throws -> [String] {
        let operation = "list attributes"
        return try withObject(operation: operation) { object in
            let count = rnk_attribute_count(object)
            guard count >= 0 else { throw failure(.damaged, operation, "libhdf5 cannot count its attributes") }
            return try (0..<hsize_t(count)).map { index in
                let size = H5Aget_name_by_idx(object, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, rnk_p_default())
                guard size >= 0 else {
                    throw failure(.damaged, operation, "libhdf5 cannot read attribute #\(index)'s name")
                }
                var buffer = [CChar](repeating: 0, count: size + 1)
                _ = H5Aget_name_by_idx(
                    object, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, rnk_p_default())
                return String(decoding: buffer.prefix(size).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        }
    }

    /// True when the object has an attribute called `name` (`H5Aexists`).
    public func hasAttribute(_ name: String) throws -> Bool {
        try withObject(operation: "look up attribute '\(name)'") { object in H5Aexists(object, name) > 0 }
    }

    /// The type and shape of attribute `name`.
    /// - Throws: `HDF5Error` `.notFound` when there is no such attribute.
    public func attributeInfo(_ name: String) throws -> HDF5AttributeInfo {
        try withAttribute(name, operation: "read attribute '\(name)'") { _, type, _, shape in
            HDF5AttributeInfo(datatype: TypeDescription.describe(type), shape: shape)
        }
    }

    /// The value of attribute `name`, whatever its form: strings variable or fixed length, ASCII or UTF-8,
    /// null-terminated, null-padded (full-width elements with no NUL included) or space-padded, scalar or
    /// array; floats of any width as `Double`; integers as `Int64`.
    /// - Throws: `HDF5Error` `.notFound`, or `.unsupportedType` for compound and other types.
    public func readAttribute(_ name: String) throws -> HDF5AttributeValue {
        let operation = "read attribute '\(name)'"
        return try withAttribute(name, operation: operation) { attribute, type, space, shape in
            guard let count = Dataspace.elementCount(shape) else {
                throw failure(.refused, operation, "its shape is too large")
            }
            switch TypeDescription.describe(type) {
            case .string:
                guard
                    let strings = StringCodec.read(
                        fileType: type, space: space, count: count, { H5Aread(attribute, $0, $1) })
                else { throw failure(.damaged, operation, "libhdf5 cannot read its strings") }
                return .strings(HDF5Array(shape: shape, values: strings))
            case .float:
                return .floats(
                    HDF5Array(shape: shape, values: try readNumbers(attribute, count, Double.self, operation)))
            case .integer:
                return .integers(
                    HDF5Array(shape: shape, values: try readNumbers(attribute, count, Int64.self, operation)))
            case .other(let kind):
                throw failure(.unsupportedType, operation, "it holds \(kind) values, which RNNKit does not read")
            }
        }
    }

    /// A string attribute's single value (a scalar, or an array of one element).
    /// - Throws: `HDF5Error` `.notFound`, or `.wrongKind` when it is not a single string.
    public func readString(_ name: String) throws -> String {
        guard case .strings(let array) = try readAttribute(name), array.values.count == 1 else {
            throw HDF5Error(
                .wrongKind, operation: "read attribute '\(name)'", file: file.name, objectPath: path,
                reason: "it is not a single string")
        }
        return array.values[0]
    }

    /// A list of strings from attribute `name`: an array (or scalar) of strings in any form; an empty
    /// numeric array (Keras writes `[]` as float64 with shape `[0]`) is the empty list.
    /// - Throws: `HDF5Error` `.notFound`, or `.wrongKind` when it holds non-empty numbers.
    public func readStringList(_ name: String) throws -> [String] {
        switch try readAttribute(name) {
        case .strings(let array): return array.values
        case .floats(let array) where array.values.isEmpty: return []
        case .integers(let array) where array.values.isEmpty: return []
        default:
            throw HDF5Error(
                .wrongKind, operation: "read attribute '\(name)'", file: file.name, objectPath: path,
                reason: "it holds numbers, not strings")
        }
    }

    /// A string list that Keras may have split across `name0`, `name1`, ... because it was too large for
    /// one attribute: `name` when present, else the chunks concatenated until one is missing, else nil.
    public func readChunkedStringList(_ name: String) throws -> [String]? {
        if try hasAttribute(name) { return try readStringList(name) }
        var strings: [String] = []
        var index = 0
        while try hasAttribute("\(name)\(index)") {
            strings += try readStringList("\(name)\(index)")
            index += 1
        }
        return index == 0 ? nil : strings
    }

    /// Opens attribute `name` (`H5Aopen`) and hands `body` its id, type, dataspace and shape.
    private func withAttribute<R>(
        _ name: String, operation: String, _ body: (hid_t, hid_t, hid_t, [Int]) throws -> R
    ) throws -> R {
        try withObject(operation: operation) { object in
            guard H5Aexists(object, name) > 0 else {
                _ = Library.takeErrorStack()
                throw HDF5Error(
                    .notFound, operation: operation, file: file.name, objectPath: path,
                    reason: "there is no such attribute")
            }
            guard let attribute = OwnedID(H5Aopen(object, name, rnk_p_default()), .attribute),
                let type = OwnedID(H5Aget_type(attribute.raw), .datatype),
                let space = OwnedID(H5Aget_space(attribute.raw), .dataspace)
            else { throw failure(.damaged, operation, "libhdf5 cannot open it") }
            guard let shape = Dataspace.shape(of: space.raw) else {
                throw failure(.unsupportedType, operation, "it has a null or unreadable dataspace")
            }
            return try body(attribute.raw, type.raw, space.raw, shape)
        }
    }

    private func readNumbers<Scalar: HDF5Scalar>(
        _ attribute: hid_t, _ count: Int, _: Scalar.Type, _ operation: String
    ) throws -> [Scalar] {
        try [Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
            if count > 0 {
                guard H5Aread(attribute, Scalar.hdf5Kind.memoryType, buffer.baseAddress) >= 0 else {
                    throw failure(.damaged, operation, "libhdf5 cannot read its values")
                }
            }
            initialized = count
        }
    }
}
