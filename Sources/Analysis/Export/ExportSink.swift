// Where an export's text goes: standard output (through StandardStreams, which reports a lost
// write at exit), or a new file written under a temporary name and put in place in one step,
// so an interrupted export never leaves a partial FILE, and an existing FILE is replaced only
// when asked (`--force`).

import Foundation
import Training
#if canImport(Glibc)
import Glibc
#endif

public protocol ExportSink: AnyObject {
    func write(_ text: String) throws
}

/// Standard output. Once a write failed (`> /dev/full`, a closed pipe) it stops the export with
/// `ExportError.outputLost`; the exit path then names the failure.
public final class StandardOutputSink: ExportSink {
    public init() {}
    public func write(_ text: String) throws {
        StandardStreams.write(text)
        if StandardStreams.outputFailure != nil { throw ExportError.outputLost }
    }
}

/// A file written atomically: text goes to `.tmp-NAME.<pid>` beside it; `commit` makes it
/// durable and links it into place (refusing an existing file without `replace`), `discard`
/// removes the temporary.
public final class AtomicFileSink: ExportSink {
    public let url: URL
    public let replace: Bool
    private let temporary: URL
    private var fd: Int32

    /// Refuses an existing `url` unless `replace`, and a missing or unwritable folder, before
    /// anything is exported.
    public init(url: URL, replace: Bool) throws {
        self.url = url
        self.replace = replace
        if !replace && FileManager.default.fileExists(atPath: url.path) { throw ExportError.outputExists(path: url.path) }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ExportError.outputIsDirectory(path: url.path)
        }
        temporary = url.deletingLastPathComponent().appendingPathComponent(".tmp-\(url.lastPathComponent).\(getpid())")
        unlink(temporary.path)
        fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw ExportError.cannotWrite(path: url.path, reason: Self.reason()) }
    }

    deinit { discard() }

    public func write(_ text: String) throws { try write(bytes: Array(text.utf8)) }

    /// Binary content (a converter's PNG), written like text.
    public func write(bytes: [UInt8]) throws {
        var bytes = bytes
        var done = 0
        try bytes.withUnsafeMutableBytes { raw in
            while done < raw.count {
                let n = Glibc.write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw ExportError.cannotWrite(path: url.path, reason: Self.reason()) }
                done += n
            }
        }
    }

    /// Makes the file durable and puts it in place. Without `replace`, `link` fails on a file
    /// that appeared meanwhile instead of overwriting it.
    public func commit() throws {
        defer { discard() }
        guard fsync(fd) == 0 else { throw ExportError.cannotWrite(path: url.path, reason: Self.reason()) }
        close(fd)
        fd = -1
        if replace {
            guard rename(temporary.path, url.path) == 0 else { throw ExportError.cannotWrite(path: url.path, reason: Self.reason()) }
        } else if link(temporary.path, url.path) != 0 {
            if errno == EEXIST { throw ExportError.outputExists(path: url.path) }
            throw ExportError.cannotWrite(path: url.path, reason: Self.reason())
        }
        let dir = open(url.deletingLastPathComponent().path, O_RDONLY | O_DIRECTORY)
        if dir >= 0 { _ = fsync(dir); close(dir) }
    }

    /// Removes the temporary (after a failure, or after `commit` linked it).
    public func discard() {
        if fd >= 0 { close(fd); fd = -1 }
        unlink(temporary.path)
    }

    private static func reason() -> String { String(cString: strerror(errno)) }
}
