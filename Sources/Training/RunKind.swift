// What a kind of run (CNN search, evaluation, text search, …) supplies to the shared trainer:
// its model, its data and its `iterate`. The trainer owns the loop, the counters' advance, the
// commits, stop requests and progress; the run kind owns its numerics and lists its state.

import RunStore

/// Counters of the step loop. `step` is the number of completed iterations.
public struct LoopCounters: Codable, Sendable, Equatable {
    public var step: Int = 0
    public var epoch: Int = 0
    /// Index of the next batch within the current epoch.
    public var batchInEpoch: Int = 0
    /// Epochs done so far as a fraction (SPEC §2: clock += 1/nb at the start of each iteration).
    public var clock: Double = 0
    public init() {}
}

/// A kind of run the trainer can start, resume and fork.
public protocol RunKind: AnyObject {
    /// Recorded in run.json as `run_kind`; `resume` picks the kind by it.
    static var kindName: String { get }

    /// Builds the run at step 0 from the configuration JSON stored in run.json (loading its
    /// data, validating every input up front).
    init(configurationJSON: String) throws

    /// The configuration as run.json stores it (`init(configurationJSON:)` reads it back).
    func configurationJSON() throws -> String
    /// Which full states the run directory keeps.
    var retention: RetentionPolicy { get }
    /// The data files the run reads, which the launcher fingerprints (DataSource.swift; nil by
    /// default: none on disk).
    var dataSource: DataSource? { get }
    /// `configurationJSON` with its data folder replaced by `directory`, for a resume whose data
    /// moved (run.json keeps the configuration as created); by default unchanged.
    static func relocatingData(_ configurationJSON: String, to directory: String) throws -> String

    var counters: LoopCounters { get set }
    var batchesPerEpoch: Int { get }
    var epochs: Int { get }

    /// One iteration. The trainer has already advanced `counters.clock`; `counters.step` and
    /// `counters.batchInEpoch` still name this iteration.
    func iterate() throws -> StepOutput
    /// After the last batch of an epoch, with the counters already counting it (epoch-end
    /// evaluation, genotype, …): adds to the step's output.
    func endEpoch(_ output: inout StepOutput) throws

    /// The observations of step 0, the state before the first iteration (e.g. the initial
    /// activated α, for replay); by default none.
    func initialOutput() -> StepOutput

    /// Every piece of state, each under its own key, in the order they are written and read.
    var stateEntries: [StateEntry] { get }

    /// The run's result once every step is done: the line printed on stdout, extra status
    /// fields, and artifacts (file name → contents) written into the run directory.
    func finish() throws -> RunResult
    /// `finish()` when the trainer completes the last step, with the wall seconds spent on the
    /// run over all its sessions (status.json's `wall_seconds`), for kinds that record it in an
    /// artifact; by default `finish()`.
    func finish(wallSeconds: Double) throws -> RunResult
}

extension RunKind {
    public func initialOutput() -> StepOutput { StepOutput() }
    public func finish(wallSeconds: Double) throws -> RunResult { try finish() }
    public var totalSteps: Int { batchesPerEpoch * epochs }
    public var isFinished: Bool { counters.step >= totalSteps }
}

/// What one iteration observed: stored in the step's checkpoint (never read back), its history
/// row, and shown as progress.
public struct StepOutput {
    /// Observations for the checkpoint (losses, activated α, indices, …), unscoped keys.
    public var observations: StateWriter
    /// History row values and arrays (never pruned).
    public var history: [String: Double] = [:]
    public var historyArrays: [String: StoredArray] = [:]
    /// Text files written into the run directory after the commit (e.g. a per-epoch genotype).
    public var artifacts: [String: String] = [:]
    /// Progress: the step's loss and accuracy, extra `name value` pairs, and at an epoch end a
    /// summary and a note (e.g. the genotype).
    public var loss: Double = .nan
    public var accuracy: Double = .nan
    public var progressExtras: [(String, String)] = []
    public var epochSummary: String? = nil
    public var epochNote: String? = nil
    /// Quantities that must be finite (losses, gradient norms, …), named as the error prints
    /// them: the trainer stops the run at the first that is not, before committing the step.
    public var mustBeFinite: [(name: String, value: Double)] = []

    public init() { observations = StateWriter() }
}

/// A finished run's result.
public struct RunResult {
    /// The one line `search`/`evaluate` print on stdout.
    public var summary: String
    public var status: [String: String]
    public var artifacts: [String: String]

    public init(summary: String, status: [String: String] = [:], artifacts: [String: String] = [:]) {
        self.summary = summary; self.status = status; self.artifacts = artifacts
    }
}
