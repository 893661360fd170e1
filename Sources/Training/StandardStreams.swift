// Writing to stdout and stderr without crashing or losing a report: Foundation's
// `FileHandle.write(_: Data)` ends in a `try!` (a stack dump on a full disk or `> /dev/full`),
// and `print`'s buffered output is dropped silently at exit. The tool writes both streams here,
// straight to the file descriptors, and `outputFailure` tells the exit path whether anything
// meant for stdout was lost, so the command exits non-zero with one line instead of 0.

#if canImport(Glibc)
import Glibc
#endif

public enum StandardStreams {
    /// The first failed stdout write's reason (set once, read at exit by the one thread left).
    nonisolated(unsafe) private static var firstOutputFailure: String?

    /// Writes `text` to stdout, all of it or until the first error.
    public static func write(_ text: String) {
        if let reason = writeAll(text, to: 1), firstOutputFailure == nil { firstOutputFailure = reason }
    }

    /// `text` and a newline on stdout, as `print` would.
    public static func writeLine(_ text: String) { write(text + "\n") }

    /// Writes `text` to stderr. A failure is ignored: there is nowhere left to report it.
    public static func writeError(_ text: String) {
        _ = writeAll(text, to: 2)
    }

    /// Why some stdout output was lost (e.g. "No space left on device"), or nil.
    public static var outputFailure: String? { firstOutputFailure }

    /// Writes every byte of `text` to `fd`, retrying short writes and EINTR; the error's reason.
    private static func writeAll(_ text: String, to fd: Int32) -> String? {
        var bytes = Array(text.utf8)
        var done = 0
        return bytes.withUnsafeMutableBytes { raw -> String? in
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { return String(cString: strerror(errno)) }
                done += n
            }
            return nil
        }
    }
}
