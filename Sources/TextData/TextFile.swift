// Reads one corpus file's bytes whole, refusing what is not a readable, non-empty file.
import Foundation

enum TextFile {
    /// Throws unless `url` is an existing regular file (a folder, a missing path: one line each).
    static func checkPresent(_ url: URL) throws {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else {
            throw TextDataError.missingFile(path: url.path)
        }
        if isDir.boolValue { throw TextDataError.notAFile(path: url.path) }
    }

    /// All bytes of the file at `url`, read with POSIX calls so a failure carries `strerror`'s reason.
    static func read(_ url: URL) throws -> [UInt8] {
        try checkPresent(url)
        let path = url.path
        let fd = open(path, O_RDONLY)
        guard fd >= 0 else { throw TextDataError.unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var info = stat()
        let size = fstat(fd, &info) == 0 ? Int(info.st_size) : 0
        var bytes = [UInt8](repeating: 0, count: max(size, 0))
        var filled = 0
        // The size is a hint: a file that grows while read is read to its end.
        while true {
            if filled == bytes.count { bytes.append(contentsOf: [UInt8](repeating: 0, count: max(bytes.count, 1 << 16))) }
            let n = bytes.withUnsafeMutableBytes { raw in
                Foundation.read(fd, raw.baseAddress! + filled, raw.count - filled)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw TextDataError.unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { break }
            filled += n
        }
        bytes.removeLast(bytes.count - filled)
        guard !bytes.isEmpty else { throw TextDataError.empty(path: path) }
        return bytes
    }
}
