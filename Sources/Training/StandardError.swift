// Lines on stderr that never kill the process: with SIGPIPE ignored (StopSignals) a closed or
// full stderr makes write(2) fail, and a lost progress or notice line must not stop a run
// before it commits (Foundation's FileHandle.write traps on such a failure).

#if canImport(Glibc)
import Glibc
#endif

public enum StandardError {
    /// Writes `text` to file descriptor 2, ignoring failures.
    public static func write(_ text: String) {
        var bytes = Array(text.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress! + done, $0.count - done) }
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else { return }
            done += n
        }
    }
}
