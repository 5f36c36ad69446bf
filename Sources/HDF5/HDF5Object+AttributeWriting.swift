import CHDF5

extension HDF5Object {
    /// The largest attribute Keras writes in one piece; longer name lists are chunked (KERAS.md C.5).
    public static var objectHeaderLimit: Int { 64512 }

    /// Writes a scalar string attribute in `form`, replacing any attribute of that name (`H5Acreate2`,
    /// `H5Awrite`). Keras's forms: `.variableUTF8` for `keras_version` at the root of a legacy `.h5` and
    /// every `name`; `.variableASCII` for `model_config`.
    public func setAttribute(_ name: String, string: String, form: HDF5StringForm) throws {
        try writeStrings(name, [string], shape: [], form: form)
    }

    /// Writes a one-dimensional string array attribute in `form` (shape `[strings.count]`).
    /// - Throws: `HDF5Error` `.invalidArgument` when a string is longer than a fixed form's width.
    public func setAttribute(_ name: String, strings: [String], form: HDF5StringForm) throws {
        try writeStrings(name, strings, shape: [strings.count], form: form)
    }

    /// Writes a numeric attribute; `shape` `[0]` with `[Double]()` is the empty float64 array Keras writes
    /// for an empty name list.
    public func setAttribute<Scalar: HDF5Scalar>(_ name: String, values: [Scalar], shape: [Int]) throws {
        let operation = "write attribute '\(name)'"
        guard shape.reduce(1, *) == values.count else {
            throw HDF5Error(
                .invalidArgument, operation: operation, file: file.name, objectPath: path,
                reason: "\(values.count) values do not fill shape \(shape)")
        }
        let kind = Scalar.hdf5Kind
        try writeAttribute(name, shape: shape, fileType: kind.fileType, operation: operation) { attribute in
            // libhdf5 wants a buffer even for zero elements; give it a placeholder then.
            var placeholder: UInt64 = 0
            return values.isEmpty
                ? withUnsafeBytes(of: &placeholder) { H5Awrite(attribute, kind.memoryType, $0.baseAddress) }
                : values.withUnsafeBytes { H5Awrite(attribute, kind.memoryType, $0.baseAddress) }
        }
    }

    /// Writes a list of names as Keras's `save_attributes_to_hdf5_group` does (KERAS.md C.5, D.3): in one
    /// attribute when it fits (variable-length ASCII; an empty list as an empty float64 array), otherwise
    /// split with NumPy's `array_split` into the fewest chunks `name0`, `name1`, ... whose fixed-width
    /// (`S<longest>`, null-padded ASCII) size is at most 64512 bytes each. Earlier `name` and `name<k>`
    /// attributes are removed first.
    /// - Throws: `HDF5Error` `.invalidArgument` when one name alone is longer than 64512 bytes.
    public func setChunkedStringList(_ name: String, _ strings: [String]) throws {
        let operation = "write attribute '\(name)'"
        let limit = Self.objectHeaderLimit
        if let long = strings.first(where: { $0.utf8.count > limit }) {
            throw HDF5Error(
                .invalidArgument, operation: operation, file: file.name, objectPath: path,
                reason:
                    "the name '\(long.prefix(40))...' is \(long.utf8.count) bytes, over the \(limit)-byte attribute limit"
            )
        }
        try removeAttribute(name)
        var index = 0
        while try hasAttribute("\(name)\(index)") {
            try removeAttribute("\(name)\(index)")
            index += 1
        }
        if strings.isEmpty {
            try setAttribute(name, values: [Double](), shape: [0])
            return
        }
        let width = max(1, strings.map(\.utf8.count).max() ?? 1)
        var chunkCount = 1
        while (strings.count + chunkCount - 1) / chunkCount * width > limit { chunkCount += 1 }
        if chunkCount == 1 {
            try setAttribute(name, strings: strings, form: .variableASCII)
            return
        }
        let form = HDF5StringForm(length: .fixed(width), charset: .ascii, padding: .nullPadded)
        var start = 0
        for chunk in 0..<chunkCount {
            let size = strings.count / chunkCount + (chunk < strings.count % chunkCount ? 1 : 0)
            try setAttribute("\(name)\(chunk)", strings: Array(strings[start..<start + size]), form: form)
            start += size
        }
    }

    /// Removes attribute `name` if it exists (`H5Adelete`).
    public func removeAttribute(_ name: String) throws {
        let operation = "remove attribute '\(name)'"
        try requireWritable(operation)
        try withObject(operation: operation) { object in
            if H5Aexists(object, name) > 0, H5Adelete(object, name) < 0 {
                throw failure(.libraryFailure, operation, "libhdf5 could not remove it")
            }
        }
    }

    private func writeStrings(_ name: String, _ strings: [String], shape: [Int], form: HDF5StringForm) throws {
        let operation = "write attribute '\(name)'"
        if case .fixed(let width) = form.length {
            guard width > 0 else {
                throw HDF5Error(
                    .invalidArgument, operation: operation, file: file.name, objectPath: path,
                    reason: "a fixed string width must be at least 1")
            }
            if let long = strings.first(where: { $0.utf8.count > width }) {
                throw HDF5Error(
                    .invalidArgument, operation: operation, file: file.name, objectPath: path,
                    reason: "'\(long.prefix(40))' is \(long.utf8.count) bytes, wider than the fixed width \(width)")
            }
        }
        try Library.run {
            guard let type = StringCodec.makeType(form) else {
                throw failure(.libraryFailure, operation, "libhdf5 could not make the string type")
            }
            try writeAttribute(name, shape: shape, fileType: type.raw, operation: operation) { attribute in
                StringCodec.withBuffer(strings, form: form) { H5Awrite(attribute, type.raw, $0) }
            }
        }
    }

    /// Replaces attribute `name` with a new one of `fileType` and `shape`, filled by `write`.
    private func writeAttribute(
        _ name: String, shape: [Int], fileType: hid_t, operation: String, _ write: (hid_t) -> herr_t
    ) throws {
        try requireWritable(operation)
        try withObject(operation: operation) { object in
            if H5Aexists(object, name) > 0, H5Adelete(object, name) < 0 {
                throw failure(.libraryFailure, operation, "libhdf5 could not replace the existing attribute")
            }
            guard let space = Dataspace.create(shape: shape),
                let attribute = OwnedID(
                    H5Acreate2(object, name, fileType, space.raw, rnk_p_default(), rnk_p_default()), .attribute)
            else {
                throw failure(
                    .libraryFailure, operation, "libhdf5 could not create it (over the 64 KB object-header limit?)")
            }
            guard write(attribute.raw) >= 0 else {
                throw failure(.libraryFailure, operation, "libhdf5 could not write it")
            }
        }
    }
}
