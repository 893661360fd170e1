// One committed step's full state as one HDF5 file (checkpoints/step-NNNNNNNN.h5): layout in
// FORMAT.md §3. Writing computes per-tensor digests; reading verifies them and the whole-state
// digest before returning anything.
import Foundation

enum CheckpointFile {
    static let format = "dartsprime-checkpoint"
    static let formatVersion: Int64 = 1

    /// Root attributes, readable without touching the data.
    typealias Header = CheckpointFileReport.Header

    struct Contents {
        var header: Header
        var checkpoint: Checkpoint
        var row: HistoryRow
        var configurationJSON: String
        var environment: [String: String]
        /// Nil for checkpoints written before they carried the run's identity.
        var runIdentity: String?
        var historyFirstStep: Int?
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

    /// Reads everything, verifying each tensor digest and then the whole-state digest: the
    /// report's first problem is thrown (CheckpointFileReport reads the same way, keeping all).
    static func read(_ url: URL) throws -> Contents {
        let report = CheckpointFileReport(inspecting: url)
        if let problem = report.problems.first { throw problem }
        guard let h = report.header, let c = report.checkpoint, let row = report.historyRow,
              let config = report.configurationJSON, let env = report.environment else {
            throw StoreError.unreadable(file: url.path, reason: "incomplete checkpoint")
        }
        return Contents(header: h, checkpoint: c, row: row, configurationJSON: config, environment: env,
                        runIdentity: report.runIdentity, historyFirstStep: report.historyFirstStep, tensorCount: c.arrays.count + row.arrays.count)
    }
}
