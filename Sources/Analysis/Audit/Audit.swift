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
        record.append(try Reexecution.initialState(kind))
        try Reexecution.run(kind, steps: steps) { record.append($0); return true }
        return record
    }

    /// Re-runs `record` from step 0 (its first `steps` recorded steps, all when nil).
    public func audit(_ record: SeedRecord, steps: Int? = nil) throws -> AuditResult {
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
        let compare: (ExecutedStep) throws -> Bool = { executed in
            let reference = expected[index]
            index += 1
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
        // Step 0 (the initial state) first when the record has it, then the steps after it.
        if expected.first?.step == 0 {
            if try compare(try Reexecution.initialState(kind)) {
                try Reexecution.run(kind, steps: expected.count - 1, compare)
            }
        } else {
            try Reexecution.run(kind, steps: expected.count, compare)
        }
        if result.mismatch == nil && result.stepsCompared < expected.count {
            result.mismatch = AuditMismatch(step: expected[result.stepsCompared].step, referenceDigest: expected[result.stepsCompared].stateDigest,
                                            executedDigest: "(run ended)", tensors: [], history: [],
                                            notes: notes + ["the re-executed run finished after \(result.stepsCompared) steps; the record has \(expected.count)"])
        }
        return result
    }

    /// Keys whose truncated digests differ (or that only one side has), in canonical order;
    /// the record is side A.
    func tensorDifferences(_ keys: [String], _ recorded: [String: String], _ executed: [String: String]) -> [KeyDifference] {
        func difference(_ key: String, _ kind: KeyDifference.Kind) -> KeyDifference {
            KeyDifference(section: .arrays, key: key, kind: kind, differingElements: nil, elements: nil,
                          maxAbsoluteDifference: nil, maxRelativeDifference: nil, a: recorded[key], b: executed[key].map { String($0.prefix(SeedRecord.tensorDigestLength)) })
        }
        var out: [KeyDifference] = []
        for key in StateDigest.sortedKeys(Set(keys).union(executed.keys)) {
            switch (recorded[key], executed[key]) {
            case let (r?, e?) where !e.hasPrefix(r): out.append(difference(key, .values))
            case (_?, nil): out.append(difference(key, .onlyInA))
            case (nil, _?): out.append(difference(key, .onlyInB))
            default: break
            }
        }
        return out
    }

    /// Differing history values and arrays of a step (the reference is side A); values that
    /// were not finite are absent from seed records, so they are left out on both sides.
    func historyDifferences(_ values: [String: Double], _ arrays: [String: [Float]], _ row: HistoryRow) -> [KeyDifference] {
        let reference = Checkpoint(step: row.step, arrays: arrays.mapValues { StoredArray(shape: [$0.count], data: .float32($0)) },
                                   scalars: values.filter { $0.value.isFinite })
        let executed = Checkpoint(step: row.step, arrays: row.arrays.mapValues { StoredArray(shape: [$0.count], data: $0.data) },
                                  scalars: row.values.filter { $0.value.isFinite })
        return StateComparison(reference, executed).differences
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
        // The starting checkpoint must itself be what the run recorded: an edited tensor or
        // digest is found here, at its own step, before anything is re-executed.
        let origin = try store.checkpointReport(step: start)
        let recorded = digests[start]
        var result = AuditResult(subject: store.url.path, firstStep: start, stepsCompared: 0, mismatch: nil,
                                 environment: EnvironmentDifference.between(recorded: origin.environment ?? [:], current: ComputeEnvironment.current()))
        if !origin.isSound || (recorded != nil && origin.computedStateDigest != recorded?.stateDigest) {
            let damaged = origin.arrays.filter { !$0.digestMatches }.map {
                KeyDifference(section: .arrays, key: $0.key, kind: .values, differingElements: nil, elements: nil,
                              maxAbsoluteDifference: nil, maxRelativeDifference: nil, a: $0.storedDigest, b: $0.computedDigest)
            }
            result.mismatch = AuditMismatch(step: start, referenceDigest: recorded?.stateDigest ?? "(no history row)",
                                            executedDigest: origin.computedStateDigest ?? "(unreadable)", tensors: damaged, history: [],
                                            notes: origin.problems.map { "\($0)" }
                                                + (origin.isSound ? ["the checkpoint's contents hash to another state digest than the history recorded for step \(start)"] : []))
            return result
        }
        // The configuration run.json gives must be the one the steps were made with.
        if let config = origin.configurationJSON, config != store.configurationJSON {
            result.mismatch = AuditMismatch(step: start, referenceDigest: recorded?.stateDigest ?? "(no history row)",
                                            executedDigest: "(not re-executed)", tensors: [], history: [],
                                            notes: ["run.json's configuration differs from the one step \(start)'s checkpoint was written with: "
                                                    + configurationDifferences(config, store.configurationJSON)])
            return result
        }
        result.stepsCompared = 1
        let kind = try RunLauncher(kinds: kinds).load(store, step: start)
        let notes: [String] = []
        try Reexecution.run(kind, steps: count) { executed in
            guard let reference = digests[executed.step] else { return false }
            result.stepsCompared += 1
            guard executed.stateDigest != reference.stateDigest else { return true }
            var stepNotes = notes
            var tensors: [KeyDifference] = []
            if store.storedSteps.contains(executed.step) {
                tensors = StateComparison(try store.load(step: executed.step), executed.checkpoint).differences
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

