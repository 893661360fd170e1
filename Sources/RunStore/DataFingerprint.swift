// data_fingerprint.json: what the data files of a run were when it was created (per file its
// name, size and SHA-256), so a resume can refuse data that changed under it, and the changes a
// user accepted (`resume --accept-changed-data`), kept as the run's record.
import Crypto
import Foundation

/// One data file as measured: its name inside the data folder, size and SHA-256 of its bytes.
public struct DataFileFingerprint: Codable, Equatable, Sendable {
    public var name: String
    public var size: Int
    public var sha256: String

    public init(name: String, size: Int, sha256: String) { self.name = name; self.size = size; self.sha256 = sha256 }

    /// Measures `name` in `directory` (the file's bytes as stored, gzip or not), reading it in pieces.
    public static func measure(_ name: String, in directory: URL) throws -> DataFileFingerprint {
        let url = directory.appendingPathComponent(name)
        guard let handle = FileHandle(forReadingAtPath: url.path) else {
            throw StoreError.io(file: url.path, reason: "cannot be read to fingerprint the data")
        }
        defer { try? handle.close() }
        var hash = SHA256()
        var size = 0
        while true {
            let piece: Data
            do { piece = try handle.read(upToCount: 1 << 20) ?? Data() } catch {
                throw StoreError.io(file: url.path, reason: "cannot be read to fingerprint the data: \(error.localizedDescription)")
            }
            if piece.isEmpty { break }
            hash.update(data: piece)
            size += piece.count
        }
        return DataFileFingerprint(name: name, size: size, sha256: hash.finalize().map { String(format: "%02x", $0) }.joined())
    }
}

/// One accepted change: when, at which step, in which folder, each changed file before and after.
public struct AcceptedDataChange: Codable, Equatable, Sendable {
    public struct File: Codable, Equatable, Sendable {
        public var name: String
        /// nil: the file was missing.
        public var recorded: DataFileFingerprint?
        public var found: DataFileFingerprint?
    }
    public var time: String
    public var step: Int
    public var directory: String
    public var files: [File]

    public init(time: String, step: Int, directory: String, files: [File]) {
        self.time = time; self.step = step; self.directory = directory; self.files = files
    }
}

public struct DataFingerprint: Codable, Equatable, Sendable {
    public static let fileName = "data_fingerprint.json"
    public static let format = "dartsprime-data-fingerprint"
    public var format = DataFingerprint.format
    public var formatVersion = 1
    public var dataset: String
    /// The absolute folder the files were measured in.
    public var directory: String
    public var files: [DataFileFingerprint]
    /// Changes accepted with `--accept-changed-data`, oldest first; `files` holds the newest measurement.
    public var acceptedChanges: [AcceptedDataChange] = []

    enum CodingKeys: String, CodingKey {
        case format, formatVersion = "format_version", dataset, directory, files, acceptedChanges = "accepted_changes"
    }

    /// Measures every file of `names` in `directory`.
    public init(dataset: String, directory: URL, names: [String]) throws {
        self.dataset = dataset
        self.directory = directory.standardizedFileURL.path
        files = try names.map { try DataFileFingerprint.measure($0, in: directory) }
    }

    /// The recorded files as found in `directory` now: those that differ, each with what was
    /// recorded and what is there (`found` nil: missing).
    public func differences(in directory: URL) throws -> [AcceptedDataChange.File] {
        try files.compactMap { recorded in
            let url = directory.appendingPathComponent(recorded.name)
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), !isDir.boolValue else {
                return .init(name: recorded.name, recorded: recorded, found: nil)
            }
            let found = try DataFileFingerprint.measure(recorded.name, in: directory)
            return found == recorded ? nil : .init(name: recorded.name, recorded: recorded, found: found)
        }
    }

    /// What differs in one file, as a clause: "its size is 61461 bytes, recorded 61460" and so on.
    public static func describe(_ file: AcceptedDataChange.File) -> String {
        guard let recorded = file.recorded else { return "it is new" }
        guard let found = file.found else {
            return "it is missing (recorded: \(recorded.size) bytes, SHA-256 \(recorded.sha256))"
        }
        if found.size != recorded.size { return "its size is \(found.size) bytes, recorded \(recorded.size)" }
        return "its SHA-256 is \(found.sha256), recorded \(recorded.sha256) (same size, \(found.size) bytes)"
    }
}
