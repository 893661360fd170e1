// Where two runs part: their histories' per-step state digests compared step by step, the
// tensors that differ at the first diverging step (or the first later step both runs still keep
// a checkpoint of), and their configuration and environment differences. Read-only.

import Foundation
import RunStore

public struct RunDiff: Sendable {
    /// One run as the diff saw it.
    public struct Side: Sendable, Equatable, Codable {
        public var run: String
        public var kind: String
        /// History steps, ascending (first, last, count; nil for an empty history).
        public var firstStep: Int?
        public var lastStep: Int?
        public var steps: Int
        public var checkpointsKept: [Int]

        enum CodingKeys: String, CodingKey {
            case run, kind, steps, firstStep = "first_step", lastStep = "last_step", checkpointsKept = "checkpoints_kept"
        }
    }

    public var a: Side
    public var b: Side
    /// Steps present in both histories, compared in order.
    public var commonSteps: Int
    /// The first step at which the state digests differ (or one side lacks the step), up to
    /// the shorter history's last step; nil when they agree over all common steps.
    public var firstDivergingStep: Int?
    public var digestA: String?
    public var digestB: String?
    /// The step whose checkpoints were compared (the diverging step, or the first later step
    /// both keep), and what they showed; nil when no such step exists.
    public var comparedStep: Int?
    public var comparison: StateComparison?
    public var configurationDifferences: [FieldDifference]
    public var environmentDifferences: [FieldDifference]

    /// Same steps with the same state digests (configuration and environment aside).
    public var isIdentical: Bool { firstDivergingStep == nil && a.firstStep == b.firstStep && a.lastStep == b.lastStep && a.steps == b.steps }

    /// Compares the runs in `directoryA` and `directoryB`, both opened read-only.
    public init(_ directoryA: URL, _ directoryB: URL) throws {
        let storeA = try RunStore.open(at: directoryA, readOnly: true)
        let storeB = try RunStore.open(at: directoryB, readOnly: true)
        let historyA = try storeA.history(), historyB = try storeB.history()
        a = Self.side(storeA, historyA)
        b = Self.side(storeB, historyB)
        configurationDifferences = FieldDifferences.ofJSON(storeA.configurationJSON, storeB.configurationJSON)
        if storeA.runKind != storeB.runKind {
            configurationDifferences.insert(FieldDifference(name: "run_kind", a: storeA.runKind, b: storeB.runKind), at: 0)
        }
        environmentDifferences = FieldDifferences.of(storeA.environment, storeB.environment)

        let digestsA = Dictionary(historyA.map { ($0.step, $0.stateDigest) }, uniquingKeysWith: { $1 })
        let digestsB = Dictionary(historyB.map { ($0.step, $0.stateDigest) }, uniquingKeysWith: { $1 })
        commonSteps = Set(digestsA.keys).intersection(digestsB.keys).count
        let last = min(historyA.last?.step ?? 0, historyB.last?.step ?? 0)
        let steps = Set(digestsA.keys).union(digestsB.keys).filter { $0 <= last }.sorted()
        firstDivergingStep = steps.first { digestsA[$0] != digestsB[$0] }
        guard let diverging = firstDivergingStep else { return }
        digestA = digestsA[diverging]
        digestB = digestsB[diverging]
        let keptByBoth = Set(storeA.storedSteps).intersection(storeB.storedSteps)
        guard let step = keptByBoth.filter({ $0 >= diverging }).min() else { return }
        comparedStep = step
        comparison = StateComparison(try storeA.load(step: step), try storeB.load(step: step))
    }

    static func side(_ store: RunStore, _ history: [HistoryRow]) -> Side {
        Side(run: store.url.path, kind: store.runKind, firstStep: history.first?.step, lastStep: history.last?.step,
             steps: history.count, checkpointsKept: store.storedSteps)
    }

    /// The last line `dartsprime diff` prints.
    public var summary: String {
        if isIdentical { return "identical: \(a.steps) steps with the same state digests" }
        if let s = firstDivergingStep {
            let key = comparison?.firstDifference.map { ", first differing key \($0.path)" } ?? ""
            return "different: first diverging step \(s)\(key)"
        }
        return "different: A has steps up to \(a.lastStep.map(String.init) ?? "none"), B up to \(b.lastStep.map(String.init) ?? "none"), identical over the \(commonSteps) common steps"
    }
}
