import CHDF5

/// Dataspace helpers. Call inside the lock.
enum Dataspace {
    /// A scalar dataspace for shape `[]` (`H5Screate(H5S_SCALAR)`), otherwise a simple one whose maximum
    /// dimensions equal its dimensions (`H5Screate_simple`), as h5py makes them.
    static func create(shape: [Int]) -> OwnedID? {
        if shape.isEmpty { return OwnedID(H5Screate(H5S_SCALAR), .dataspace) }
        let dims = shape.map { hsize_t($0) }
        return OwnedID(H5Screate_simple(Int32(dims.count), dims, dims), .dataspace)
    }

    /// The shape of an open dataspace: `[]` for a scalar, nil for a null dataspace (h5py's `Empty`) or
    /// on failure.
    static func shape(of space: hid_t) -> [Int]? {
        switch H5Sget_simple_extent_type(space) {
        case H5S_SCALAR:
            return []
        case H5S_SIMPLE:
            let rank = H5Sget_simple_extent_ndims(space)
            guard rank >= 0 else { return nil }
            var dims = [hsize_t](repeating: 0, count: Int(rank))
            guard H5Sget_simple_extent_dims(space, &dims, nil) >= 0 else { return nil }
            guard dims.allSatisfy({ $0 <= hsize_t(Int.max) }) else { return nil }
            return dims.map { Int($0) }
        default:
            return nil
        }
    }

    /// The number of elements of `shape`, or nil when it overflows.
    static func elementCount(_ shape: [Int]) -> Int? {
        var count = 1
        for extent in shape {
            let (product, overflow) = count.multipliedReportingOverflow(by: extent)
            if overflow { return nil }
            count = product
        }
        return count
    }
}

extension HDF5ScalarKind {
    /// The little-endian file type Keras uses for this kind.
    var fileType: hid_t {
        switch self {
        case .float32: return rnk_t_ieee_f32le()
        case .float64: return rnk_t_ieee_f64le()
        case .int32: return rnk_t_std_i32le()
        case .int64: return rnk_t_std_i64le()
        }
    }

    /// The native memory type libhdf5 converts to and from.
    var memoryType: hid_t {
        switch self {
        case .float32: return rnk_t_native_float()
        case .float64: return rnk_t_native_double()
        case .int32: return rnk_t_native_int32()
        case .int64: return rnk_t_native_int64()
        }
    }
}

/// Turns a libhdf5 datatype into an `HDF5Datatype`. Call inside the lock.
enum TypeDescription {
    static func describe(_ type: hid_t) -> HDF5Datatype {
        let bits = H5Tget_size(type) * 8
        let order: HDF5Datatype.ByteOrder = H5Tget_order(type) == H5T_ORDER_BE ? .bigEndian : .littleEndian
        switch H5Tget_class(type) {
        case H5T_FLOAT:
            return .float(bits: bits, byteOrder: order)
        case H5T_INTEGER:
            return .integer(bits: bits, signed: H5Tget_sign(type) != H5T_SGN_NONE, byteOrder: order)
        case H5T_STRING:
            return .string(stringForm(type))
        case H5T_COMPOUND: return .other("compound")
        case H5T_ENUM: return .other("enum")
        case H5T_OPAQUE: return .other("opaque")
        case H5T_REFERENCE: return .other("reference")
        case H5T_ARRAY: return .other("array")
        case H5T_VLEN: return .other("vlen sequence")
        case H5T_BITFIELD: return .other("bitfield")
        case H5T_TIME: return .other("time")
        default: return .other("unknown")
        }
    }

    static func stringForm(_ type: hid_t) -> HDF5StringForm {
        let length: HDF5StringForm.Length = H5Tis_variable_str(type) > 0 ? .variable : .fixed(H5Tget_size(type))
        let charset: HDF5StringForm.Charset = H5Tget_cset(type) == H5T_CSET_UTF8 ? .utf8 : .ascii
        let padding: HDF5StringForm.Padding
        switch H5Tget_strpad(type) {
        case H5T_STR_NULLPAD: padding = .nullPadded
        case H5T_STR_SPACEPAD: padding = .spacePadded
        default: padding = .nullTerminated
        }
        return HDF5StringForm(length: length, charset: charset, padding: padding)
    }
}
