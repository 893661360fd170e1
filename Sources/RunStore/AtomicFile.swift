// Crash-safe file replacement: write under a temporary name, fsync, rename over the final
// name, fsync the directory. A reader sees the old file or the new one, never a torn one.
import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

enum AtomicFile {
    /// Prefix of every temporary; `RunStore.open` deletes leftovers carrying it.
    static let temporaryPrefix = ".tmp-"

    /// Calls `write` with a temporary URL next to `url`, then makes that file durable and
    /// renames it to `url`. On any failure the temporary is removed and `url` is untouched.
    /// `sync: false` means `write` has already made the temporary's data durable itself.
    static func replace(_ url: URL, sync: Bool = true, write: (URL) throws -> Void) throws {
        let dir = url.deletingLastPathComponent()
        let temp = dir.appendingPathComponent("\(temporaryPrefix)\(url.lastPathComponent).\(getpid())")
        unlink(temp.path)
        do {
            try write(temp)
            if sync { try fsyncPath(temp, directory: false) }
            guard rename(temp.path, url.path) == 0 else { throw errnoError(url, "cannot rename the new file into place") }
            try fsyncPath(dir, directory: true)
        } catch {
            unlink(temp.path)
            throw error
        }
    }

    /// Replaces `url` with `bytes`: one write to the temporary, fsync, rename, fsync directory.
    static func replace(_ url: URL, bytes: [UInt8]) throws {
        try install(try writeTemporary(for: url, bytes: bytes), as: url)
    }

    static func temporaryURL(for url: URL) -> URL {
        url.deletingLastPathComponent().appendingPathComponent("\(temporaryPrefix)\(url.lastPathComponent).\(getpid())")
    }

    /// First half of `replace(_:bytes:)`: writes `bytes` to `url`'s temporary and fsyncs it.
    /// Returns the temporary, which `install` renames into place (split so a commit can make
    /// two files durable at once).
    static func writeTemporary(for url: URL, bytes: [UInt8]) throws -> URL {
        let temp = temporaryURL(for: url)
        unlink(temp.path)
        do {
            let fd = open(temp.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw errnoError(temp, "cannot create") }
            defer { close(fd) }
            try bytes.withUnsafeBytes { raw in
                var done = 0
                while done < raw.count {
                    let n = write(fd, raw.baseAddress! + done, raw.count - done)
                    if n < 0 && errno == EINTR { continue }
                    guard n > 0 else { throw errnoError(temp, "cannot write") }
                    done += n
                }
            }
            guard fsync(fd) == 0 else { throw errnoError(temp, "fsync failed") }
        } catch {
            unlink(temp.path)
            throw error
        }
        return temp
    }

    /// Second half: renames the durable temporary over `url` and fsyncs the directory.
    static func install(_ temp: URL, as url: URL) throws {
        do {
            guard rename(temp.path, url.path) == 0 else { throw errnoError(url, "cannot rename the new file into place") }
            try fsyncPath(url.deletingLastPathComponent(), directory: true)
        } catch {
            unlink(temp.path)
            throw error
        }
    }

    static func replace(_ url: URL, text: String) throws {
        try replace(url) { temp in
            do { try Data(text.utf8).write(to: temp) } catch { throw StoreError.io(file: temp.path, reason: "cannot write: \(error.localizedDescription)") }
        }
    }

    /// The broken way, kept only as the crash test's negative control: truncates `url` and
    /// writes `bytes` straight into it in small pieces with pauses (a slow disk), no
    /// temporary, no fsync, no rename. A kill mid-way leaves a torn file under the real name.
    static func overwriteInPlaceNonAtomically(_ url: URL, bytes: [UInt8]) throws {
        let fd = open(url.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw errnoError(url, "cannot create") }
        defer { close(fd) }
        let piece = 4096
        try bytes.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, min(piece, raw.count - done))
                if n < 0 && errno == EINTR { continue }
                guard n > 0 else { throw errnoError(url, "cannot write") }
                done += n
                usleep(500)
            }
        }
    }

    /// Deletes the temporaries of runs whose `create` crashed: `.tmp-NAME.<pid>` beside `url`
    /// whose process is gone (a live creator's directory is left alone).
    static func removeStaleRunTemporaries(besides url: URL) {
        let parent = url.deletingLastPathComponent()
        let prefix = "\(temporaryPrefix)\(url.lastPathComponent)."
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        for n in names where n.hasPrefix(prefix) {
            guard let pid = Int32(n.dropFirst(prefix.count)), pid > 0, pid != getpid() else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }  // that creator is still running
            try? FileManager.default.removeItem(at: parent.appendingPathComponent(n))
        }
    }

    /// Flushes a file's (or directory's entries') data to stable storage.
    static func fsyncPath(_ url: URL, directory: Bool) throws {
        let fd = open(url.path, directory ? O_RDONLY | O_DIRECTORY : O_RDONLY)
        guard fd >= 0 else { throw errnoError(url, "cannot open to fsync") }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw errnoError(url, "fsync failed") }
    }

    /// Deletes `.tmp-*` leftovers of a crashed writer in `dir`.
    static func removeTemporaries(in dir: URL) {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: dir.path)) ?? []
        for n in names where n.hasPrefix(temporaryPrefix) { unlink(dir.appendingPathComponent(n).path) }
    }

    static func errnoError(_ url: URL, _ what: String) -> StoreError {
        StoreError.io(file: url.path, reason: "\(what): \(String(cString: strerror(errno)))")
    }
}
