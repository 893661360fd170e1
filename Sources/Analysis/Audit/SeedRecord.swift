// A seed record (seeds/*.json): the configuration, environment and per-step digests of a short
// reference search, what `dartsprime audit` re-runs and compares against. Format in
// seeds/README.md; written only by `make seeds` (`dartsprime audit --record`).

import Crypto
import Foundation
import RunStore

public struct SeedRecord: Codable, Equatable, Sendable {
    public static let formatName = "dartsprime-seed-record"
    public static let formatVersion = 1
    /// Hex characters kept of each tensor's SHA-256. The whole-state digest (kept in full)
    /// decides match or mismatch; tensor digests only locate the first differing tensor, for
    /// which 32 bits suffice (a chance match is 2⁻³²) at an eighth of the size.
    public static let tensorDigestLength = 8

    public struct Step: Codable, Equatable, Sendable {
        public var step: Int
        public var stateDigest: String
        /// Truncated tensor digests in the order of the record's `tensorKeys`, concatenated.
        public var tensors: String
        /// The step's history scalars (losses, accuracies, F, τ, …).
        public var values: [String: Double]
        /// The step's history arrays (activated α), flattened.
        public var arrays: [String: [Float]]

        enum CodingKeys: String, CodingKey {
            case step, stateDigest = "state_digest", tensors, values, arrays
        }
    }

    public var format = SeedRecord.formatName
    public var formatVersion = SeedRecord.formatVersion
    public var name: String
    public var seed: Int
    public var method: String
    /// The `dartsprime search` flags that made the configuration (for readers; the
    /// configuration itself is authoritative).
    public var arguments: [String]
    public var runKind: String
    public var configurationJSON: String
    /// SHA-256 of `configurationJSON` when recorded: an edited configuration is named as such.
    public var configurationSHA256: String
    public var environment: [String: String]
    public var tensorKeys: [String]
    public var steps: [Step]

    enum CodingKeys: String, CodingKey {
        case format, formatVersion = "format_version", name, seed, method, arguments, runKind = "run_kind"
        case configurationJSON = "configuration_json", configurationSHA256 = "configuration_sha256"
        case environment, tensorKeys = "tensor_keys", steps
    }

    public init(name: String, seed: Int, method: String, arguments: [String], runKind: String,
                configurationJSON: String, environment: [String: String]) {
        self.name = name; self.seed = seed; self.method = method; self.arguments = arguments
        self.runKind = runKind; self.configurationJSON = configurationJSON
        self.configurationSHA256 = Self.sha256(configurationJSON)
        self.environment = environment; self.tensorKeys = []; self.steps = []
    }

    /// Stands for a tensor the step does not have (optimizer state before its first step).
    static let absentDigest = String(repeating: "-", count: tensorDigestLength)

    /// The truncated digest of each tensor at `step`, by key (absent tensors left out).
    public func tensorDigests(_ step: Step) -> [String: String] {
        let bytes = Array(step.tensors.utf8)
        var out: [String: String] = [:]
        for (i, key) in tensorKeys.enumerated() {
            let digest = String(decoding: bytes[i * Self.tensorDigestLength ..< (i + 1) * Self.tensorDigestLength], as: UTF8.self)
            if digest != Self.absentDigest { out[key] = digest }
        }
        return out
    }

    /// `digests` in the order of `tensorKeys`, concatenated.
    func encode(_ digests: [String: String]) -> String {
        tensorKeys.map { digests[$0].map { String($0.prefix(Self.tensorDigestLength)) } ?? Self.absentDigest }.joined()
    }

    /// Appends an executed step. `tensorKeys` is the union over the steps (sorted): a key that
    /// first appears now is added and the earlier steps say it was absent there.
    public mutating func append(_ s: ExecutedStep) {
        let newKeys = Set(s.tensorDigests.keys).subtracting(tensorKeys)
        if !newKeys.isEmpty {
            let earlier = steps.map { tensorDigests($0) }
            tensorKeys = StateDigest.sortedKeys(Set(tensorKeys).union(newKeys))
            for i in steps.indices { steps[i].tensors = encode(earlier[i]) }
        }
        steps.append(Step(step: s.step, stateDigest: s.stateDigest, tensors: encode(s.tensorDigests),
                          values: s.history.values.filter { $0.value.isFinite },
                          arrays: s.history.arrays.compactMapValues { $0.floats }))
    }

    static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    // MARK: - Files

    public func write(to url: URL) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var data = try encoder.encode(self)
        data.append(0x0A)
        try data.write(to: url, options: .atomic)
    }

    /// Reads and checks a record; every problem is one line naming the file.
    public static func read(_ url: URL) throws -> SeedRecord {
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw AuditError.badRecord(file: url.path, reason: "cannot be read")
        }
        let record: SeedRecord
        do { record = try JSONDecoder().decode(SeedRecord.self, from: data) } catch {
            throw AuditError.badRecord(file: url.path, reason: "is not a seed record (\(error))".replacingOccurrences(of: "\n", with: " "))
        }
        guard record.format == formatName, record.formatVersion == formatVersion else {
            throw AuditError.badRecord(file: url.path, reason: "has format \(record.format) v\(record.formatVersion), this build reads \(formatName) v\(formatVersion)")
        }
        guard !record.steps.isEmpty, record.steps.allSatisfy({ $0.tensors.utf8.count == record.tensorKeys.count * tensorDigestLength }) else {
            throw AuditError.badRecord(file: url.path, reason: "has no steps or a step whose tensor digests do not match tensor_keys")
        }
        return record
    }

    /// The records in `directory` (`*.json`), by file name.
    public static func all(in directory: URL) throws -> [(url: URL, record: SeedRecord)] {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory.path) else {
            throw AuditError.badRecord(file: directory.path, reason: "is not a readable folder of seed records")
        }
        return try names.filter { $0.hasSuffix(".json") }.sorted().map {
            let url = directory.appendingPathComponent($0)
            return (url, try read(url))
        }
    }
}

extension StoredArray {
    /// Float32 contents, nil for other element types.
    var floats: [Float]? {
        if case .float32(let v) = data { return v }
        return nil
    }
}
