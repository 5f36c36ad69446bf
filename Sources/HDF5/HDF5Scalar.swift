/// A Swift number type the HDF5 module reads into and writes from.
///
/// Reading converts whatever integer or float type the file holds (float16, big-endian, int8, ...) into
/// this type, as libhdf5's type conversion does. Writing stores the little-endian type named by `kind`.
public protocol HDF5Scalar: Sendable, Equatable {
    /// Which file and memory type this Swift type maps to.
    static var hdf5Kind: HDF5ScalarKind { get }
}

/// The numeric element types the HDF5 module writes: the ones Keras files hold.
public enum HDF5ScalarKind: Sendable, Equatable {
    /// `<f4` (`H5T_IEEE_F32LE`): every Keras weight.
    case float32
    /// `<f8` (`H5T_IEEE_F64LE`): the empty `weight_names` attribute.
    case float64
    /// `<i4` (`H5T_STD_I32LE`): the Keras 3 optimizer's iteration count.
    case int32
    /// `<i8` (`H5T_STD_I64LE`): the tf.keras optimizer's iteration count.
    case int64
}

/// Float32 values, stored as `<f4`.
extension Float: HDF5Scalar {
    public static var hdf5Kind: HDF5ScalarKind { .float32 }
}

/// Float64 values, stored as `<f8`.
extension Double: HDF5Scalar {
    public static var hdf5Kind: HDF5ScalarKind { .float64 }
}

/// 32-bit integers, stored as `<i4`.
extension Int32: HDF5Scalar {
    public static var hdf5Kind: HDF5ScalarKind { .int32 }
}

/// 64-bit integers, stored as `<i8`.
extension Int64: HDF5Scalar {
    public static var hdf5Kind: HDF5ScalarKind { .int64 }
}
