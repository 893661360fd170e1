// Reads a whole data file into memory, gunzipping it on the fly when it is gzip-compressed.
import CZlib
import Foundation

/// Whole-file reading through zlib's gz* functions, which pass plain files through unchanged,
/// so one code path serves `train-images-idx3-ubyte` and `train-images-idx3-ubyte.gz` alike.
enum FileBytes {
    /// The path of `name` in `directory`, or of `name.gz` when only the compressed file is there.
    static func locate(_ name: String, in directory: URL) -> URL? {
        let fm = FileManager.default
        for candidate in [name, name + ".gz"] {
            let url = directory.appendingPathComponent(candidate)
            var isDir: ObjCBool = false
            if fm.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue { return url }
        }
        return nil
    }

    /// All (decompressed) bytes of the file at `url`.
    static func read(_ url: URL) throws -> [UInt8] {
        let path = url.path
        guard let file = gzopen(path, "rb") else {
            throw DataError.unreadable(path: path, reason: String(cString: strerror(errno)))
        }
        defer { gzclose(file) }
        gzbuffer(file, 1 << 20)

        let chunk = 1 << 20
        var bytes: [UInt8] = []
        if let size = try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int {
            // Plain files decompress to their own size; gzip files to a few times more.
            bytes.reserveCapacity(path.hasSuffix(".gz") ? size * 2 : size)
        }
        var buffer = [UInt8](repeating: 0, count: chunk)
        while true {
            let n = buffer.withUnsafeMutableBytes { raw in
                gzread(file, raw.baseAddress, UInt32(chunk))
            }
            if n < 0 || (n == 0 && gzeof(file) == 0) {
                throw DataError.unreadable(path: path, reason: zlibMessage(file))
            }
            if n == 0 { break }
            bytes.append(contentsOf: buffer[0..<Int(n)])
        }
        // A gzip stream that stops early reads as a short file with Z_BUF_ERROR pending.
        var errnum: Int32 = 0
        _ = gzerror(file, &errnum)
        if errnum != Z_OK && errnum != Z_STREAM_END {
            throw DataError.truncated(path: path, reason: "the gzip stream ends early (\(zlibMessage(file)))")
        }
        return bytes
    }

    private static func zlibMessage(_ file: gzFile) -> String {
        var errnum: Int32 = 0
        guard let message = gzerror(file, &errnum) else { return "zlib error \(errnum)" }
        let text = String(cString: message)
        return text.isEmpty ? "zlib error \(errnum)" : text
    }
}
