// One committed step's full state as one HDF5 file (checkpoints/step-NNNNNNNN.h5): layout in
// FORMAT.md §3. Writing computes per-tensor digests; reading verifies them and the whole-state
// digest before returning anything.
import Foundation

enum CheckpointFile {
    static let format = "dartsprime-checkpoint"
    static let formatVersion: Int64 = 1

    /// Root attributes, readable without touching the data.
    struct Header: Equatable {
        var step: Int
        var epochEnd: Bool
        var stateDigest: String
        var formatVersion: Int64
    }

    struct Contents {
        var header: Header
        var checkpoint: Checkpoint
        var row: HistoryRow
        var configurationJSON: String
        var environment: [String: String]
        var tensorCount: Int
    }

    static func fileName(step: Int) -> String { String(format: "step-%08d.h5", step) }

    static func step(fromFileName name: String) -> Int? {
        guard name.hasPrefix("step-"), name.hasSuffix(".h5") else { return nil }
        let digits = name.dropFirst(5).dropLast(3)
        guard digits.count >= 8, digits.allSatisfy(\.isASCII), digits.allSatisfy(\.isNumber) else { return nil }
        return Int(digits)
    }

    /// The bytes of the checkpoint file for this state (layout built from scratch; the store
    /// reuses a `CheckpointTemplate` across commits instead). `row.stateDigest` must already
    /// hold the whole-state digest.
    static func image(_ c: Checkpoint, row: HistoryRow, tensorDigests: [String: String], epochEnd: Bool,
                      configurationJSON: String, environment: [String: String], name: String) throws -> [UInt8] {
        try CheckpointTemplate(c, row: row, tensorDigests: tensorDigests, epochEnd: epochEnd,
                               configurationJSON: configurationJSON, environment: environment, name: name).image()
    }

    /// Opens `url` and checks it is one of ours and not from the future.
    static func openChecked(_ url: URL) throws -> (HDF5File, Header) {
        guard FileManager.default.fileExists(atPath: url.path) else {
            throw StoreError.io(file: url.path, reason: "no such file")
        }
        guard HDF5File.hasSignature(url) else { throw StoreError.notOurs(file: url.path, reason: "no HDF5 signature") }
        do {
            let file = try HDF5File.open(url)
            guard try file.hasAttribute("format"), try file.stringAttribute("format") == format else {
                throw StoreError.notOurs(file: url.path, reason: "no format attribute '\(format)'")
            }
            let version = try file.int64Attribute("format_version")
            guard version <= formatVersion else {
                throw StoreError.newerFormat(file: url.path, found: version, supported: formatVersion)
            }
            let header = Header(step: Int(try file.int64Attribute("step")), epochEnd: try file.int64Attribute("epoch_end") != 0,
                                stateDigest: try file.stringAttribute("state_digest"), formatVersion: version)
            return (file, header)
        } catch let e as HDF5Error {
            throw StoreError.unreadable(file: url.path, reason: e.message)
        }
    }

    static func readHeader(_ url: URL) throws -> Header { try openChecked(url).1 }

    /// Reads everything, verifying each tensor digest and then the whole-state digest.
    static func read(_ url: URL) throws -> Contents {
        let (file, header) = try openChecked(url)
        do {
            var c = Checkpoint(step: header.step)
            var digests: [String: String] = [:]
            for (key, parent, name) in try KeyedGroupReader.datasets(under: try file.openGroup("arrays")) {
                let ds = try parent.openDataset(name)
                let array = try ds.read()
                let digest = StateDigest.tensor(array)
                guard try ds.hasAttribute("sha256"), try ds.stringAttribute("sha256") == digest else {
                    throw StoreError.digestMismatch(file: url.path, key: "arrays/" + key)
                }
                c.arrays[key] = array
                digests[key] = digest
            }
            for (key, parent, name) in try KeyedGroupReader.datasets(under: try file.openGroup("scalars")) {
                c.scalars[key] = try scalar(parent.readArray(name), url: url, key: key)
            }
            for (key, parent, name) in try KeyedGroupReader.datasets(under: try file.openGroup("integers")) {
                guard case .int64(let v) = try parent.readArray(name).data, v.count == 1 else {
                    throw StoreError.unreadable(file: url.path, reason: "integers/\(key) is not one int64")
                }
                c.integers[key] = v[0]
            }
            for (key, parent, name) in try KeyedGroupReader.datasets(under: try file.openGroup("strings")) {
                c.strings[key] = try parent.readString(name)
            }
            guard StateDigest.whole(c, tensorDigests: digests) == header.stateDigest else {
                throw StoreError.digestMismatch(file: url.path, key: "whole state")
            }
            var row = HistoryRow(step: header.step, stateDigest: header.stateDigest, epochEnd: header.epochEnd)
            let h = try file.openGroup("history_row")
            for (key, parent, name) in try KeyedGroupReader.datasets(under: try h.openGroup("values")) {
                row.values[key] = try scalar(parent.readArray(name), url: url, key: key)
            }
            for (key, parent, name) in try KeyedGroupReader.datasets(under: try h.openGroup("arrays")) {
                let ds = try parent.openDataset(name)
                let array = try ds.read()
                guard try ds.stringAttribute("sha256") == StateDigest.tensor(array) else {
                    throw StoreError.digestMismatch(file: url.path, key: "history_row/arrays/" + key)
                }
                row.arrays[key] = array
            }
            let meta = try file.openGroup("meta")
            let config = try meta.readString("configuration_json")
            let env = try RunManifest.decodeStringMap(try meta.readString("environment_json"), file: url.path)
            return Contents(header: header, checkpoint: c, row: row, configurationJSON: config, environment: env,
                            tensorCount: digests.count + row.arrays.count)
        } catch let e as HDF5Error {
            throw StoreError.unreadable(file: url.path, reason: "\(e.object): \(e.message)")
        }
    }

    private static func scalar(_ a: StoredArray, url: URL, key: String) throws -> Double {
        guard case .float64(let v) = a.data, v.count == 1 else {
            throw StoreError.unreadable(file: url.path, reason: "\(key) is not one float64")
        }
        return v[0]
    }
}
