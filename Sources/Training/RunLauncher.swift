// Starting, resuming, forking and start-or-resume of a run directory, for any run kind: the
// kind is recorded in run.json at creation and picked from it on resume.

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

    public init(kinds: [any RunKind.Type]) { self.kinds = kinds }

    public typealias ProgressHandler = (Progress) -> Void

    /// The machine and build facts recorded in run.json.
    public static func environment() -> [String: String] {
        RunEnvironment.current(extra: [
            "threads": String(DartsCore.threadCount),
            "dartsprime_version": DartsPrimeVersion.string,
        ])
    }

    /// Creates `directory` for `kind` (at step 0) and runs it.
    public func start(_ kind: any RunKind, directory: URL, maxSteps: Int?,
                      progress: @escaping ProgressHandler = { _ in }) throws -> RunOutcome {
        let store = try RunStore.create(at: directory, configurationJSON: try kind.configurationJSON(),
                                        environment: Self.environment(), retention: kind.retention,
                                        runKind: type(of: kind).kindName)
        return try run(kind, store: store, maxSteps: maxSteps, progress: progress)
    }

    /// The run kind stored in `store`, rebuilt from its configuration and restored from `step`.
    public func load(_ store: RunStore, step: Int) throws -> any RunKind {
        guard let type = kinds.first(where: { $0.kindName == store.runKind }) else {
            throw TrainingError.incompatibleCheckpoint(
                "\(store.url.appendingPathComponent("run.json").path) holds a run of kind '\(store.runKind)', which this build cannot continue (it knows \(kinds.map { $0.kindName }.joined(separator: ", ")))")
        }
        let kind = try type.init(configurationJSON: store.configurationJSON)
        try restore(kind, from: store, step: step)
        return kind
    }

    /// Restores `kind` from `store`'s `step`; a state that does not fit (a shape, a missing
    /// entry) names the checkpoint file.
    func restore(_ kind: any RunKind, from store: RunStore, step: Int) throws {
        let checkpoint = try store.load(step: step)
        do { try Trainer(kind).restore(from: checkpoint) } catch let TrainingError.incompatibleCheckpoint(m) {
            throw TrainingError.incompatibleCheckpoint("\(store.checkpointPath(step: step)): \(m)")
        }
    }

    /// Continues the run in `directory` from its newest step, or forks step `fromStep` into `into`
    /// (the original is left untouched). A finished run throws `TrainingError.finished`.
    public func resume(directory: URL, fromStep: Int? = nil, into: URL? = nil, maxSteps: Int?,
                       progress: @escaping ProgressHandler = { _ in }) throws -> RunOutcome {
        let original = try RunStore.open(at: directory)
        let store: RunStore
        let step: Int
        if let into {
            guard let s = fromStep ?? original.latestStep else {
                throw TrainingError.incompatibleCheckpoint("run \(directory.path) has no committed step to fork from")
            }
            store = try original.fork(step: s, into: into)
            step = s
        } else {
            if let s = fromStep, s != original.latestStep {
                throw TrainingError.invalidConfiguration(
                    "--from-step \(s) continues an older step and would rewrite history; add --into NEWRUN to fork it")
            }
            guard let s = original.latestStep else {
                throw TrainingError.incompatibleCheckpoint("run \(directory.path) has no committed step to resume from")
            }
            store = original
            step = s
        }
        let kind = try load(store, step: step)
        if kind.isFinished {
            throw TrainingError.finished(
                "run \(store.url.path) already finished all \(kind.epochs) epochs (\(kind.totalSteps) steps); result: \(try kind.finish().summary)")
        }
        return try run(kind, store: store, maxSteps: maxSteps, progress: progress)
    }

    private func run(_ kind: any RunKind, store: RunStore, maxSteps: Int?, progress: @escaping ProgressHandler) throws -> RunOutcome {
        try store.writeStatus(["state": "running"])
        return try Trainer(kind).run(store: store, maxSteps: maxSteps, shouldStop: { StopSignals.stopRequested },
                                     progress: progress)
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
        guard store.runKind == type(of: kind).kindName, store.configurationJSON == (try kind.configurationJSON()) else {
            throw TrainingError.invalidConfiguration(
                "\(manifest.path) holds a \(store.runKind) run with another configuration; choose another run directory")
        }
        // Created but killed before its first commit: the fresh kind is that run's step 0.
        guard let step = store.latestStep else { return try run(kind, store: store, maxSteps: maxSteps, progress: progress) }
        // Same kind and configuration: `kind` (its data already loaded) takes the stored state.
        try restore(kind, from: store, step: step)
        if kind.isFinished { return .finished(summary: try kind.finish().summary) }
        return try run(kind, store: store, maxSteps: maxSteps, progress: progress)
    }
}
