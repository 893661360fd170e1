// An open HDF5 file (its root group). Creating never overwrites by accident; opening read-only
// is the default for readers.
import CHDF5
import Foundation

public final class HDF5File: HDF5Location {
    /// Creates a new file; with `overwrite == false` an existing file is an error.
    public static func create(_ url: URL, overwrite: Bool = false) throws -> HDF5File {
        try HDF5.withLock {
            let flags = overwrite ? chdf5_f_acc_trunc() : chdf5_f_acc_excl()
            let id = try h5check(H5Fcreate(url.path, flags, chdf5_p_default(), chdf5_p_default()),
                                 "create file", file: url.path, object: "/")
            return HDF5File(id: id, file: url.path, path: "/", closer: H5Fclose)
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
