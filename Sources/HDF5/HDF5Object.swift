import CHDF5

/// What a path inside an HDF5 file leads to.
public enum HDF5ObjectKind: Sendable, Equatable {
    /// A group, holding other objects.
    case group
    /// A dataset, holding an array of values.
    case dataset
    /// A committed (named) datatype.
    case namedDatatype
    /// A soft link (reported by `children()` and `visit()`, which do not follow it).
    case softLink
    /// An external link into another file: never followed.
    case externalLink
    /// A user-defined link or an object of another kind.
    case other
}

/// One member of a group, as `children()` and `visit()` list it.
public struct HDF5Entry: Sendable, Equatable {
    /// The link's name inside its group.
    public var name: String
    /// The absolute path inside the file, such as `/model_weights/lstm`.
    public var path: String
    /// What the link leads to.
    public var kind: HDF5ObjectKind
}

/// A group or dataset: something at a path in a file that can carry attributes.
///
/// Conforming values hold only the file and the path; every call opens the object, does its work and
/// closes it again, under the library lock.
public protocol HDF5Object: Sendable {
    /// The file the object lives in.
    var file: HDF5File { get }
    /// The absolute path of the object inside the file; `/` for the root group.
    var path: String { get }
}

extension HDF5Object {
    /// Joins a path relative to this object onto its own path.
    func absolutePath(_ relative: String) -> String {
        if relative.hasPrefix("/") { return relative }
        if relative.isEmpty || relative == "." { return path }
        return path == "/" ? "/" + relative : path + "/" + relative
    }

    /// An error about this object, with libhdf5's error stack. Call inside `Library.run`.
    func failure(_ code: HDF5Error.Code, _ operation: String, _ reason: String, at objectPath: String? = nil)
        -> HDF5Error
    {
        HDF5File.failure(code, operation, file.name, reason, objectPath: objectPath ?? path)
    }

    /// Opens the object at `objectPath` (`H5Oopen`, external links refused) and runs `body` with its id,
    /// closing it afterwards. A missing path throws `.notFound`.
    func withObject<R>(at objectPath: String? = nil, operation: String, _ body: (hid_t) throws -> R) throws -> R {
        let target = objectPath ?? path
        return try file.withIdentifier(operation: operation, objectPath: target) { fileID in
            try Self.openObject(fileID: fileID, path: target, file: file.name, operation: operation, body)
        }
    }

    /// The `H5Oopen` half of `withObject`, for callers already inside the lock.
    static func openObject<R>(
        fileID: hid_t, path target: String, file: String, operation: String, _ body: (hid_t) throws -> R
    ) throws -> R {
        switch ObjectLookup.kind(fileID: fileID, path: target) {
        case nil:
            _ = Library.takeErrorStack()
            throw HDF5Error(
                .notFound, operation: operation, file: file, objectPath: target, reason: "there is no such object")
        case .externalLink?:
            throw HDF5Error(
                .refused, operation: operation, file: file, objectPath: target,
                reason: "it is an external link to another file, which RNNKit never follows")
        default:
            break
        }
        guard let lapl = OwnedID(rnk_link_access_plist(), .propertyList),
            let object = OwnedID(H5Oopen(fileID, target, lapl.raw), .object)
        else {
            throw HDF5File.failure(.damaged, operation, file, "libhdf5 cannot open it", objectPath: target)
        }
        return try body(object.raw)
    }

    /// True when something exists at `relativePath` from this object (without following external links).
    public func exists(_ relativePath: String) throws -> Bool {
        try kind(of: relativePath) != nil
    }

    /// What is at `relativePath` from this object, or nil when nothing is.
    public func kind(of relativePath: String) throws -> HDF5ObjectKind? {
        let target = absolutePath(relativePath)
        return try file.withIdentifier(operation: "look up object", objectPath: target) { fileID in
            defer { _ = Library.takeErrorStack() }
            return ObjectLookup.kind(fileID: fileID, path: target)
        }
    }
}

/// Path resolution by link, one component at a time, so that a missing intermediate group is a clean
/// "not found" rather than a libhdf5 error, and external links are seen before anything follows them.
enum ObjectLookup {
    /// The kind of object at the absolute `path`, or nil when some component is missing. Call inside the lock.
    static func kind(fileID: hid_t, path: String) -> HDF5ObjectKind? {
        if path == "/" { return .group }
        let components = path.split(separator: "/", omittingEmptySubsequences: true)
        guard !components.isEmpty, let lapl = OwnedID(rnk_link_access_plist(), .propertyList) else { return nil }
        var prefix = ""
        for (index, component) in components.enumerated() {
            prefix += "/" + component
            guard H5Lexists(fileID, prefix, lapl.raw) > 0 else { return nil }
            let linkType = rnk_link_type(fileID, prefix, lapl.raw)
            if linkType == 2 { return .externalLink }
            if linkType < 0 || linkType == 3 { return index == components.count - 1 ? .other : nil }
            guard H5Oexists_by_name(fileID, prefix, lapl.raw) > 0 else { return nil }
        }
        return objectKind(fileID: fileID, path: prefix)
    }

    /// Opens the object at `path` to learn its kind (`H5Iget_type`). Call inside the lock.
    static func objectKind(fileID: hid_t, path: String) -> HDF5ObjectKind? {
        guard let lapl = OwnedID(rnk_link_access_plist(), .propertyList),
            let object = OwnedID(H5Oopen(fileID, path, lapl.raw), .object)
        else { return nil }
        switch H5Iget_type(object.raw) {
        case H5I_GROUP: return .group
        case H5I_DATASET: return .dataset
        case H5I_DATATYPE: return .namedDatatype
        default: return .other
        }
    }
}
