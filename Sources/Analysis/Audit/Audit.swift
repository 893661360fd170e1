// `dartsprime audit`: re-executes steps through the shared trainer and compares them with what
// was recorded — a seed record of seeds/ from step 0, or a slice of a stored run from one of its
// checkpoints — reporting the first differing step, tensor and the environment differences
// that could explain it.

import Foundation
import RunStore
import Training

public struct Audit {
    /// The run kinds whose runs can be re-executed (the CLI's list).
    public var kinds: [any RunKind.Type]

    public init(kinds: [any RunKind.Type]) { self.kinds = kinds }

    // MARK: - Seed records

    /// A record of `kind`'s first `steps` steps (all when nil), made by this process.
    public func record(_ kind: any RunKind, name: String, seed: Int, method: String, arguments: [String],
                       steps: Int?) throws -> SeedRecord {
        var record = SeedRecord(name: name, seed: seed, method: method, arguments: arguments,
                                runKind: type(of: kind).kindName, configurationJSON: try kind.configurationJSON(),
                                environment: ComputeEnvironment.current())
        try Reexecution.run(kind, steps: steps) { record.append($0); return true }
        return record
    }

    /// Re-runs `record` from step 0 (its first `steps` recorded steps, all when nil).
    public func audit(_ record: SeedRecord, steps: Int? = nil, progress: (Int, Int) -> Void = { _, _ in }) throws -> AuditResult {
        guard let type = kinds.first(where: { $0.kindName == record.runKind }) else {
            throw AuditError.badRecord(file: record.name, reason: "holds a run of kind '\(record.runKind)', which this build cannot execute")
        }
        let kind = try type.init(configurationJSON: record.configurationJSON)
        let expected = Array(record.steps.prefix(steps ?? record.steps.count))
        var notes: [String] = []
        if SeedRecord.sha256(record.configurationJSON) != record.configurationSHA256 {
            notes.append("the record's configuration_json was edited after recording (its SHA-256 differs from configuration_sha256)")
        }
        var result = AuditResult(subject: record.name, firstStep: expected.first?.step ?? 1, stepsCompared: 0, mismatch: nil,
                                 environment: EnvironmentDifference.between(recorded: record.environment, current: ComputeEnvironment.current()))
        var index = 0
        try Reexecution.run(kind, steps: expected.count) { executed in
            let reference = expected[index]
            index += 1
            progress(index, expected.count)
            guard executed.step == reference.step else {
                result.mismatch = AuditMismatch(step: reference.step, referenceDigest: reference.stateDigest,
                                                executedDigest: "(step \(executed.step))", tensors: [], history: [],
                                                notes: notes + ["the re-executed run reached step \(executed.step) where the record has step \(reference.step)"])
                return false
            }
            result.stepsCompared += 1
            // Both the whole-state digest and every tensor digest must match: an edit to either
            // in the record is found as well as a change in the numerics.
            let tensors = tensorDifferences(record.tensorKeys, record.tensorDigests(reference), executed.tensorDigests)
            guard executed.stateDigest != reference.stateDigest || !tensors.isEmpty else { return true }
            var stepNotes = notes
            if tensors.isEmpty {
                stepNotes.append("every tensor digest matches the record: the record's state digest of step \(reference.step) was altered")
            } else if executed.stateDigest == reference.stateDigest {
                stepNotes.append("the state digest matches but tensor digests do not: the record's tensor digests were altered")
            }
            result.mismatch = AuditMismatch(step: reference.step, referenceDigest: reference.stateDigest,
                                            executedDigest: executed.stateDigest, tensors: tensors,
                                            history: historyDifferences(reference.values, reference.arrays, executed.history),
                                            notes: stepNotes)
            return false
        }
        if result.mismatch == nil && result.stepsCompared < expected.count {
            result.mismatch = AuditMismatch(step: expected[result.stepsCompared].step, referenceDigest: expected[result.stepsCompared].stateDigest,
                                            executedDigest: "(run ended)", tensors: [], history: [],
                                            notes: notes + ["the re-executed run finished after \(result.stepsCompared) steps; the record has \(expected.count)"])
        }
        return result
    }

    /// Keys whose truncated digests differ (or that only one side has), in key order.
    func tensorDifferences(_ keys: [String], _ recorded: [String: String], _ executed: [String: String]) -> [ValueDifference] {
        var out: [ValueDifference] = []
        for key in keys where executed[key].map({ !$0.hasPrefix(recorded[key] ?? "-") }) ?? true {
            out.append(ValueDifference(key: key, maxAbs: nil, maxRel: nil))
        }
        for key in executed.keys.sorted() where !keys.contains(key) {
            out.append(ValueDifference(key: key + " (absent from the reference)", maxAbs: nil, maxRel: nil))
        }
        return out
    }

    /// Differing history values (non-finite ones are absent from records) and arrays.
    func historyDifferences(_ values: [String: Double], _ arrays: [String: [Float]], _ row: HistoryRow) -> [ValueDifference] {
        var out: [ValueDifference] = []
        let executedValues = row.values.filter { $0.value.isFinite }
        for key in Set(values.keys).union(executedValues.keys).sorted() {
            if let d = ValueDifference.between(key, [values[key] ?? .nan], [executedValues[key] ?? .nan]) { out.append(d) }
        }
        for key in Set(arrays.keys).union(row.arrays.keys).sorted() {
            let a = (arrays[key] ?? []).map(Double.init)
            let b = (row.arrays[key]?.floats ?? []).map(Double.init)
            if let d = ValueDifference.between(key, a, b) { out.append(d) }
        }
        return out
    }

