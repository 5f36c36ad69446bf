import CHDF5

/// A libhdf5 identifier that closes itself when it goes out of scope: the one owner of an open
/// object, dataspace, datatype, attribute or property list. Not copyable, so it is closed exactly once.
/// Only created and dropped inside `Library.run`.
struct OwnedID: ~Copyable {
    enum Kind {
        /// Closed with `H5Oclose` (groups, datasets, named datatypes).
        case object
        /// Closed with `H5Aclose`.
        case attribute
        /// Closed with `H5Sclose`.
        case dataspace
        /// Closed with `H5Tclose`.
        case datatype
        /// Closed with `H5Pclose`.
        case propertyList
    }

    let raw: hid_t
    private let kind: Kind

    /// Takes ownership of `raw`, or returns nil when libhdf5 reported failure (a negative id).
    init?(_ raw: hid_t, _ kind: Kind) {
        guard raw >= 0 else { return nil }
        self.raw = raw
        self.kind = kind
    }

    deinit {
        switch kind {
        case .object: _ = H5Oclose(raw)
        case .attribute: _ = H5Aclose(raw)
        case .dataspace: _ = H5Sclose(raw)
        case .datatype: _ = H5Tclose(raw)
        case .propertyList: _ = H5Pclose(raw)
        }
    }
}
