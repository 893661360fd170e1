// The JSON documents of `inspect --format json`: one for a run, one for a checkpoint file.

import Analysis
import Evaluation
import RunStore

struct RunJSON: Encodable {
    var directory: String
    var name: String
    var kind: String
    var configuration_json: String
    var environment: [String: String]
    var method: String?
    var seed: UInt64?
    var dataset: String?
    var status: [String: String]
    var state: String
    var first_step: Int?
    var last_step: Int?
    var history_rows: Int
    var total_steps: Int?
    var checkpoints_kept: [Int]
    var newest_state_digest: String?
    var genotype: String?
    var genotype_changed_at: Int?
    var evaluation: EvaluationResult?
    /// A text evaluation's evaluation.json (rnn-evaluation), as stored.
    var text_evaluation: RecurrentEvaluationResult?
    var sizes: DiskUsage
    var verifies: Bool
    var problems: [String]

    init(_ s: RunSummary, _ v: VerifyReport) {
        directory = s.directory; name = s.name; kind = s.kind; configuration_json = s.configurationJSON
        environment = s.environment; method = s.method; seed = s.seed; dataset = s.dataset; status = s.status
        state = s.state; first_step = s.firstStep; last_step = s.lastStep; history_rows = s.historyRows
        total_steps = s.totalSteps; checkpoints_kept = s.checkpointsKept; newest_state_digest = s.newestStateDigest
        genotype = s.genotype; genotype_changed_at = s.genotypeChangedAt; evaluation = s.evaluation
        text_evaluation = s.textEvaluation; sizes = s.sizes
        verifies = v.isClean; problems = v.problems.map { "\($0)" }
    }
}

struct CheckpointJSON: Encodable {
    struct ArrayEntry: Encodable {
        var key: String
        var dtype: String?
        var shape: [Int]?
        var stored_digest: String?
        var computed_digest: String?
        var digest_ok: Bool
    }
    struct Row: Encodable {
        var values: [String: Double]
        var arrays: [String: String]
    }

    var file: String
    var step: Int?
    var epoch_end: Bool?
    var format_version: Int64?
    var state_digest: String?
    var recomputed_state_digest: String?
    var arrays: [ArrayEntry]
    var scalars: [String: Double]?
    var integers: [String: Int64]?
    var strings: [String: String]?
    var history_row: Row?
    var configuration_json: String?
    var environment: [String: String]?
    var verifies: Bool
    var problems: [String]

    init(_ r: CheckpointFileReport) {
        file = r.file; step = r.header?.step; epoch_end = r.header?.epochEnd; format_version = r.header?.formatVersion
        state_digest = r.header?.stateDigest; recomputed_state_digest = r.computedStateDigest
        arrays = r.arrays.map {
            ArrayEntry(key: $0.key, dtype: $0.dtype?.rawValue, shape: $0.shape, stored_digest: $0.storedDigest,
                  computed_digest: $0.computedDigest, digest_ok: $0.digestMatches)
        }
        scalars = r.checkpoint?.scalars; integers = r.checkpoint?.integers; strings = r.checkpoint?.strings
        history_row = r.historyRow.map { row in
            Row(values: row.values, arrays: row.arrays.mapValues { "\($0.dtype.rawValue) [\($0.shape.map(String.init).joined(separator: ","))]" })
        }
        configuration_json = r.configurationJSON; environment = r.environment
        verifies = r.isSound; problems = r.problems.map { "\($0)" }
    }
}