    // MARK: - Stored runs

    /// Re-executes `steps` steps (default: to the newest history step) of the run in
    /// `directory` from its checkpoint at `fromStep` (default: the oldest kept) and compares
    /// each with the run's recorded state digest. Nothing in the run is written.
    public func audit(run directory: URL, fromStep: Int? = nil, steps: Int? = nil) throws -> AuditResult {
        let store = try RunStore.open(at: directory, readOnly: true)
        let history = try store.history()
        let digests = Dictionary(history.map { ($0.step, $0) }, uniquingKeysWith: { $1 })
        guard let start = fromStep ?? store.storedSteps.first else {
            throw AuditError.badSlice(run: store.url.path, reason: "keeps no checkpoint to re-execute from")
        }
        guard store.storedSteps.contains(start) else {
            throw AuditError.badSlice(run: store.url.path, reason: "step \(start) has no checkpoint (kept: \(store.storedSteps.map(String.init).joined(separator: ", ")))")
        }
        let last = history.map(\.step).max() ?? start
        guard last > start else {
            throw AuditError.badSlice(run: store.url.path, reason: "no recorded step after step \(start) to compare with")
        }
        let count = min(steps ?? (last - start), last - start)
        let kind = try RunLauncher(kinds: kinds).load(store, step: start)
        let origin = try store.checkpointMetadata(step: start)
        var notes: [String] = []
        if origin.configurationJSON != store.configurationJSON {
            notes.append("run.json's configuration differs from the one step \(start)'s checkpoint was written with: "
                         + configurationDifferences(origin.configurationJSON, store.configurationJSON))
        }
        var result = AuditResult(subject: store.url.path, firstStep: start + 1, stepsCompared: 0, mismatch: nil,
                                 environment: EnvironmentDifference.between(recorded: origin.environment, current: ComputeEnvironment.current()))
        try Reexecution.run(kind, steps: count) { executed in
            guard let reference = digests[executed.step] else { return false }
            result.stepsCompared += 1
            guard executed.stateDigest != reference.stateDigest else { return true }
            var stepNotes = notes
            var tensors: [ValueDifference] = []
            if store.storedSteps.contains(executed.step) {
                tensors = Self.differences(try store.load(step: executed.step), executed.checkpoint)
            } else {
                stepNotes.append("no checkpoint of step \(executed.step) is kept, so its tensors cannot be compared; the history's values and α are")
            }
            result.mismatch = AuditMismatch(step: executed.step, referenceDigest: reference.stateDigest,
                                            executedDigest: executed.stateDigest, tensors: tensors,
                                            history: historyDifferences(reference.values.filter { $0.value.isFinite },
                                                                        reference.arrays.compactMapValues { $0.floats }, executed.history),
                                            notes: stepNotes)
            return false
        }
        return result
    }

    /// Differing arrays of two checkpoints, with their largest differences, in key order.
    static func differences(_ a: Checkpoint, _ b: Checkpoint) -> [ValueDifference] {
        var out: [ValueDifference] = []
        for key in Set(a.arrays.keys).union(b.arrays.keys).sorted() {
            guard let x = a.arrays[key], let y = b.arrays[key] else {
                out.append(ValueDifference(key: key + " (only on one side)", maxAbs: .infinity, maxRel: .infinity)); continue
            }
            guard x != y else { continue }
            out.append(ValueDifference.between(key, x.doubles, y.doubles)
                       ?? ValueDifference(key: key + " (shape or type)", maxAbs: .infinity, maxRel: .infinity))
        }
        for key in Set(a.scalars.keys).union(b.scalars.keys).sorted() {
            if let d = ValueDifference.between(key, [a.scalars[key] ?? .nan], [b.scalars[key] ?? .nan]) { out.append(d) }
        }
        for key in Set(a.integers.keys).union(b.integers.keys).sorted() where a.integers[key] != b.integers[key] {
            out.append(ValueDifference.between(key, [Double(a.integers[key] ?? 0)], [Double(b.integers[key] ?? 0)])
                       ?? ValueDifference(key: key, maxAbs: .infinity, maxRel: .infinity))
        }
        for key in Set(a.strings.keys).union(b.strings.keys).sorted() where a.strings[key] != b.strings[key] {
            out.append(ValueDifference(key: key + " (text)", maxAbs: nil, maxRel: nil))
        }
        return out
    }

    /// `field a → b` for each top-level field of two configuration JSON objects that differs.
    func configurationDifferences(_ a: String, _ b: String) -> String {
        func fields(_ s: String) -> [String: String] {
            guard let o = (try? JSONSerialization.jsonObject(with: Data(s.utf8))) as? [String: Any] else { return [:] }
            return o.mapValues { "\($0)" }
        }
        let fa = fields(a), fb = fields(b)
        return Set(fa.keys).union(fb.keys).sorted().filter { fa[$0] != fb[$0] }
            .map { "\($0) \(fa[$0] ?? "(absent)") → \(fb[$0] ?? "(absent)")" }.joined(separator: ", ")
    }
}

extension StoredArray {
    /// The elements as Double, whatever the stored type.
    var doubles: [Double] {
        switch data {
        case .float32(let v): v.map(Double.init)
        case .float64(let v): v
        case .int64(let v): v.map(Double.init)
        case .uint8(let v): v.map(Double.init)
        }
    }
}
