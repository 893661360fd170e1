// Mapping between stored element types and HDF5 datatypes (explicit little-endian in files).
import CHDF5

enum HDF5Types {
    /// File datatype: always little-endian IEEE / two's complement, whatever the host.
    static func fileType(_ dtype: StoredDType) -> hid_t {
        switch dtype {
        case .float32: chdf5_t_ieee_f32le()
        case .float64: chdf5_t_ieee_f64le()
        case .int64: chdf5_t_std_i64le()
        case .uint8: chdf5_t_std_u8le()
        }
    }

    /// Memory datatype matching Swift's Float/Double/Int64/UInt8.
    static func memoryType(_ dtype: StoredDType) -> hid_t {
        switch dtype {
        case .float32: chdf5_t_native_float()
        case .float64: chdf5_t_native_double()
        case .int64: chdf5_t_native_int64()
        case .uint8: chdf5_t_native_uint8()
        }
    }

    /// The stored type of an HDF5 datatype, or nil for anything this project never writes.
    static func storedType(of type: hid_t) -> StoredDType? {
        let size = H5Tget_size(type)
        switch H5Tget_class(type) {
        case H5T_FLOAT: return size == 4 ? .float32 : size == 8 ? .float64 : nil
        case H5T_INTEGER:
            let signed = H5Tget_sign(type) == H5T_SGN_2
            if size == 8 && signed { return .int64 }
            if size == 1 && !signed { return .uint8 }
            return nil
        default: return nil
        }
    }

    /// A new fixed-length, NUL-padded UTF-8 string type of `length` bytes (at least 1). The
    /// caller closes it.
    static func fixedString(length: Int, file: String, object: String) throws -> hid_t {
        let type = try h5check(H5Tcopy(chdf5_t_c_s1()), "create string type for", file: file, object: object)
        do {
            try h5check(H5Tset_size(type, max(1, length)), "size string type for", file: file, object: object)
            try h5check(H5Tset_strpad(type, H5T_STR_NULLPAD), "pad string type for", file: file, object: object)
            try h5check(H5Tset_cset(type, H5T_CSET_UTF8), "set UTF-8 on string type for", file: file, object: object)
        } catch {
            H5Tclose(type); throw error
        }
        return type
    }

    /// Strips the NUL padding of a fixed-length string.
    static func decodeFixedString(_ bytes: ArraySlice<UInt8>) -> String {
        let end = bytes.firstIndex(of: 0) ?? bytes.endIndex
        return String(decoding: bytes[bytes.startIndex..<end], as: UTF8.self)
    }
}
