// A checkpoint file read without trusting it: every value that can be read is read, every
// tensor digest and the whole-state digest are checked, and each problem is kept (one sentence
// naming the file) instead of stopping at the first. `CheckpointFile.read` is this report with
// its first problem thrown; `dartsprime inspect FILE` prints all of it. Opens read-only.
import Foundation

public struct CheckpointFileReport: Sendable {
    /// The root attributes (FORMAT.md §3).
    public struct Header: Sendable, Equatable {
        public var step: Int
        public var epochEnd: Bool
        public var stateDigest: String
        public var formatVersion: Int64
    }

    /// One `/arrays/<key>` dataset: what its metadata says and what its data hashes to.
    public struct ArrayEntry: Sendable, Equatable {
        public var key: String
        public var dtype: StoredDType?
        public var shape: [Int]?
        /// The dataset's `sha256` attribute (nil: missing or unreadable).
        public var storedDigest: String?
        /// SHA-256 of the data as read (nil: the data could not be read).
        public var computedDigest: String?
        public var digestMatches: Bool { storedDigest != nil && storedDigest == computedDigest }
    }

    public var file: String
    /// Nil when the file is missing, foreign, newer or too damaged to open.
    public var header: Header?
    /// Every array dataset found, in key byte order.
    public var arrays: [ArrayEntry] = []
    /// The whole state, when every section could be read (digest problems aside).
    public var checkpoint: Checkpoint?
    /// The whole-state digest recomputed from the data (nil: not every value could be read).
    public var computedStateDigest: String?
    public var historyRow: HistoryRow?
    public var configurationJSON: String?
    public var environment: [String: String]?
    /// `/meta/run_identity`: the SHA-256 of the run.json the checkpoint was written for (nil:
    /// written before checkpoints carried it).
    public var runIdentity: String?
    /// `/meta/history_first_step`: the step the run's history starts at (nil: not recorded).
    public var historyFirstStep: Int?
    /// Empty for a sound file; the first is the one `CheckpointFile.read` throws.
    public var problems: [StoreError] = []
    public var isSound: Bool { problems.isEmpty }

    /// Reads `url` read-only and checks it; never throws and never writes.
    public init(inspecting url: URL) {
        file = url.path
        var problems: [StoreError] = []
        /// Runs `body`, keeping what it throws as a problem; says whether it finished.
        func attempt(_ body: () throws -> Void) -> Bool {
            do { try body(); return true } catch { problems.append(Self.storeError(error, url)); return false }
        }
        defer { self.problems = problems }
        let opened: HDF5File
        do {
            let (f, h) = try CheckpointFile.openChecked(url)
            opened = f
            header = h
        } catch {
            problems.append(Self.storeError(error, url))
            return
        }
        let step = header?.step ?? 0, stateDigest = header?.stateDigest ?? ""

        // The state: `checkpoint` only when every value was read (a digest mismatch does not
        // stop it: the data was read, it is only wrong).
        var c = Checkpoint(step: step)
        var digests: [String: String] = [:]
        var entries: [ArrayEntry] = []
        var complete = attempt {
            for (key, parent, name) in try KeyedGroupReader.datasets(under: try opened.openGroup("arrays")) {
                var entry = ArrayEntry(key: key)
                _ = attempt {
                    let ds = try parent.openDataset(name)
                    entry.storedDigest = try ds.hasAttribute("sha256") ? try? ds.stringAttribute("sha256") : nil
                    let array = try ds.read()
                    entry.dtype = array.dtype
                    entry.shape = array.shape
                    entry.computedDigest = StateDigest.tensor(array)
                    c.arrays[key] = array
                    digests[key] = entry.computedDigest
                    if !entry.digestMatches { throw StoreError.digestMismatch(file: url.path, key: "arrays/" + key) }
                }
                entries.append(entry)
            }
        }
        arrays = entries
        complete = complete && entries.allSatisfy { $0.computedDigest != nil }
        complete = attempt {
            for (key, parent, name) in try KeyedGroupReader.datasets(under: try opened.openGroup("scalars")) {
                c.scalars[key] = try Self.scalar(parent.readArray(name), url: url, key: "scalars/" + key)
            }
        } && complete
        complete = attempt {
            for (key, parent, name) in try KeyedGroupReader.datasets(under: try opened.openGroup("integers")) {
                guard case .int64(let v) = try parent.readArray(name).data, v.count == 1 else {
                    throw StoreError.unreadable(file: url.path, reason: "integers/\(key) is not one int64")
                }
                c.integers[key] = v[0]
            }
        } && complete
        complete = attempt {
            for (key, parent, name) in try KeyedGroupReader.datasets(under: try opened.openGroup("strings")) {
                c.strings[key] = try parent.readString(name)
            }
        } && complete
        if complete {
            let whole = StateDigest.whole(c, tensorDigests: digests)
            computedStateDigest = whole
            checkpoint = c
            if whole != stateDigest { problems.append(.digestMismatch(file: url.path, key: "whole state")) }
        }

        var row = HistoryRow(step: step, stateDigest: stateDigest, epochEnd: header?.epochEnd ?? false)
        if attempt({
            let h = try opened.openGroup("history_row")
            for (key, parent, name) in try KeyedGroupReader.datasets(under: try h.openGroup("values")) {
                row.values[key] = try Self.scalar(parent.readArray(name), url: url, key: "history_row/values/" + key)
            }
            for (key, parent, name) in try KeyedGroupReader.datasets(under: try h.openGroup("arrays")) {
                let ds = try parent.openDataset(name)
                let array = try ds.read()
                guard try ds.hasAttribute("sha256"), try ds.stringAttribute("sha256") == StateDigest.tensor(array) else {
                    throw StoreError.digestMismatch(file: url.path, key: "history_row/arrays/" + key)
                }
                row.arrays[key] = array
            }
            // Rows written before row digests existed have none (or an empty one): not checked.
            if try h.hasAttribute("row_digest") {
                row.rowDigest = try h.stringAttribute("row_digest")
                if !row.rowDigest.isEmpty, row.rowDigest != StateDigest.row(row) {
                    throw StoreError.digestMismatch(file: url.path, key: "history_row")
                }
            }
        }) { historyRow = row }
        var config: String?, env: [String: String]?, identity: String?, firstStep: Int?
        _ = attempt {
            let meta = try opened.openGroup("meta")
            config = try meta.readString("configuration_json")
            env = try RunManifest.decodeStringMap(try meta.readString("environment_json"), file: url.path)
            if try meta.contains("run_identity") { identity = try meta.readString("run_identity") }
            if try meta.contains("history_first_step") {
                guard case .int64(let v) = try meta.readArray("history_first_step").data, v.count == 1 else {
                    throw StoreError.unreadable(file: url.path, reason: "meta/history_first_step is not one int64")
                }
                firstStep = Int(v[0])
            }
        }
        configurationJSON = config
        environment = env
        runIdentity = identity
        historyFirstStep = firstStep
    }

    private static func storeError(_ error: Error, _ url: URL) -> StoreError {
        switch error {
        case let e as StoreError: return e
        case let e as HDF5Error: return .unreadable(file: url.path, reason: "\(e.object): \(e.message)")
        default: return .unreadable(file: url.path, reason: "\(error)")
        }
    }

    private static func scalar(_ a: StoredArray, url: URL, key: String) throws -> Double {
        guard case .float64(let v) = a.data, v.count == 1 else {
            throw StoreError.unreadable(file: url.path, reason: "\(key) is not one float64")
        }
        return v[0]
    }
}
