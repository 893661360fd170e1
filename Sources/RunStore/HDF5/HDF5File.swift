// An open HDF5 file (its root group). Creating never overwrites by accident; opening read-only
// is the default for readers.
import CHDF5
import Foundation

public final class HDF5File: HDF5Location {
    /// Creates a new file; with `overwrite == false` an existing file is an error.
    /// `inMemory` builds the whole file in memory (HDF5's core driver) and writes it to `url`
    /// in one go when it is closed, so many small objects cost no per-object I/O.
    public static func create(_ url: URL, overwrite: Bool = false, inMemory: Bool = false) throws -> HDF5File {
        try HDF5.withLock {
            let flags = overwrite ? chdf5_f_acc_trunc() : chdf5_f_acc_excl()
            let fapl = try h5check(H5Pcreate(chdf5_p_file_access()), "create access properties for", file: url.path, object: "/")
            defer { H5Pclose(fapl) }
            if inMemory {
                try h5check(H5Pset_fapl_core(fapl, 1 << 20, true), "set the in-memory driver for", file: url.path, object: "/")
            }
            let id = try h5check(H5Fcreate(url.path, flags, chdf5_p_default(), fapl),
                                 "create file", file: url.path, object: "/")
            return HDF5File(id: id, file: url.path, path: "/", closer: H5Fclose)
        }
    }

    /// Creates a file that lives only in memory (nothing is written under `name`, which only
    /// names it in errors and handle listings); take its bytes with `image()`.
    public static func createInMemory(name: String) throws -> HDF5File {
        try HDF5.withLock {
            let fapl = try h5check(H5Pcreate(chdf5_p_file_access()), "create access properties for", file: name, object: "/")
            defer { H5Pclose(fapl) }
            try h5check(H5Pset_fapl_core(fapl, 1 << 20, false), "set the in-memory driver for", file: name, object: "/")
            let id = try h5check(H5Fcreate(name, chdf5_f_acc_trunc(), chdf5_p_default(), fapl),
                                 "create in-memory file", file: name, object: "/")
            return HDF5File(id: id, file: name, path: "/", closer: H5Fclose)
        }
    }

    /// The complete bytes of the file as it would be on disk now (flushes HDF5's caches first).
    /// Used with `createInMemory` to write a file with one `write` call.
    public func image() throws -> [UInt8] {
        try HDF5.withLock {
            try h5check(H5Fflush(id, H5F_SCOPE_LOCAL), "flush", file: file, object: path)
            let size = try h5check(H5Fget_file_image(id, nil, 0), "measure the image of", file: file, object: path)
            // Uninitialised: HDF5 fills every byte (checked below), no need to zero megabytes first.
            return try [UInt8](unsafeUninitializedCapacity: size) { buffer, count in
                let got = try h5check(H5Fget_file_image(id, buffer.baseAddress, size), "copy the image of", file: file, object: path)
                guard got == size else {
                    throw HDF5Error(file: file, object: path, operation: "copy the image of", message: "image size changed while copying")
                }
                count = size
            }
        }
    }

    public static func open(_ url: URL, readOnly: Bool = true) throws -> HDF5File {
        try HDF5.withLock {
            let id = try h5check(H5Fopen(url.path, readOnly ? chdf5_f_acc_rdonly() : chdf5_f_acc_rdwr(), chdf5_p_default()),
                                 "open file", file: url.path, object: "/")
            return HDF5File(id: id, file: url.path, path: "/", closer: H5Fclose)
        }
    }

    /// Whether the file starts with the 8-byte HDF5 signature (no user block is ever used).
    public static func hasSignature(_ url: URL) -> Bool {
        guard let h = FileHandle(forReadingAtPath: url.path) else { return false }
        defer { try? h.close() }
        let head = (try? h.read(upToCount: 8)) ?? Data()
        return head == Data([0x89, 0x48, 0x44, 0x46, 0x0d, 0x0a, 0x1a, 0x0a])
    }
}
