// Starting, resuming, forking and start-or-resume of a run directory, for any run kind: the
// kind is recorded in run.json at creation and picked from it on resume. Every run commits its
// initial state as step 0, resume continues from the newest intact step, a fork only reads its
// source, and status.json says how the run ended.

import Foundation
import DartsCore
import RunStore

/// Version of this build's numerics and storage conventions.
public enum DartsPrimeVersion {
    public static let string = "0.1.0"
}

public struct RunLauncher {
    /// The run kinds `resume` can continue, by `kindName`.
    public var kinds: [any RunKind.Type]
    /// Receives one line (no newline) when resume falls back past a damaged or missing
    /// checkpoint or starts a run again from step 0 (the command line prints it on stderr).
    public var notice: (String) -> Void

    public init(kinds: [any RunKind.Type], notice: @escaping (String) -> Void = { _ in }) {
        self.kinds = kinds
        self.notice = notice
    }

    public typealias ProgressHandler = (Progress) -> Void

    /// The machine, build and numeric facts recorded in run.json and every checkpoint.
    public static func environment() -> [String: String] { ComputeEnvironment.current() }

    /// Creates `directory` for `kind`, commits its initial state as step 0 and runs it.
    /// The run records where its data is and the data's fingerprint (DataCheck) from the start.
    public func start(_ kind: any RunKind, directory: URL, maxSteps: Int?,
                      progress: @escaping ProgressHandler = { _ in }) throws -> RunOutcome {
        let records = try kind.dataSource.map(DataCheck.records) ?? [:]
        let store = try RunStore.create(at: directory, configurationJSON: try kind.configurationJSON(),
                                        environment: Self.environment(), retention: kind.retention,
                                        runKind: type(of: kind).kindName, files: records)
        return try run(kind, store: store, commitInitialState: true, maxSteps: maxSteps, progress: progress)
    }

    /// The run kind stored in `store`, built at step 0 from its configuration (reading its data
    /// from `dataDirectory` when given: data that moved).
    public func fresh(_ store: RunStore, dataDirectory: String? = nil) throws -> any RunKind {
        guard let type = kinds.first(where: { $0.kindName == store.runKind }) else {
            throw TrainingError.incompatibleCheckpoint(
                "\(store.url.appendingPathComponent("run.json").path) holds a run of kind '\(store.runKind)', which this build cannot continue (it knows \(kinds.map { $0.kindName }.joined(separator: ", ")))")
        }
        let json = try dataDirectory.map { try type.relocatingData(store.configurationJSON, to: $0) } ?? store.configurationJSON
        return try type.init(configurationJSON: json)
    }

    /// The run kind stored in `store`, rebuilt from its configuration and restored from `step`.
    public func load(_ store: RunStore, step: Int) throws -> any RunKind {
        let kind = try fresh(store)
        try restore(kind, from: try store.load(step: step), of: store)
        return kind
    }

    /// Restores `kind` from `checkpoint` of `store`; a state that does not fit (a shape, a
    /// missing entry) names the checkpoint file.
    func restore(_ kind: any RunKind, from checkpoint: Checkpoint, of store: RunStore) throws {
        do { try Trainer(kind).restore(from: checkpoint) } catch let TrainingError.incompatibleCheckpoint(m) {
            throw TrainingError.incompatibleCheckpoint("\(store.checkpointPath(step: checkpoint.step)): \(m)")
        }
    }

