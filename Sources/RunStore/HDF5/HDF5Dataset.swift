// An open dataset: whole reads and writes of numeric data, and appending rows to a chunked,
// extendible dataset along its first dimension.
import CHDF5
import Foundation

public final class HDF5Dataset: HDF5Object {
    /// Element count and shape ([] for a scalar dataset).
    public func extent() throws -> (count: Int, shape: [Int]) {
        try HDF5.withLock {
            let space = try h5check(H5Dget_space(id), "read dataspace of", file: file, object: path)
            defer { H5Sclose(space) }
            let rank = try h5check(H5Sget_simple_extent_ndims(space), "read rank of", file: file, object: path)
            var dims = [hsize_t](repeating: 0, count: Int(rank))
            if rank > 0 { try h5check(H5Sget_simple_extent_dims(space, &dims, nil), "read shape of", file: file, object: path) }
            let shape = dims.map { Int($0) }
            return (shape.reduce(1, *), shape)
        }
    }

    /// The stored element type, or an error naming the dataset if it is none of ours.
    public func dtype() throws -> StoredDType {
        try HDF5.withLock {
            let type = try h5check(H5Dget_type(id), "read type of", file: file, object: path)
            defer { H5Tclose(type) }
            guard let dtype = HDF5Types.storedType(of: type) else {
                throw HDF5Error(file: file, object: path, operation: "read", message: "unsupported element type")
            }
            return dtype
        }
    }

    /// Reads the whole dataset.
    public func read() throws -> StoredArray {
        try HDF5.withLock {
            let (count, shape) = try extent()
            let dtype = try dtype()
            let data = try StoredData.make(dtype, count: count) { raw in
                guard count > 0 else { return }
                try h5check(H5Dread(id, HDF5Types.memoryType(dtype), chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), raw.baseAddress),
                            "read", file: file, object: path)
            }
            return StoredArray(shape: shape, data: data)
        }
    }

    func write(_ data: StoredData, memType: hid_t) throws {
        guard data.count > 0 else { return }
        _ = try data.withUnsafeRawBytes { raw in
            try h5check(H5Dwrite(id, memType, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), raw.baseAddress),
                        "write", file: file, object: path)
        }
    }

    /// Byte offset of the raw data in the file for a contiguous dataset whose storage exists,
    /// else nil (compact, chunked, or never written). Lets a writer patch values into a file
    /// image without going through HDF5.
    public func storageOffset() -> Int? {
        HDF5.withLock {
            let offset = H5Dget_offset(id)
            return offset == haddr_t.max ? nil : Int(exactly: offset)
        }
    }

    /// Rewrites every element of an existing dataset with `data` of the same type and count
    /// (the shape stays). Used to refill a kept checkpoint template.
    public func overwrite(_ data: StoredData) throws {
        try HDF5.withLock {
            let type = try h5check(H5Dget_type(id), "read type of", file: file, object: path)
            defer { H5Tclose(type) }
            let space = try h5check(H5Dget_space(id), "read dataspace of", file: file, object: path)
            defer { H5Sclose(space) }
            let count = try h5check(H5Sget_simple_extent_npoints(space), "read size of", file: file, object: path)
            guard HDF5Types.storedType(of: type) == data.dtype, Int(count) == data.count else {
                throw HDF5Error(file: file, object: path, operation: "overwrite", message: "new data has another type or size")
            }
            try write(data, memType: HDF5Types.memoryType(data.dtype))
        }
    }

    /// Rewrites a fixed-length string dataset; each value may be shorter than the stored width
    /// (NUL-padded) but not longer.
    public func overwrite(strings values: [String]) throws {
        try HDF5.withLock {
            let type = try h5check(H5Dget_type(id), "read type of", file: file, object: path)
            defer { H5Tclose(type) }
            let (count, _) = try extent()
            let width = H5Tget_size(type)
            guard H5Tget_class(type) == H5T_STRING, H5Tis_variable_str(type) == 0, count == values.count,
                  values.allSatisfy({ $0.utf8.count <= width }) else {
                throw HDF5Error(file: file, object: path, operation: "overwrite", message: "strings do not fit the dataset")
            }
            var bytes = [UInt8](repeating: 0, count: width * count)
            for (i, v) in values.enumerated() { bytes.replaceSubrange(i * width..<(i * width + v.utf8.count), with: v.utf8) }
            guard count > 0 else { return }
            try h5check(H5Dwrite(id, type, chdf5_s_all(), chdf5_s_all(), chdf5_p_default(), bytes), "write", file: file, object: path)
        }
    }

    /// Appends `rows` (shape [n, rest...], same rest and dtype) to an extendible dataset.
    public func append(_ rows: StoredArray) throws {
        try HDF5.withLock {
            let (_, shape) = try extent()
            guard !shape.isEmpty, rows.shape.count == shape.count, Array(rows.shape.dropFirst()) == Array(shape.dropFirst()),
                  try dtype() == rows.dtype else {
                throw HDF5Error(file: file, object: path, operation: "append to", message: "rows of shape \(rows.shape) do not fit \(shape)")
            }
            guard rows.shape[0] > 0 else { return }
            var newDims = shape.map { hsize_t($0) }
            newDims[0] += hsize_t(rows.shape[0])
            try h5check(H5Dset_extent(id, newDims), "extend", file: file, object: path)
            let fileSpace = try h5check(H5Dget_space(id), "read dataspace of", file: file, object: path)
            defer { H5Sclose(fileSpace) }
            var start = [hsize_t](repeating: 0, count: shape.count)
            start[0] = hsize_t(shape[0])
            let count = rows.shape.map { hsize_t($0) }
            try h5check(H5Sselect_hyperslab(fileSpace, H5S_SELECT_SET, start, nil, count, nil), "select rows of", file: file, object: path)
            let memSpace = try h5check(H5Screate_simple(Int32(count.count), count, nil), "create dataspace for", file: file, object: path)
            defer { H5Sclose(memSpace) }
            _ = try rows.data.withUnsafeRawBytes { raw in
                try h5check(H5Dwrite(id, HDF5Types.memoryType(rows.dtype), memSpace, fileSpace, chdf5_p_default(), raw.baseAddress),
                            "append to", file: file, object: path)
            }
        }
    }
}
