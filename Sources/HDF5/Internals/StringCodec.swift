import CHDF5
import Foundation

/// Reading and writing string elements in every form Keras files hold. Call inside the lock.
enum StringCodec {
    /// Reads `count` strings stored with the string type `fileType`, through `read(memoryType, buffer)`
    /// (`H5Aread` or `H5Dread`). Variable-length strings are read with the file's own character set
    /// and released with `H5Dvlen_reclaim`/`H5Treclaim`; fixed-length strings are cut at the first NUL
    /// (null-terminated and null-padded) or stripped of trailing spaces (space-padded). Bytes are decoded
    /// as UTF-8, which covers ASCII. Returns nil when libhdf5 fails.
    static func read(
        fileType: hid_t, space: hid_t, count: Int, _ read: (hid_t, UnsafeMutableRawPointer) -> herr_t
    ) -> [String]? {
        if H5Tis_variable_str(fileType) > 0 {
            guard let memoryType = OwnedID(H5Tcopy(rnk_t_c_s1()), .datatype),
                H5Tset_size(memoryType.raw, rnk_t_variable()) >= 0,
                H5Tset_cset(memoryType.raw, H5Tget_cset(fileType)) >= 0
            else { return nil }
            var pointers = [UnsafeMutablePointer<CChar>?](repeating: nil, count: max(count, 1))
            let status = pointers.withUnsafeMutableBytes { read(memoryType.raw, $0.baseAddress!) }
            guard status >= 0 else { return nil }
            let strings = pointers.prefix(count).map { pointer in pointer.map { String(cString: $0) } ?? "" }
            _ = pointers.withUnsafeMutableBytes { rnk_vlen_reclaim(memoryType.raw, space, $0.baseAddress) }
            return strings
        }
        let width = H5Tget_size(fileType)
        guard width > 0, let memoryType = OwnedID(H5Tcopy(fileType), .datatype) else { return nil }
        let (total, overflow) = width.multipliedReportingOverflow(by: count)
        guard !overflow else { return nil }
        var bytes = [UInt8](repeating: 0, count: max(total, 1))
        let status = bytes.withUnsafeMutableBytes { read(memoryType.raw, $0.baseAddress!) }
        guard status >= 0 else { return nil }
        let spacePadded = H5Tget_strpad(fileType) == H5T_STR_SPACEPAD
        return (0..<count).map { index in
            var element = bytes[(index * width)..<((index + 1) * width)]
            if let nul = element.firstIndex(of: 0) { element = element[..<nul] }
            if spacePadded {
                while element.last == 0x20 { element = element.dropLast() }
            }
            return String(decoding: element, as: UTF8.self)
        }
    }

    /// Makes the file (and memory) type for `form` (`H5Tcopy(H5T_C_S1)`, `H5Tset_size`, `H5Tset_cset`,
    /// `H5Tset_strpad`).
    static func makeType(_ form: HDF5StringForm) -> OwnedID? {
        guard let type = OwnedID(H5Tcopy(rnk_t_c_s1()), .datatype) else { return nil }
        let size: Int
        switch form.length {
        case .variable: size = rnk_t_variable()
        case .fixed(let width): size = width
        }
        let pad: H5T_str_t
        switch form.padding {
        case .nullTerminated: pad = H5T_STR_NULLTERM
        case .nullPadded: pad = H5T_STR_NULLPAD
        case .spacePadded: pad = H5T_STR_SPACEPAD
        }
        guard H5Tset_size(type.raw, size) >= 0,
            H5Tset_cset(type.raw, form.charset == .utf8 ? H5T_CSET_UTF8 : H5T_CSET_ASCII) >= 0,
            H5Tset_strpad(type.raw, pad) >= 0
        else { return nil }
        return type
    }

    /// Lays `strings` out in memory for `form` and runs `write(buffer)` (`H5Awrite`/`H5Dwrite` with the
    /// type from `makeType`). Fixed-length elements are padded with NULs or spaces; the caller has checked
    /// that every string fits.
    static func withBuffer<R>(_ strings: [String], form: HDF5StringForm, _ write: (UnsafeRawPointer) -> R) -> R {
        switch form.length {
        case .variable:
            let copies = strings.map { strdup($0) }
            defer { copies.forEach { free($0) } }
            let pointers = copies.map { $0.map { UnsafePointer($0) } } + [nil]
            return pointers.withUnsafeBytes { write($0.baseAddress!) }
        case .fixed(let width):
            let fill: UInt8 = form.padding == .spacePadded ? 0x20 : 0
            var bytes = [UInt8](repeating: fill, count: max(width * strings.count, 1))
            for (index, string) in strings.enumerated() {
                let utf8 = Array(string.utf8.prefix(width))
                bytes.replaceSubrange((index * width)..<(index * width + utf8.count), with: utf8)
            }
            return bytes.withUnsafeBytes { write($0.baseAddress!) }
        }
    }
}