    /// Continues the run in `directory` from its newest intact step (step 0 if it has none), or
    /// forks step `fromStep` (default: the newest intact one) into `into`, only reading the
    /// original. A finished run throws `TrainingError.finished`. The data is read from
    /// `dataDirectory` (data that moved; recorded in the run), else where the run records it, and
    /// must match the run's fingerprint unless `acceptChangedData` (also recorded).
    public func resume(directory: URL, fromStep: Int? = nil, into: URL? = nil, maxSteps: Int?,
                       dataDirectory: URL? = nil, acceptChangedData: Bool = false,
                       progress: @escaping ProgressHandler = { _ in }) throws -> RunOutcome {
        if let into {
            return try fork(directory: directory, step: fromStep, into: into, maxSteps: maxSteps, dataDirectory: dataDirectory,
                            acceptChangedData: acceptChangedData, progress: progress)
        }
        let store = try RunStore.open(at: directory)
        noticeRebuiltHistory(store)
        let data = try DataCheck(store, override: dataDirectory, acceptChanged: acceptChangedData, command: "resume", notice: notice)
        let kind = try fresh(store, dataDirectory: data.relocation)
        data.noticeIfUnchecked(kind, notice)
        try data.write(to: store)
        let point = try resumePoint(store, requestedStep: fromStep)
        if let point { try restore(kind, from: point, of: store) }
        if kind.isFinished {
            throw TrainingError.finished(
                "run \(store.url.path) already finished all \(kind.epochs) epochs (\(kind.totalSteps) steps); result: \(try kind.finish().summary)")
        }
        return try run(kind, store: store, commitInitialState: point == nil, maxSteps: maxSteps, progress: progress)
    }

    /// A new run `into` from step `step` of `directory`, which is opened read-only and without
    /// its lock: an archived read-only run, or one another process is writing, forks as well.
    private func fork(directory: URL, step: Int?, into: URL, maxSteps: Int?, dataDirectory: URL?, acceptChangedData: Bool,
                      progress: @escaping ProgressHandler) throws -> RunOutcome {
        let original = try RunStore.open(at: directory, readOnly: true)
        if RunStore.isInside(into, original.url) {
            throw TrainingError.invalidConfiguration(
                "--into \(into.path) is inside the run it forks (\(original.url.path)); choose a folder outside it")
        }
        // The fork carries the data records (with this fork's move or accepted change).
        let data = try DataCheck(original, override: dataDirectory, acceptChanged: acceptChangedData, command: "fork", notice: notice)
        let from: Int
        if let step { from = step } else {
            let (newest, damaged) = try original.newestIntactCheckpoint()
            guard let newest else {
                throw TrainingError.incompatibleCheckpoint("run \(directory.path) has no intact committed step to fork from")
            }
            if !damaged.isEmpty || newest.step != original.latestStep {
                notice("fork: " + Self.fallbackDescription(latest: original.latestStep, damaged: damaged, moved: [], newest: newest.step))
            }
            from = newest.step
        }
        try RunStore.checkCreatable(at: into)  // before the data is loaded
        let kind = try fresh(original, dataDirectory: data.relocation)
        data.noticeIfUnchecked(kind, notice)
        let store = try original.fork(step: from, into: into, files: try data.files)
        if original.historyLoss() != nil, let start = try store.history().first?.step, start > 0 {
            notice("fork: \(original.url.path) has lost history rows before step \(from); the history of \(store.url.path) starts at step \(start)")
        }
        try restore(kind, from: try store.load(step: from), of: store)
        if kind.isFinished {
            throw TrainingError.finished("step \(from) of \(original.url.path) is the end of its run (\(kind.totalSteps) steps); nothing to continue in \(store.url.path)")
        }
        return try run(kind, store: store, commitInitialState: false, maxSteps: maxSteps, progress: progress)
    }

    /// The checkpoint a writer continues from: the newest one that reads back whole. Newer
    /// checkpoints that do not are moved aside and the history after it is dropped (their
    /// steps are computed again), saying so in one notice. `nil`: no intact step, the run
    /// starts again at step 0. `requestedStep` (resume --from-step) must be that step.
    private func resumePoint(_ store: RunStore, requestedStep: Int?) throws -> Checkpoint? {
        let (newest, damaged) = try store.newestIntactCheckpoint()
        if let s = requestedStep, s != (newest?.step ?? 0) {
            throw TrainingError.invalidConfiguration(
                "--from-step \(s) continues an older step and would rewrite history; add --into NEWRUN to fork it")
        }
        if newest?.step != store.latestStep || !damaged.isEmpty {
            let latest = store.latestStep
            let moved = try store.rewind(to: newest?.step)
            notice("resume: " + Self.fallbackDescription(latest: latest, damaged: damaged, moved: moved, newest: newest?.step))
        }
        return newest
    }

    /// Says so when opening rebuilt more history than a crash mid-commit loses (its newest row).
    private func noticeRebuiltHistory(_ store: RunStore) {
        let steps = store.rebuiltHistorySteps
        guard steps.count > 1, let first = steps.first, let last = steps.last else { return }
        notice("resume: history rows \(first)..\(last) were missing and were rebuilt from their checkpoints")
    }

