// What a run directory holds, read without changing it: kind, configuration, environment,
// history and kept checkpoints, newest state digest, genotype, status (a `running` run whose
// writer lock is free is `interrupted`) and sizes on disk. `inspect RUN` and `list` print it.

import Foundation
import RunStore
import Search
import Evaluation
import ImageData
import TextData
import Training

public struct RunSummary: Sendable {
    public var directory: String
    public var name: String
    public var kind: String
    public var configurationJSON: String
    public var environment: [String: String]
    /// Searches: the method; every known kind: seed and dataset.
    public var method: String?
    public var seed: UInt64?
    public var dataset: String?
    /// status.json as stored, and the state shown: its `state` (`new` without one), or
    /// `interrupted` for `running` with no writer holding the run's lock.
    public var status: [String: String]
    public var state: String
    /// History steps (first, last, count) and the steps whose checkpoints are kept.
    public var firstStep: Int?
    public var lastStep: Int?
    public var historyRows: Int
    public var checkpointsKept: [Int]
    public var newestStateDigest: String?
    /// Steps of the whole run (nil when not known yet: before the first step).
    public var totalSteps: Int?
    /// Searches: the newest step's genotype replayed from the history, and the step where it
    /// last changed (the first step when it never did). Evaluations: the genotype they train.
    public var genotype: String?
    public var genotypeChangedAt: Int?
    /// Evaluations: the finished result (RUN/evaluation.json), when there is one.
    public var evaluation: EvaluationResult?
    /// Text evaluations (rnn-evaluation): the finished result (RUN/evaluation.json), when there is one.
    public var textEvaluation: RecurrentEvaluationResult?
    public var sizes: DiskUsage

    /// Reads the run in `directory` read-only.
    public init(directory url: URL) throws {
        let store = try RunStore.open(at: url, readOnly: true)
        defer { store.close() }
        directory = store.url.path
        name = store.url.lastPathComponent
        kind = store.runKind
        configurationJSON = store.configurationJSON
        environment = store.environment
        status = try store.readStatus()
        let recorded = status["state"] ?? "new"
        state = recorded == "running" && !RunStore.writerHoldsLock(at: store.url) ? "interrupted" : recorded
        let history = try store.history()
        firstStep = history.first?.step
        lastStep = history.last?.step
        historyRows = history.count
        checkpointsKept = store.storedSteps
        newestStateDigest = history.last?.stateDigest
        sizes = DiskUsage(run: store.url)

        var epochs: Int?
        switch kind {
        case CNNSearch.kindName:
            let c = try StateJSON.decode(SearchConfiguration.self, configurationJSON, key: "configuration")
            method = c.method; seed = c.seed; dataset = c.dataset.rawValue; epochs = c.epochs
            let steps = try Replay(directory: store.url).allSteps()
            genotype = steps.last?.genotype.description
            genotypeChangedAt = steps.last(where: \.changed)?.step ?? steps.first?.step
        case RecurrentSearch.kindName:
            let c = try StateJSON.decode(RecurrentSearchRunConfiguration.self, configurationJSON, key: "configuration")
            method = c.method; seed = c.seed; dataset = "ptb"; epochs = c.epochs
            let steps = try Replay(directory: store.url).allSteps()
            genotype = steps.last?.genotype.description
            genotypeChangedAt = steps.last(where: \.changed)?.step ?? steps.first?.step
        case CNNEvaluation.kindName:
            let c = try StateJSON.decode(EvaluationRunConfiguration.self, configurationJSON, key: "configuration")
            seed = c.seed; dataset = c.dataset.rawValue; epochs = c.epochs; genotype = c.genotype
            let file = store.url.appendingPathComponent("evaluation.json")
            if let data = FileManager.default.contents(atPath: file.path) {
                evaluation = try? JSONDecoder().decode(EvaluationResult.self, from: data)
            }
        case RecurrentEvaluation.kindName:
            let c = try StateJSON.decode(RecurrentEvaluationConfiguration.self, configurationJSON, key: "configuration")
            seed = c.seed; dataset = "ptb"; epochs = c.epochs; genotype = c.genotype
            let file = store.url.appendingPathComponent("evaluation.json")
            if let data = FileManager.default.contents(atPath: file.path) {
                textEvaluation = try? JSONDecoder().decode(RecurrentEvaluationResult.self, from: data)
            }
        default:
            break
        }
        // A damaged newest checkpoint leaves the total unknown here (`verify` reports it).
        if totalSteps == nil, let epochs, let perEpoch = (try? Self.batchesPerEpoch(store, history)) ?? nil { totalSteps = perEpoch * epochs }
    }

    /// Batches per epoch: the first epoch end's step (the history starts at step 0 or 1), or
    /// before one, the newest checkpoint's training stream: an image stream's permutation and
    /// batch size (docs/SEARCH_STATE.md), a text stream's ⌊rows/bptt⌋ (TruncatedBPTTStream).
    static func batchesPerEpoch(_ store: RunStore, _ history: [HistoryRow]) throws -> Int? {
        if let first = history.first, first.step <= 1, let end = history.first(where: \.epochEnd) { return end.step }
        guard let newest = store.storedSteps.last,
              let text = try store.load(step: newest).strings["data/train_stream"] else { return nil }
        if [RecurrentSearch.kindName, RecurrentEvaluation.kindName].contains(store.runKind) {
            let stream = try StateJSON.decode(TextStreamState.self, text, key: "data/train_stream")
            return stream.bptt > 0 && stream.rows >= stream.bptt ? stream.rows / stream.bptt : nil
        }
        let stream = try StateJSON.decode(BatchStreamState.self, text, key: "data/train_stream")
        guard stream.batchSize > 0, !stream.permutation.isEmpty else { return nil }
        return (stream.permutation.count + stream.batchSize - 1) / stream.batchSize
    }
}

/// Bytes on disk of a run directory: all of it, its checkpoints and its history.
public struct DiskUsage: Sendable, Equatable, Codable {
    public var total: Int
    public var checkpoints: Int
    public var history: Int

    public init(run url: URL) {
        total = Self.bytes(under: url)
        checkpoints = Self.bytes(under: url.appendingPathComponent("checkpoints"))
        history = Self.bytes(under: url.appendingPathComponent("history"))
    }

    /// Sizes of the regular files below `url` (links are not followed).
    static func bytes(under url: URL) -> Int {
        guard let walk = FileManager.default.enumerator(at: url, includingPropertiesForKeys: [.fileSizeKey, .isRegularFileKey]) else { return 0 }
        var sum = 0
        for case let file as URL in walk {
            guard let v = try? file.resourceValues(forKeys: [.fileSizeKey, .isRegularFileKey]), v.isRegularFile == true else { continue }
            sum += v.fileSize ?? 0
        }
        return sum
    }
}
