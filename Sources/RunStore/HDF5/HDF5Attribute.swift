// An open attribute kept for rewriting: checkpoint templates hold one per digest and per
// per-step root attribute so each commit rewrites values without re-creating objects.
import CHDF5
import Foundation

public final class HDF5Attribute: HDF5Object {
    /// The attribute's own datatype, read once (templates rewrite the same attribute every
    /// commit); closed with the attribute.
    private var cachedType: hid_t = -1

    deinit { HDF5.withLock { if cachedType >= 0 { _ = H5Tclose(cachedType) } } }

    /// Rewrites a fixed-length string attribute; the value may be shorter than the stored
    /// width (NUL-padded) but not longer.
    public func write(string value: String) throws {
        try HDF5.withLock {
            if cachedType < 0 { cachedType = try h5check(H5Aget_type(id), "read type of", file: file, object: path) }
            let type = cachedType
            let width = H5Tget_size(type)
            guard H5Tget_class(type) == H5T_STRING, H5Tis_variable_str(type) == 0, value.utf8.count <= width else {
                throw HDF5Error(file: file, object: path, operation: "write", message: "value does not fit the fixed-length string type")
            }
            var bytes = [UInt8](repeating: 0, count: width)
            bytes.replaceSubrange(0..<value.utf8.count, with: value.utf8)
            try h5check(H5Awrite(id, type, bytes), "write attribute", file: file, object: path)
        }
    }

    /// Rewrites an int64 attribute.
    public func write(int64 value: Int64) throws {
        try HDF5.withLock {
            var v = value
            try h5check(H5Awrite(id, chdf5_t_native_int64(), &v), "write attribute", file: file, object: path)
        }
    }
}

extension HDF5Object {
    /// Creates a new fixed-length string attribute of `width` bytes (it must not exist yet)
    /// and returns it open, holding `value`.
    public func createAttribute(_ name: String, string value: String, width: Int) throws -> HDF5Attribute {
        try HDF5.withLock {
            let object = path + "@" + name
            let type = try HDF5Types.fixedString(length: max(width, value.utf8.count), file: file, object: object)
            defer { H5Tclose(type) }
            let a = try makeAttribute(name, type: type, object: object)
            try a.write(string: value)
            return a
        }
    }

    /// Creates a new int64 attribute (it must not exist yet) and returns it open.
    public func createAttribute(_ name: String, int64 value: Int64) throws -> HDF5Attribute {
        try HDF5.withLock {
            let a = try makeAttribute(name, type: chdf5_t_std_i64le(), object: path + "@" + name)
            try a.write(int64: value)
            return a
        }
    }

    private func makeAttribute(_ name: String, type: hid_t, object: String) throws -> HDF5Attribute {
        let space = try h5check(H5Screate(H5S_SCALAR), "create dataspace for", file: file, object: object)
        defer { H5Sclose(space) }
        let attr = try h5check(H5Acreate2(id, name, type, space, chdf5_p_default(), chdf5_p_default()),
                               "create attribute", file: file, object: object)
        return HDF5Attribute(id: attr, file: file, path: object, closer: H5Aclose)
    }
}
