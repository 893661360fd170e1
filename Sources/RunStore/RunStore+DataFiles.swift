// The run's two data records beside run.json (FORMAT.md §11): data_fingerprint.json and
// data_location.json, each small JSON replaced atomically.
import Foundation

extension RunStore {
    /// The data fingerprint, or nil for a run made before data was fingerprinted.
    public func readDataFingerprint() throws -> DataFingerprint? {
        try Self.readDataRecord(DataFingerprint.self, url.appendingPathComponent(DataFingerprint.fileName), format: DataFingerprint.format) {
            ($0.format, $0.formatVersion)
        }
    }

    /// The recorded data folder, or nil for a run made before it was recorded.
    public func readDataLocation() throws -> DataLocation? {
        try Self.readDataRecord(DataLocation.self, url.appendingPathComponent(DataLocation.fileName), format: DataLocation.format) {
            ($0.format, $0.formatVersion)
        }
    }

    public func writeDataFingerprint(_ f: DataFingerprint) throws { try writeDataRecord(try Self.encodeDataRecord(f), DataFingerprint.fileName) }
    public func writeDataLocation(_ l: DataLocation) throws { try writeDataRecord(try Self.encodeDataRecord(l), DataLocation.fileName) }

    /// The records as files for `create(files:)`, so a new run has them from its first instant.
    public static func dataRecordFiles(fingerprint: DataFingerprint?, location: DataLocation?) throws -> [String: String] {
        var files: [String: String] = [:]
        if let fingerprint { files[DataFingerprint.fileName] = try encodeDataRecord(fingerprint) }
        if let location { files[DataLocation.fileName] = try encodeDataRecord(location) }
        return files
    }

    static func encodeDataRecord<T: Encodable>(_ value: T) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try e.encode(value), as: UTF8.self) + "\n"
    }

    private func writeDataRecord(_ text: String, _ name: String) throws {
        guard !isReadOnly else { throw StoreError.io(file: url.path, reason: "the run was opened read-only") }
        try AtomicFile.replace(url.appendingPathComponent(name), text: text)
    }

    private static func readDataRecord<T: Decodable>(_ type: T.Type, _ file: URL, format: String,
                                                     header: (T) -> (String, Int)) throws -> T? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw StoreError.io(file: file.path, reason: "cannot be read")
        }
        let value: T
        do { value = try JSONDecoder().decode(T.self, from: data) } catch {
            throw StoreError.unreadable(file: file.path, reason: "not a \(format) JSON object")
        }
        let (found, version) = header(value)
        guard found == format else { throw StoreError.notOurs(file: file.path, reason: "format is '\(found)', not '\(format)'") }
        guard version <= 1 else { throw StoreError.newerFormat(file: file.path, found: Int64(version), supported: 1) }
        return value
    }
}
