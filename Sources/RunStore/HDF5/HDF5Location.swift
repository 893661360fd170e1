// Files and groups: places that hold named children. Creating and reading datasets of any
// shape and stored type, fixed-length string datasets, and listing children.
import CHDF5
import Foundation

/// What kind of object a link names.
public enum HDF5ChildKind: Sendable, Equatable { case group, dataset, other }

/// How a new dataset is laid out on disk.
public struct HDF5DatasetOptions: Sendable {
    /// Chunked with an unlimited first dimension so rows can be appended later.
    public var extendible: Bool = false
    /// Rows per chunk along the first dimension when extendible (or compressed).
    public var chunkRows: Int = 64
    /// zlib level 1–9, nil for none. Needs a chunked layout, which it implies.
    public var deflateLevel: Int? = nil
    public init(extendible: Bool = false, chunkRows: Int = 64, deflateLevel: Int? = nil) {
        self.extendible = extendible; self.chunkRows = chunkRows; self.deflateLevel = deflateLevel
    }
}

/// A file or group.
public class HDF5Location: HDF5Object {
    public func createGroup(_ name: String) throws -> HDF5Group {
        try HDF5.withLock {
            let p = childPath(name)
            // No modification times in object headers: the same state gives the same bytes.
            let gcpl = try h5check(H5Pcreate(chdf5_p_group_create()), "create properties for", file: file, object: p)
            defer { H5Pclose(gcpl) }
            try h5check(H5Pset_obj_track_times(gcpl, false), "set time tracking for", file: file, object: p)
            let g = try h5check(H5Gcreate2(id, name, chdf5_p_default(), gcpl, chdf5_p_default()),
                                "create group", file: file, object: p)
            return HDF5Group(id: g, file: file, path: p, closer: H5Gclose)
        }
    }

    public func openGroup(_ name: String) throws -> HDF5Group {
        try HDF5.withLock {
            let p = childPath(name)
            let g = try h5check(H5Gopen2(id, name, chdf5_p_default()), "open group", file: file, object: p)
            return HDF5Group(id: g, file: file, path: p, closer: H5Gclose)
        }
    }

    /// Whether a direct child link of this name exists.
    public func contains(_ name: String) throws -> Bool {
        try HDF5.withLock { try h5check(H5Lexists(id, name, chdf5_p_default()), "look up", file: file, object: childPath(name)) > 0 }
    }

