// Owned HDF5 identifiers: files, groups and datasets as final classes that close in deinit, plus
// the attribute calls every object shares. Each call holds the global HDF5 lock.
import CHDF5
import Foundation

/// An open HDF5 identifier that closes itself. `file` and `path` name it in errors.
public class HDF5Object {
    let id: hid_t
    public let file: String
    public let path: String
    private let closer: (hid_t) -> herr_t
    private var isOpen = true

    init(id: hid_t, file: String, path: String, closer: @escaping (hid_t) -> herr_t) {
        self.id = id; self.file = file; self.path = path; self.closer = closer
    }

    deinit { HDF5.withLock { if isOpen { _ = closer(id) } } }

    /// Closes now instead of at deinit, reporting failure (closing a file flushes it). Using
    /// the object afterwards is a programming error.
    public func close() throws {
        try HDF5.withLock {
            guard isOpen else { return }
            isOpen = false
            try h5check(closer(id), "close", file: file, object: path)
        }
    }

    func childPath(_ name: String) -> String { path == "/" ? "/" + name : path + "/" + name }

    // MARK: - Attributes

    /// Whether an attribute of this name exists on the object.
    public func hasAttribute(_ name: String) throws -> Bool {
        try HDF5.withLock { try h5check(H5Aexists(id, name), "look up attribute", file: file, object: path + "@" + name) > 0 }
    }

    /// Writes (replacing) a fixed-length UTF-8 string attribute.
    public func setAttribute(_ name: String, string value: String) throws {
        try HDF5.withLock {
            let type = try HDF5Types.fixedString(length: value.utf8.count, file: file, object: path)
            defer { H5Tclose(type) }
            try writeAttribute(name, type: type, memType: type) { body in
                var bytes = Array(value.utf8)
                if bytes.isEmpty { bytes = [0] }
                return bytes.withUnsafeBytes { body($0.baseAddress!) }
            }
        }
    }

    public func setAttribute(_ name: String, int64 value: Int64) throws {
        try HDF5.withLock {
            try writeAttribute(name, type: chdf5_t_std_i64le(), memType: chdf5_t_native_int64()) { body in
                withUnsafeBytes(of: value) { body($0.baseAddress!) }
            }
        }
    }

    public func setAttribute(_ name: String, double value: Double) throws {
        try HDF5.withLock {
            try writeAttribute(name, type: chdf5_t_ieee_f64le(), memType: chdf5_t_native_double()) { body in
                withUnsafeBytes(of: value) { body($0.baseAddress!) }
            }
        }
    }

    private func writeAttribute(_ name: String, type: hid_t, memType: hid_t,
                                bytes: ((UnsafeRawPointer) -> herr_t) -> herr_t) throws {
        let object = path + "@" + name
        if try hasAttribute(name) { try h5check(H5Adelete(id, name), "replace attribute", file: file, object: object) }
        let space = try h5check(H5Screate(H5S_SCALAR), "create dataspace for", file: file, object: object)
        defer { H5Sclose(space) }
        let attr = try h5check(H5Acreate2(id, name, type, space, chdf5_p_default(), chdf5_p_default()),
                               "create attribute", file: file, object: object)
        defer { H5Aclose(attr) }
        try h5check(bytes { H5Awrite(attr, memType, $0) }, "write attribute", file: file, object: object)
    }

    /// Reads a string attribute written by `setAttribute(_:string:)`.
    public func stringAttribute(_ name: String) throws -> String {
        try HDF5.withLock {
            let object = path + "@" + name
            let attr = try h5check(H5Aopen(id, name, chdf5_p_default()), "open attribute", file: file, object: object)
            defer { H5Aclose(attr) }
            let type = try h5check(H5Aget_type(attr), "read type of", file: file, object: object)
            defer { H5Tclose(type) }
            guard H5Tget_class(type) == H5T_STRING, H5Tis_variable_str(type) == 0 else {
                throw HDF5Error(file: file, object: object, operation: "read", message: "not a fixed-length string attribute")
            }
            let size = H5Tget_size(type)
            var buf = [UInt8](repeating: 0, count: size)
            try h5check(H5Aread(attr, type, &buf), "read attribute", file: file, object: object)
            return HDF5Types.decodeFixedString(buf[...])
        }
    }

    public func int64Attribute(_ name: String) throws -> Int64 {
        var value: Int64 = 0
        try readNumericAttribute(name, memType: chdf5_t_native_int64(), class: H5T_INTEGER, into: &value)
        return value
    }

    public func doubleAttribute(_ name: String) throws -> Double {
        var value: Double = 0
        try readNumericAttribute(name, memType: chdf5_t_native_double(), class: H5T_FLOAT, into: &value)
        return value
    }

    private func readNumericAttribute<T>(_ name: String, memType: hid_t, class cls: H5T_class_t, into value: inout T) throws {
        try HDF5.withLock {
            let object = path + "@" + name
            let attr = try h5check(H5Aopen(id, name, chdf5_p_default()), "open attribute", file: file, object: object)
            defer { H5Aclose(attr) }
            let type = try h5check(H5Aget_type(attr), "read type of", file: file, object: object)
            defer { H5Tclose(type) }
            guard H5Tget_class(type) == cls else {
                throw HDF5Error(file: file, object: object, operation: "read", message: "attribute has the wrong type")
            }
            _ = try withUnsafeMutableBytes(of: &value) { raw in
                try h5check(H5Aread(attr, memType, raw.baseAddress), "read attribute", file: file, object: object)
            }
        }
    }
}
