// HDF5 library state: one-time setup (error printing off), the global lock that serialises every
// call into the non-thread-safe serial HDF5 build, and the failure-to-Swift-error bridge.
import CHDF5
import Foundation

/// Namespace for process-wide HDF5 concerns.
public enum HDF5 {
    /// The serial HDF5 build is not thread-safe and Swift Testing runs tests in parallel, so
    /// every call into the library goes through this lock. Recursive because wrapper methods
    /// call each other.
    private static let lock = NSRecursiveLock()
    nonisolated(unsafe) private static var initialized = false  // guarded by `lock`

    /// Runs `body` holding the HDF5 lock, initialising the library (and silencing its own
    /// error printing) on first use.
    public static func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock.lock()
        defer { lock.unlock() }
        if !initialized {
            _ = H5open()
            initialized = true
        }
        // Debian's HDF5 is built thread-safe, which makes the automatic error printer a
        // per-thread setting: turn it off once on whichever thread is calling.
        chdf5_silence_errors_once_per_thread()
        return try body()
    }

    /// Names of the files that own every HDF5 identifier still open in this process (files,
    /// groups, datasets, types, attributes). Tests use it to prove no handle leaks.
    public static func openObjectFileNames() -> [String] {
        withLock {
            let all = chdf5_f_obj_all_files()
            let count = H5Fget_obj_count(all, chdf5_f_obj_all())
            guard count > 0 else { return [] }
            var ids = [hid_t](repeating: 0, count: Int(count))
            let got = H5Fget_obj_ids(all, chdf5_f_obj_all(), Int(count), &ids)
            guard got > 0 else { return [] }
            return ids.prefix(Int(got)).map { id in
                let n = H5Fget_name(id, nil, 0)
                guard n > 0 else { return "?" }
                var buf = [CChar](repeating: 0, count: Int(n) + 1)
                _ = H5Fget_name(id, &buf, Int(n) + 1)
                return String(decoding: buf.prefix(Int(n)).map { UInt8(bitPattern: $0) }, as: UTF8.self)
            }
        }
    }

    /// Total count of open HDF5 identifiers of every kind in this process.
    public static func openObjectCount() -> Int {
        withLock { Int(H5Fget_obj_count(chdf5_f_obj_all_files(), chdf5_f_obj_all())) }
    }

    /// Reads and clears HDF5's error stack as "outer problem: inner cause".
    static func takeErrorMessage() -> String {
        var buf = [CChar](repeating: 0, count: 512)
        buf.withUnsafeMutableBufferPointer { chdf5_collect_errors($0.baseAddress) }
        let outer = String(cString: Array(buf[0..<256]) + [0])
        let inner = String(cString: Array(buf[256..<512]) + [0])
        if outer.isEmpty { return inner.isEmpty ? "unknown HDF5 error" : inner }
        return inner.isEmpty || inner == outer ? outer : "\(outer): \(inner)"
    }
}

/// A failed HDF5 call, carrying the file, the object path inside it and HDF5's own message.
public struct HDF5Error: Error, CustomStringConvertible, Equatable, Sendable {
    public var file: String
    public var object: String
    public var operation: String
    public var message: String

    public var description: String {
        "HDF5 could not \(operation) '\(object)' in \(file): \(message)."
    }
}

/// Throws an `HDF5Error` when an HDF5 status or identifier is negative.
@discardableResult
func h5check<T: BinaryInteger>(_ value: T, _ operation: String, file: String, object: String) throws -> T {
    if value < 0 {
        throw HDF5Error(file: file, object: object, operation: operation, message: HDF5.takeErrorMessage())
    }
    return value
}
