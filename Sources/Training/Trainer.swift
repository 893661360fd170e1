// The step loop every run kind shares: advance the counters, let the run kind iterate, commit
// the step (state entries + observations + history row) to the run store, report progress,
// and stop cleanly after `--max-steps` or a stop request (SIGINT/SIGTERM/SIGHUP); a second
// signal never interrupts a commit.

import Foundation
import RunStore

/// Why `Trainer.run` returned.
public enum RunOutcome: Sendable, Equatable {
    /// All steps done; `summary` is the line for stdout (e.g. the genotype).
    case finished(summary: String)
    /// Stopped after `maxSteps` or a stop request; the newest step is committed.
    case stopped(step: Int)
}

/// Progress reported after every committed step.
public struct Progress {
    public var step: Int
    public var totalSteps: Int
    /// Epochs completed (after an epoch end) or the epoch in progress, 1-based for display.
    public var epoch: Int
    public var epochs: Int
    public var epochEnd: Bool
    public var secondsPerStep: Double
    public var output: StepOutput

    /// Seconds left at the current pace.
    public var eta: Double { Double(totalSteps - step) * secondsPerStep }
}

public final class Trainer {
    public let kind: any RunKind
    /// How often a long run rewrites its `running` status.json (keeping `wall_seconds` current).
    static let statusRefreshSeconds: Double = 60

    public init(_ kind: any RunKind) { self.kind = kind }

    /// One iteration and its epoch end, with the counters advanced (SPEC §2: clock += 1/nb first).
    public func step() throws -> StepOutput {
        let nb = kind.batchesPerEpoch
        kind.counters.clock += 1.0 / Double(nb)
        var output = try kind.iterate()
        kind.counters.step += 1
        kind.counters.batchInEpoch += 1
        if kind.counters.batchInEpoch == nb {
            try kind.endEpoch(&output)
            kind.counters.batchInEpoch = 0
            kind.counters.epoch += 1
        }
        return output
    }

    /// The checkpoint of the current state with `output`'s observations.
    public func checkpoint(_ output: StepOutput) throws -> Checkpoint {
        var writer = output.observations
        let c = kind.counters
        writer.step = c.step
        // The counters as plain entries for readers of the file (the state itself is in `stateEntries`).
        writer.integer("step", c.step)
        writer.integer("epoch", c.epoch)
        writer.integer("batch_in_epoch", c.batchInEpoch)
        writer.scalar("clock", c.clock)
        try StateCodec.save(kind.stateEntries, into: &writer)
        return writer.checkpoint
    }

    /// Restores the run kind's state from `checkpoint` (see `StateCodec.restore` for `skipping`).
    public func restore(from checkpoint: Checkpoint, skipping: Set<String> = []) throws {
        try StateCodec.restore(kind.stateEntries, from: checkpoint, skipping: skipping)
    }

    /// The never-pruned history row of the current step: `output`'s values plus epoch and clock.
    public func historyRow(_ output: StepOutput) -> HistoryRow {
        var values = output.history
        values["epoch"] = Double(kind.counters.epoch)
        values["clock"] = kind.counters.clock
        return HistoryRow(step: kind.counters.step, values: values, arrays: output.historyArrays)
    }

    /// Commits the step that produced `output` (step 0, the initial state, ends no epoch).
    public func commit(_ output: StepOutput, to store: RunStore) throws {
        let epochEnd = kind.counters.step > 0 && kind.counters.batchInEpoch == 0
        try store.commit(try checkpoint(output), history: historyRow(output), epochEnd: epochEnd)
        for (name, text) in output.artifacts.sorted(by: { $0.key < $1.key }) {
            try store.writeArtifact(named: name, contents: text)
        }
    }

    /// Commits the state before the first iteration as step 0, so that a run stopped or killed
    /// before step 1 resumes, replays and forks from it.
    public func commitInitialState(to store: RunStore) throws {
        precondition(kind.counters.step == 0, "Trainer.commitInitialState: the run is at step \(kind.counters.step)")
        try StopSignals.deferringExit { try commit(kind.initialOutput(), to: store) }
    }

    /// Throws `TrainingError.diverged` when one of `output`'s checked quantities is not finite,
    /// after recording it in status.json: the step is not committed, so the newest checkpoint
    /// stays the last finite step (a resume would only repeat the same numbers).
    func stopIfDiverged(_ output: StepOutput, store: RunStore) throws {
        guard let bad = output.mustBeFinite.first(where: { !$0.value.isFinite }) else { return }
        let step = kind.counters.step
        let newest = store.latestStep
        let value = bad.value.isNaN ? "nan" : "\(bad.value)"  // not "-nan": the sign of a NaN means nothing
        let message = "step \(step): \(bad.name) is \(value) (diverged); "
            + (newest.map { "the newest checkpoint is step \($0)" } ?? "no step was committed")
        // The status is a courtesy; failing to write it must not hide the divergence itself.
        try? store.writeStatus(.diverged, step: step, fields: ["quantity": bad.name, "value": value,
                                                               "newest_checkpoint": newest.map(String.init) ?? "none",
                                                               "error": message])
        throw TrainingError.diverged(message)
    }

    /// Runs until every step is done, `maxSteps` more iterations are done, or `shouldStop` says
    /// so (checked after each committed step). Commits every step to `store`.
    public func run(store: RunStore, maxSteps: Int? = nil, shouldStop: () -> Bool = { false },
                    progress: (Progress) -> Void = { _ in }) throws -> RunOutcome {
        var done = 0
        let started = Date()
        var statusWritten = started
        let total = kind.totalSteps
        while kind.counters.step < total {
            if let m = maxSteps, done >= m { return .stopped(step: kind.counters.step) }
            let output = try step()
            try stopIfDiverged(output, store: store)
            try StopSignals.deferringExit { try commit(output, to: store) }
            done += 1
            // A process killed without a last status write (SIGKILL) loses at most this much of
            // status.json's wall_seconds.
            if Date().timeIntervalSince(statusWritten) >= Self.statusRefreshSeconds {
                try store.writeStatus(.running, step: kind.counters.step)
                statusWritten = Date()
            }
            let epochEnd = kind.counters.batchInEpoch == 0
            progress(Progress(step: kind.counters.step, totalSteps: total,
                              epoch: min(kind.counters.epoch + (epochEnd ? 0 : 1), kind.epochs), epochs: kind.epochs,
                              epochEnd: epochEnd, secondsPerStep: Date().timeIntervalSince(started) / Double(done),
                              output: output))
            if shouldStop() && kind.counters.step < total { return .stopped(step: kind.counters.step) }
        }
        let result = try kind.finish(wallSeconds: store.wallSeconds())
        for (name, text) in result.artifacts.sorted(by: { $0.key < $1.key }) {
            try store.writeArtifact(named: name, contents: text)
        }
        try store.writeStatus(.finished, step: kind.counters.step, fields: result.status)
        return .finished(summary: result.summary)
    }
}
