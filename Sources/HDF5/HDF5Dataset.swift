import CHDF5

/// A dataset in an HDF5 file: an n-dimensional array of one element type (a Keras weight).
public struct HDF5Dataset: HDF5Object {
    public let file: HDF5File
    public let path: String

    init(file: HDF5File, path: String) {
        self.file = file
        self.path = path
    }

    /// How a dataset's bytes are laid out in the file.
    public enum Layout: Sendable, Equatable {
        /// One block of bytes: what Keras writes.
        case contiguous
        /// Split into chunks, possibly compressed.
        case chunked
        /// Stored inside the object header.
        case compact
        /// Assembled from other datasets (refused on read).
        case virtual
    }

    /// What a dataset holds, without reading its values.
    public struct Info: Sendable, Equatable {
        /// `[]` for a scalar.
        public var shape: [Int]
        /// The type of the dataset's elements.
        public var datatype: HDF5Datatype
        /// How the values are stored: contiguous, chunked, compact or virtual.
        public var layout: Layout
        /// The number of filters (compression, shuffle, checksums) applied to the data.
        public var filterCount: Int
        /// The bytes the data occupies in the file (`H5Dget_storage_size`).
        public var storedBytes: Int
        /// The number of elements: the product of `shape`.
        /// (`Int.max` when the product does not fit.)
        public var elementCount: Int { Dataspace.elementCount(shape) ?? Int.max }
    }

    /// Shape, element type and storage of the dataset (`H5Dget_space`, `H5Dget_type`, `H5Pget_layout`).
    /// - Throws: `HDF5Error` `.unsupportedType` for a null dataspace.
    public func info() throws -> Info {
        try withObject(operation: "read dataset information") { dataset in
            try describe(dataset, operation: "read dataset information")
        }
    }

    private func describe(_ dataset: hid_t, operation: String) throws -> Info {
        guard let type = OwnedID(H5Dget_type(dataset), .datatype),
            let space = OwnedID(H5Dget_space(dataset), .dataspace)
        else { throw failure(.damaged, operation, "libhdf5 cannot read its type or shape") }
        guard let shape = Dataspace.shape(of: space.raw) else {
            throw failure(.unsupportedType, operation, "it has a null or unreadable dataspace (no shape)")
        }
        let layout: Layout
        switch rnk_dataset_layout(dataset) {
        case 0: layout = .contiguous
        case 1: layout = .chunked
        case 2: layout = .compact
        case 3: layout = .virtual
        default: throw failure(.damaged, operation, "libhdf5 cannot read its storage layout")
        }
        return Info(
            shape: shape, datatype: TypeDescription.describe(type.raw), layout: layout,
            filterCount: Int(max(0, rnk_dataset_filter_count(dataset))),
            storedBytes: Int(clamping: H5Dget_storage_size(dataset)))
    }

    /// Reads every value, converted to `Scalar` from whatever integer or float type the file holds
    /// (float16, float64, big-endian, int8, ...), as libhdf5's conversion does (`H5Dread`).
    ///
    /// ```swift
    /// let kernel = try group.dataset("lstm/lstm_cell/kernel").read(as: Float.self)
    /// // kernel.shape == [features, 4 * units]
    /// ```
    /// - Throws: `HDF5Error` `.unsupportedType` for strings and other non-numeric types; `.refused` for
    ///   virtual or external storage, or a dataset that declares over 4 GiB and over 1000 times the bytes
    ///   it stores (a memory bomb); `.damaged` when libhdf5 cannot read the data.
    public func read<Scalar: HDF5Scalar>(as _: Scalar.Type = Float.self) throws -> HDF5Array<Scalar> {
        let operation = "read dataset"
        return try withObject(operation: operation) { dataset in
            let info = try describe(dataset, operation: operation)
            guard info.datatype.isNumeric else {
                throw failure(.unsupportedType, operation, "it holds \(info.datatype), not numbers")
            }
            let count = try checkedCount(info, dataset: dataset, operation: operation)
            let values = try [Scalar](unsafeUninitializedCapacity: count) { buffer, initialized in
                if count > 0 {
                    let status = H5Dread(
                        dataset, Scalar.hdf5Kind.memoryType, rnk_s_all(), rnk_s_all(), rnk_p_default(),
                        buffer.baseAddress)
                    guard status >= 0 else {
                        throw failure(
                            .damaged, operation, "libhdf5 cannot read its values (truncated or damaged data?)")
                    }
                }
                initialized = count
            }
            return HDF5Array(shape: info.shape, values: values)
        }
    }

    /// Reads every element of a string dataset, in any string form (see `HDF5Object.readAttribute`).
    /// - Throws: `HDF5Error` `.unsupportedType` when the dataset does not hold strings.
    public func readStrings() throws -> HDF5Array<String> {
        let operation = "read string dataset"
        return try withObject(operation: operation) { dataset in
            let info = try describe(dataset, operation: operation)
            guard case .string = info.datatype else {
                throw failure(.unsupportedType, operation, "it holds \(info.datatype), not strings")
            }
            let count = try checkedCount(info, dataset: dataset, operation: operation)
            guard let type = OwnedID(H5Dget_type(dataset), .datatype),
                let space = OwnedID(H5Dget_space(dataset), .dataspace),
                let strings = StringCodec.read(
                    fileType: type.raw, space: space.raw, count: count,
                    { memoryType, buffer in
                        H5Dread(dataset, memoryType, rnk_s_all(), rnk_s_all(), rnk_p_default(), buffer)
                    })
            else { throw failure(.damaged, operation, "libhdf5 cannot read its strings") }
            return HDF5Array(shape: info.shape, values: strings)
        }
    }

    /// The element count, after refusing storage that could read other files or exhaust memory.
    private func checkedCount(_ info: Info, dataset: hid_t, operation: String) throws -> Int {
        guard rnk_dataset_storage_is_internal(dataset) == 1 else {
            throw failure(
                .refused, operation, "its data is virtual or stored in external files, which RNNKit never reads")
        }
        guard let count = Dataspace.elementCount(info.shape) else {
            throw failure(.refused, operation, "its shape \(info.shape) is too large")
        }
        let elementBytes: Int
        switch info.datatype {
        case .float(let bits, _), .integer(let bits, _, _): elementBytes = max(1, bits / 8)
        default: elementBytes = 16
        }
        let (declared, overflow) = count.multipliedReportingOverflow(by: elementBytes)
        let limit = 4 << 30
        if overflow || (declared > limit && declared / 1000 > info.storedBytes) {
            throw failure(
                .refused, operation, "it declares \(info.shape) elements but stores only \(info.storedBytes) bytes")
        }
        return count
    }
}