    /// Names of the direct children, in byte order of their names.
    public func childNames() throws -> [String] {
        try HDF5.withLock {
            var info = H5G_info_t()
            try h5check(H5Gget_info(id, &info), "list group", file: file, object: path)
            var names: [String] = []
            for i in 0..<info.nlinks {
                let n = try h5check(H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, i, nil, 0, chdf5_p_default()),
                                    "read link name in", file: file, object: path)
                var buf = [CChar](repeating: 0, count: Int(n) + 1)
                try h5check(H5Lget_name_by_idx(id, ".", H5_INDEX_NAME, H5_ITER_INC, i, &buf, Int(n) + 1, chdf5_p_default()),
                            "read link name in", file: file, object: path)
                names.append(String(decoding: buf.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self))
            }
            return names
        }
    }

    public func childKind(_ name: String) throws -> HDF5ChildKind {
        try HDF5.withLock {
            let o = try h5check(H5Oopen(id, name, chdf5_p_default()), "open", file: file, object: childPath(name))
            defer { H5Oclose(o) }
            switch H5Iget_type(o) {
            case H5I_GROUP: return .group
            case H5I_DATASET: return .dataset
            default: return .other
            }
        }
    }

    public func openDataset(_ name: String) throws -> HDF5Dataset {
        try HDF5.withLock {
            let p = childPath(name)
            let d = try h5check(H5Dopen2(id, name, chdf5_p_default()), "open dataset", file: file, object: p)
            return HDF5Dataset(id: d, file: file, path: p, closer: H5Dclose)
        }
    }

    // MARK: - Numeric datasets

    /// Creates a dataset holding `array` (shape [] makes a scalar dataset).
    @discardableResult
    public func createDataset(_ name: String, _ array: StoredArray, options: HDF5DatasetOptions = .init()) throws -> HDF5Dataset {
        try HDF5.withLock {
            let p = childPath(name)
            let type = HDF5Types.fileType(array.dtype)
            let ds = try makeDataset(name, path: p, shape: array.shape, type: type, options: options)
            try ds.write(array.data, memType: HDF5Types.memoryType(array.dtype))
            return ds
        }
    }

    /// Reads a whole numeric dataset.
    public func readArray(_ name: String) throws -> StoredArray {
        try openDataset(name).read()
    }

    // MARK: - String datasets

    /// A scalar fixed-length UTF-8 string dataset (used for long texts such as the configuration),
    /// at least `width` bytes wide so a later `overwrite(strings:)` can store a longer value.
    @discardableResult
    public func createString(_ name: String, _ value: String, width: Int = 0) throws -> HDF5Dataset {
        try createStrings(name, [value], shape: [], width: width)
    }

    /// A dataset of fixed-length UTF-8 strings, all padded to the longest (or to `width`).
    @discardableResult
    public func createStrings(_ name: String, _ values: [String], shape: [Int]? = nil,
                              options: HDF5DatasetOptions = .init(), width minimumWidth: Int = 0) throws -> HDF5Dataset {
        try HDF5.withLock {
            let p = childPath(name)
            let width = max(1, minimumWidth, values.map { $0.utf8.count }.max() ?? 1)
            let type = try HDF5Types.fixedString(length: width, file: file, object: p)
            defer { H5Tclose(type) }
            let ds = try makeDataset(name, path: p, shape: shape ?? [values.count], type: type, options: options)
            var bytes = [UInt8](repeating: 0, count: width * values.count)
            for (i, v) in values.enumerated() { bytes.replaceSubrange(i * width..<(i * width + v.utf8.count), with: v.utf8) }
            if !values.isEmpty {
                try h5check(H5Dwrite(ds.id, type, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), bytes),
                            "write", file: file, object: p)
            }
            return ds
        }
    }

    public func readString(_ name: String) throws -> String {
        let values = try readStrings(name)
        guard values.count == 1 else {
            throw HDF5Error(file: file, object: childPath(name), operation: "read", message: "expected one string, found \(values.count)")
        }
        return values[0]
    }

    public func readStrings(_ name: String) throws -> [String] {
        try HDF5.withLock {
            let ds = try openDataset(name)
            let (count, _) = try ds.extent()
            let type = try h5check(H5Dget_type(ds.id), "read type of", file: file, object: ds.path)
            defer { H5Tclose(type) }
            guard H5Tget_class(type) == H5T_STRING, H5Tis_variable_str(type) == 0 else {
                throw HDF5Error(file: file, object: ds.path, operation: "read", message: "not a fixed-length string dataset")
            }
            let width = H5Tget_size(type)
            var bytes = [UInt8](repeating: 0, count: width * count)
            if count > 0 {
                try h5check(H5Dread(ds.id, type, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), &bytes),
                            "read", file: file, object: ds.path)
            }
            return (0..<count).map { HDF5Types.decodeFixedString(bytes[$0 * width..<($0 + 1) * width]) }
        }
    }

    // MARK: - Creation

    private func makeDataset(_ name: String, path p: String, shape: [Int], type: hid_t,
                             options: HDF5DatasetOptions) throws -> HDF5Dataset {
        let dims = shape.map { hsize_t($0) }
        let chunked = options.extendible || options.deflateLevel != nil
        precondition(!chunked || !shape.isEmpty, "HDF5: a chunked dataset needs at least one dimension")
        var maxDims = dims
        if options.extendible { maxDims[0] = chdf5_s_unlimited() }
        let space = try h5check(shape.isEmpty ? H5Screate(H5S_SCALAR) : H5Screate_simple(Int32(dims.count), dims, maxDims),
                                "create dataspace for", file: file, object: p)
        defer { H5Sclose(space) }
        let dcpl = try h5check(H5Pcreate(chdf5_p_dataset_create()), "create properties for", file: file, object: p)
        defer { H5Pclose(dcpl) }
        try h5check(H5Pset_obj_track_times(dcpl, false), "set time tracking for", file: file, object: p)
        if chunked {
            var chunk = dims.map { max(1, $0) }
            chunk[0] = hsize_t(max(1, options.chunkRows))
            try h5check(H5Pset_chunk(dcpl, Int32(chunk.count), chunk), "set chunking for", file: file, object: p)
            if let level = options.deflateLevel {
                try h5check(H5Pset_deflate(dcpl, UInt32(level)), "set compression for", file: file, object: p)
            }
        } else {
            // Every byte is written right after creation: skip HDF5's fill pass.
            try h5check(H5Pset_fill_time(dcpl, H5D_FILL_TIME_NEVER), "set fill time for", file: file, object: p)
        }
        let d = try h5check(H5Dcreate2(id, name, type, space, chdf5_p_default(), dcpl, chdf5_p_default()),
                            "create dataset", file: file, object: p)
        return HDF5Dataset(id: d, file: file, path: p, closer: H5Dclose)
    }
}

/// An open group.
public final class HDF5Group: HDF5Location {}
