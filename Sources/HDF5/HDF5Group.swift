import CHDF5

/// A group in an HDF5 file: a folder of named links to groups and datasets.
///
/// ```swift
/// let weights = try file.root.group("model_weights/lstm")
/// for entry in try weights.visit() where entry.kind == .dataset {
///     let kernel = try weights.dataset(entry.path).read(as: Float.self)
/// }
/// ```
public struct HDF5Group: HDF5Object {
    public let file: HDF5File
    public let path: String

    init(file: HDF5File, path: String) {
        self.file = file
        self.path = path
    }

    // MARK: Navigation

    /// The group at `relativePath` (or an absolute path).
    /// - Throws: `HDF5Error` `.notFound` when nothing is there, `.wrongKind` when it is not a group.
    public func group(_ relativePath: String) throws -> HDF5Group {
        let target = absolutePath(relativePath)
        try expect(.group, at: target, operation: "open group")
        return HDF5Group(file: file, path: target)
    }

    /// The dataset at `relativePath` (or an absolute path).
    /// - Throws: `HDF5Error` `.notFound` when nothing is there, `.wrongKind` when it is not a dataset.
    public func dataset(_ relativePath: String) throws -> HDF5Dataset {
        let target = absolutePath(relativePath)
        try expect(.dataset, at: target, operation: "open dataset")
        return HDF5Dataset(file: file, path: target)
    }

    private func expect(_ wanted: HDF5ObjectKind, at target: String, operation: String) throws {
        let found = try kind(of: target)
        guard let found else {
            throw HDF5Error(
                .notFound, operation: operation, file: file.name, objectPath: target, reason: "there is no such object")
        }
        guard found == wanted else {
            throw HDF5Error(
                .wrongKind, operation: operation, file: file.name, objectPath: target,
                reason: "it is a \(found), not a \(wanted)")
        }
    }

    /// The links in this group, sorted by name as libhdf5 and h5py list them (`H5Lget_name_by_idx` on the
    /// name index). Links are not followed: soft and external links are reported as such.
    public func children() throws -> [HDF5Entry] {
        try withObject(operation: "list group") { groupID in
            try Self.entries(of: groupID, path: path, file: file.name)
        }
    }

    /// Every object below this group, depth-first, each group's members sorted by name. Soft and external
    /// links are listed but not followed, and an object reached again through another hard link is
    /// listed but not descended into again, so the walk always ends.
    public func visit() throws -> [HDF5Entry] {
        try file.withIdentifier(operation: "visit group", objectPath: path) { fileID in
            var seen = Set<[UInt64]>()
            var result: [HDF5Entry] = []
            try walk(fileID: fileID, path: path, seen: &seen, into: &result)
            return result
        }
    }

    private func walk(fileID: hid_t, path groupPath: String, seen: inout Set<[UInt64]>, into result: inout [HDF5Entry])
        throws
    {
        let entries: [HDF5Entry] = try Self.openObject(
            fileID: fileID, path: groupPath, file: file.name, operation: "visit group"
        ) { groupID in
            var identity: [UInt64] = [0, 0]
            guard rnk_object_identity(groupID, &identity) >= 0, seen.insert(identity).inserted else { return [] }
            return try Self.entries(of: groupID, path: groupPath, file: file.name)
        }
        for entry in entries {
            result.append(entry)
            if entry.kind == .group {
                try walk(fileID: fileID, path: entry.path, seen: &seen, into: &result)
            }
        }
    }