    /// One line: which checkpoints were damaged or missing (`latest`: the newest step the run
    /// had committed) and where the run continues.
    static func fallbackDescription(latest: Int?, damaged: [DamagedCheckpoint], moved: [URL], newest: Int?) -> String {
        var parts: [String] = []
        for (i, d) in damaged.enumerated() {
            let aside = i < moved.count ? ", moved aside to \(moved[i].path)" : ""
            parts.append("the checkpoint of step \(d.step) is damaged (\(d.problem))\(aside)")
        }
        let newestFile = [newest, damaged.first?.step].compactMap { $0 }.max()
        if let latest, latest > (newestFile ?? Int.min) {
            parts.append("the checkpoint of step \(latest) is missing")
        }
        if parts.isEmpty { parts.append("the run has no committed step") }
        let continuing = newest.map { "continuing from step \($0), the newest intact one" }
            ?? "starting again from step 0 (the configuration's initial state)"
        return (parts + [continuing]).joined(separator: "; ").split(whereSeparator: \.isNewline).joined(separator: " ")
    }

    /// Runs `kind` in `store` (committing step 0 first when asked), keeping status.json current:
    /// running, then stopped (--max-steps), preempted (a stop signal), finished (the trainer),
    /// or failed (or the state a `RunEndingError` names) with the error.
    private func run(_ kind: any RunKind, store: RunStore, commitInitialState: Bool, maxSteps: Int?,
                     progress: @escaping ProgressHandler) throws -> RunOutcome {
        let trainer = Trainer(kind)
        store.checkpointEnvironment = Self.environment()
        do {
            try store.writeStatus(.running, step: store.latestStep ?? 0)
            if commitInitialState { try trainer.commitInitialState(to: store) }
            // A stop signal that came while the data loaded: commit nothing more.
            if StopSignals.shouldStop() {
                try store.writeStatus(.preempted, step: kind.counters.step)
                return .stopped(step: kind.counters.step)
            }
            let outcome = try trainer.run(store: store, maxSteps: maxSteps, shouldStop: StopSignals.shouldStop, progress: progress)
            if case let .stopped(step) = outcome {
                try store.writeStatus(StopSignals.stopRequested ? .preempted : .stopped, step: step)
            }
            return outcome
        } catch let error as TrainingError where error.isDivergence {
            throw error  // the trainer wrote status.json: diverged, with the step and quantity
        } catch {
            let state = (error as? RunEndingError)?.runState ?? .failed
            try? store.writeStatus(state, step: store.latestStep ?? 0, fields: ["error": "\(error)"])
            throw error
        }
    }

    /// Idempotent for schedulers: starts `kind` in `directory` if there is no run there yet,
    /// resumes it if it was interrupted, and returns `.finished` at once if it is done. A run
    /// there of another kind or configuration is refused, never overwritten.
    public func startOrResume(_ kind: any RunKind, directory: URL, maxSteps: Int?,
                              progress: @escaping ProgressHandler = { _ in }) throws -> RunOutcome {
        let manifest = directory.appendingPathComponent("run.json")
        guard FileManager.default.fileExists(atPath: manifest.path) else {
            return try start(kind, directory: directory, maxSteps: maxSteps, progress: progress)
        }
        let store = try RunStore.open(at: directory)
        noticeRebuiltHistory(store)
        guard store.runKind == type(of: kind).kindName, store.configurationJSON == (try kind.configurationJSON()) else {
            throw TrainingError.invalidConfiguration(
                "\(manifest.path) holds a \(store.runKind) run with another configuration; choose another run directory")
        }
        // Same kind and configuration: `kind` (its data already loaded, at step 0) takes the stored state.
        try DataCheck(store, override: nil, acceptChanged: false, command: "resume", notice: notice).noticeIfUnchecked(kind, notice)
        let point = try resumePoint(store, requestedStep: nil)
        if let point { try restore(kind, from: point, of: store) }
        if kind.isFinished { return .finished(summary: try kind.finish().summary) }
        return try run(kind, store: store, commitInitialState: point == nil, maxSteps: maxSteps, progress: progress)
    }
}
