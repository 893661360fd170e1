// run.json: the run directory's identity card (format, version, configuration, environment,
// retention). Written once at creation; readers check it before touching anything else.
import Foundation

struct RunManifest: Codable, Equatable {
    static let format = "dartsprime-run"
    static let formatVersion: Int64 = 1
    static let fileName = "run.json"

    var format: String
    var formatVersion: Int64
    var configurationJSON: String
    var environment: [String: String]
    var retention: RetentionPolicy
    /// Which kind of run the directory holds (`cnn-search`, …); runs written before run kinds
    /// existed have none and are CNN searches.
    var runKind: String?

    /// The run kind of a manifest without one.
    static let defaultRunKind = "cnn-search"

    enum CodingKeys: String, CodingKey {
        case format, formatVersion = "format_version", configurationJSON = "configuration_json", environment, retention
        case runKind = "run_kind"
    }

    /// Just enough to recognise the file and its version before decoding the rest.
    private struct Probe: Decodable {
        var format: String?
        var format_version: Int64?
    }

    func encoded() throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.prettyPrinted, .sortedKeys]
        return String(decoding: try e.encode(self), as: UTF8.self) + "\n"
    }

    static func read(_ url: URL) throws -> RunManifest {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir), isDir.boolValue {
            throw StoreError.io(file: url.path, reason: "is a folder, but a run keeps its configuration in this file")
        }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw StoreError.missingRun(path: url.deletingLastPathComponent().path)
        }
        // Not JSON at all (cut short by a copy, or edited by hand): say so, not "not ours".
        guard (try? JSONSerialization.jsonObject(with: data)) != nil else {
            throw StoreError.unreadable(file: url.path, reason: "not parseable JSON (\(data.count) bytes)")
        }
        guard let probe = try? JSONDecoder().decode(Probe.self, from: data), probe.format == format,
              let version = probe.format_version else {
            throw StoreError.notOurs(file: url.path, reason: "not JSON with format \"\(format)\"")
        }
        guard version <= formatVersion else {
            throw StoreError.newerFormat(file: url.path, found: version, supported: formatVersion)
        }
        do { return try JSONDecoder().decode(RunManifest.self, from: data) } catch {
            throw StoreError.unreadable(file: url.path, reason: "fields missing or of the wrong type")
        }
    }

    /// A string map as JSON with sorted keys (stable bytes, hence stable digests and diffs).
    static func encodeSorted(_ map: [String: String]) throws -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.sortedKeys]
        return String(decoding: try e.encode(map), as: UTF8.self)
    }

    static func decodeStringMap(_ json: String, file: String) throws -> [String: String] {
        do { return try JSONDecoder().decode([String: String].self, from: Data(json.utf8)) } catch {
            throw StoreError.unreadable(file: file, reason: "a JSON object of strings was expected")
        }
    }
}