    /// The members of an open group. Call inside the lock.
    private static func entries(of groupID: hid_t, path: String, file: String) throws -> [HDF5Entry] {
        var info = H5G_info_t()
        guard H5Gget_info(groupID, &info) >= 0 else {
            throw HDF5File.failure(
                .damaged, "list group", file, "libhdf5 cannot read the group's links", objectPath: path)
        }
        var entries: [HDF5Entry] = []
        for index in 0..<info.nlinks {
            let size = H5Lget_name_by_idx(groupID, ".", H5_INDEX_NAME, H5_ITER_INC, index, nil, 0, rnk_p_default())
            guard size >= 0 else {
                throw HDF5File.failure(
                    .damaged, "list group", file, "libhdf5 cannot read link #\(index)", objectPath: path)
            }
            var buffer = [CChar](repeating: 0, count: size + 1)
            _ = H5Lget_name_by_idx(
                groupID, ".", H5_INDEX_NAME, H5_ITER_INC, index, &buffer, buffer.count, rnk_p_default())
            let name = String(decoding: buffer.prefix(size).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            let childPath = path == "/" ? "/" + name : path + "/" + name
            let kind: HDF5ObjectKind
            switch rnk_link_type(groupID, name, rnk_p_default()) {
            case 0: kind = ObjectLookup.objectKind(fileID: groupID, path: name) ?? .other
            case 1: kind = .softLink
            case 2: kind = .externalLink
            default: kind = .other
            }
            entries.append(HDF5Entry(name: name, path: childPath, kind: kind))
        }
        _ = Library.takeErrorStack()
        return entries
    }

    // MARK: Creating

    /// The group at `relativePath`, created with any missing intermediate groups (`H5Gcreate2` with
    /// `H5Pset_create_intermediate_group`); an existing group is returned as it is.
    /// - Throws: `HDF5Error` `.wrongKind` when a dataset is in the way, `.invalidArgument` on a read-only file.
    @discardableResult
    public func createGroup(_ relativePath: String) throws -> HDF5Group {
        let target = absolutePath(relativePath)
        let operation = "create group"
        try requireWritable(operation, target)
        if try kind(of: target) == .group { return HDF5Group(file: file, path: target) }
        try requireGroupsAlong(target, operation: operation, includingLast: true)
        try file.withIdentifier(operation: operation, objectPath: target) { fileID in
            guard let lcpl = OwnedID(rnk_intermediate_groups_plist(), .propertyList),
                let group = OwnedID(H5Gcreate2(fileID, target, lcpl.raw, rnk_p_default(), rnk_p_default()), .object)
            else {
                throw failure(.libraryFailure, operation, "libhdf5 could not create it", at: target)
            }
            _ = group
        }
        return HDF5Group(file: file, path: target)
    }

    /// Creates a dataset at `relativePath` (creating missing groups) and writes `values` into it, the way
    /// Keras stores a weight: little-endian, contiguous, uncompressed (`H5Dcreate2` with default property
    /// lists, then one `H5Dwrite`).
    /// - Parameters:
    ///   - relativePath: Where to create it, such as `lstm/lstm_cell/kernel`.
    ///   - values: Row-major values; `values.count` must be the product of `shape`.
    ///   - shape: `[]` for a scalar, `[0]` for an empty array, `[in, out]` for a kernel.
    /// - Throws: `HDF5Error` `.invalidArgument` when something exists there, the file is read-only, or the
    ///   values do not fill the shape.
    @discardableResult
    public func createDataset<Scalar: HDF5Scalar>(_ relativePath: String, values: [Scalar], shape: [Int]) throws
        -> HDF5Dataset
    {
        let target = absolutePath(relativePath)
        let operation = "create dataset"
        try requireWritable(operation, target)
        guard shape.allSatisfy({ $0 >= 0 }), shape.reduce(1, *) == values.count else {
            throw HDF5Error(
                .invalidArgument, operation: operation, file: file.name, objectPath: target,
                reason: "\(values.count) values do not fill shape \(shape)")
        }
        if try kind(of: target) != nil {
            throw HDF5Error(
                .invalidArgument, operation: operation, file: file.name, objectPath: target,
                reason: "something already exists there")
        }
        try requireGroupsAlong(target, operation: operation, includingLast: false)
        try file.withIdentifier(operation: operation, objectPath: target) { fileID in
            let kind = Scalar.hdf5Kind
            guard let space = Dataspace.create(shape: shape),
                let lcpl = OwnedID(rnk_intermediate_groups_plist(), .propertyList),
                let dataset = OwnedID(
                    H5Dcreate2(fileID, target, kind.fileType, space.raw, lcpl.raw, rnk_p_default(), rnk_p_default()),
                    .object)
            else {
                throw failure(.libraryFailure, operation, "libhdf5 could not create it", at: target)
            }
            guard !values.isEmpty else { return }
            let status = values.withUnsafeBytes {
                H5Dwrite(dataset.raw, kind.memoryType, rnk_s_all(), rnk_s_all(), rnk_p_default(), $0.baseAddress)
            }
            guard status >= 0 else {
                throw failure(.libraryFailure, operation, "libhdf5 could not write the values", at: target)
            }
        }
        return HDF5Dataset(file: file, path: target)
    }

    /// Throws `.wrongKind` when a component of `target` (the last one too, if asked) exists but is not a
    /// group, so that creating below it would fail.
    private func requireGroupsAlong(_ target: String, operation: String, includingLast: Bool) throws {
        let components = target.split(separator: "/")
        var prefix = ""
        for (index, component) in components.enumerated() where includingLast || index < components.count - 1 {
            prefix += "/" + component
            guard let found = try kind(of: prefix) else { return }
            guard found == .group else {
                throw HDF5Error(
                    .wrongKind, operation: operation, file: file.name, objectPath: target,
                    reason: "\(prefix) is a \(found), not a group")
            }
        }
    }

    /// Removes the link at `relativePath` (`H5Ldelete`). The space is not reclaimed until the file is
    /// rewritten, as with h5py's `del`.
    public func removeLink(_ relativePath: String) throws {
        let target = absolutePath(relativePath)
        let operation = "remove link"
        try requireWritable(operation, target)
        try file.withIdentifier(operation: operation, objectPath: target) { fileID in
            guard H5Ldelete(fileID, target, rnk_p_default()) >= 0 else {
                throw failure(.notFound, operation, "there is no such link", at: target)
            }
        }
    }
}

extension HDF5Object {
    /// Throws `.invalidArgument` when the file was opened read-only.
    func requireWritable(_ operation: String, _ target: String? = nil) throws {
        guard file.isWritable else {
            throw HDF5Error(
                .invalidArgument, operation: operation, file: file.name, objectPath: target ?? path,
                reason: "the file is open read-only")
        }
    }
}
