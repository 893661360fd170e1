// Starting, resuming and forking searches against a run directory: the glue the CLI calls.

import Foundation
import DartsCore
import ImageData
import RunStore

/// Process-wide stop request, set from a signal handler and read between steps.
nonisolated(unsafe) private var stopSignalCount: Int32 = 0

public enum StopSignals {
    /// Exit status of a search stopped by SIGINT/SIGTERM after committing its step (EX_TEMPFAIL,
    /// so schedulers can requeue).
    public static let preemptedExitStatus: Int32 = 75

    /// SIGINT and SIGTERM ask the loop to finish the current step, commit it and stop; a second
    /// signal exits at once (the last committed step stays intact).
    public static func install() {
        let handler: @convention(c) (Int32) -> Void = { _ in
            stopSignalCount += 1
            if stopSignalCount > 1 { _exit(130) }
        }
        signal(SIGINT, handler)
        signal(SIGTERM, handler)
        // A parent may have blocked these signals (the mask is inherited across exec), which
        // would leave the stop request pending forever: unblock them.
        var set = sigset_t()
        sigemptyset(&set)
        sigaddset(&set, SIGINT)
        sigaddset(&set, SIGTERM)
        pthread_sigmask(SIG_UNBLOCK, &set, nil)
    }

    public static var stopRequested: Bool { stopSignalCount > 0 }
}

public enum SearchSession {
    /// Loads the dataset named by `configuration` (training split, optional subset).
    public static func loadDataset(_ c: SearchConfiguration) throws -> ImageDataset {
        let dir = URL(fileURLWithPath: c.dataDirectory ?? c.dataset.defaultDirectory)
        if c.dataDirectory == nil && !FileManager.default.fileExists(atPath: dir.path) {
            // The default place is empty: say which flag points elsewhere.
            throw SearchError.invalidConfiguration(
                "no \(c.dataset.rawValue) data at the default folder \(dir.path); pass --data PATH (the folder with \(c.dataset.fileNames(.train).joined(separator: ", ")))")
        }
        return try ImageDataset.load(c.dataset, directory: dir, split: .train, subset: c.subset)
    }

    static func environment(_ c: SearchConfiguration) -> [String: String] {
        RunEnvironment.current(extra: [
            "threads": String(DartsCore.threadCount),
            "dartsprime_version": DartsPrimeVersion.string,
        ])
    }

    /// Creates `directory` and runs a new search in it.
    public static func start(_ c: SearchConfiguration, directory: URL, maxSteps: Int?,
                             progress: @escaping (SearchProgress) -> Void) throws -> SearchOutcome {
        try c.validate()
        let dataset = try loadDataset(c)
        let runner = try SearchRunner(configuration: c, dataset: dataset)
        let store = try RunStore.create(at: directory, configurationJSON: try encodeJSON(c),
                                        environment: environment(c),
                                        retention: RetentionPolicy(keepLast: c.keepLast, keepEpochEnds: true, everyNth: c.keepEvery))
        try store.writeStatus(["state": "running"])
        return try runner.run(store: store, maxSteps: maxSteps, shouldStop: { StopSignals.stopRequested },
                              progress: progress)
    }

    /// Continues the run in `directory` from its newest step, or forks step `fromStep` into `into`.
    public static func resume(directory: URL, fromStep: Int?, into: URL?, maxSteps: Int?,
                              progress: @escaping (SearchProgress) -> Void) throws -> SearchOutcome {
        let original = try RunStore.open(at: directory)
        let store: RunStore
        let step: Int
        if let into {
            guard let s = fromStep ?? original.latestStep else {
                throw SearchError.incompatibleCheckpoint("run \(directory.path) has no committed step to fork from")
            }
            store = try original.fork(step: s, into: into)
            step = s
        } else {
            if let s = fromStep, s != original.latestStep {
                throw SearchError.invalidConfiguration(
                    "--from-step \(s) continues an older step and would rewrite history; add --into NEWRUN to fork it")
            }
            guard let s = original.latestStep else {
                throw SearchError.incompatibleCheckpoint("run \(directory.path) has no committed step to resume from")
            }
            store = original
            step = s
        }
        let c = try decodeJSON(SearchConfiguration.self, store.configurationJSON, key: "configuration")
        let dataset = try loadDataset(c)
        let runner = try SearchRunner(configuration: c, dataset: dataset)
        let checkpoint = try store.load(step: step)
        try runner.restore(from: checkpoint)
        if runner.counters.step >= runner.totalSteps {
            throw SearchError.finished("run \(store.url.path) already finished all \(c.epochs) epochs (\(runner.totalSteps) steps); genotype: \(runner.currentGenotype())")
        }
        try store.writeStatus(["state": "running"])
        return try runner.run(store: store, maxSteps: maxSteps, shouldStop: { StopSignals.stopRequested },
                              progress: progress)
    }
}

/// Version of this build's numerics and storage conventions.
public enum DartsPrimeVersion {
    public static let string = "0.1.0"
}
