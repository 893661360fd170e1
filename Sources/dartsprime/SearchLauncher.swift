// The command-line tool's only calls into the trainer's run directories (start, resume, fork),
// and how their outcome is printed: one small place for every run kind.

import Foundation
import Evaluation
import RunStore
import Search
import Training

enum SearchLauncher {
    /// The run kinds this build can start and resume.
    static var launcher: RunLauncher {
        RunLauncher(kinds: [CNNSearch.self, CNNEvaluation.self, RecurrentEvaluation.self, RecurrentSearch.self], notice: { StandardStreams.writeError($0 + "\n") })
    }

    /// Stop signals for a run in `directory`: a second one exits at once (75) with this line.
    static func installStopSignals(directory: URL) {
        StopSignals.install(secondSignalLine:
            "stopped at once by a second signal; the newest committed step is intact; continue with: dartsprime resume \(directory.path)\n")
    }

    /// Runs the new run `makeKind` builds in `directory` (a search or an evaluation; its data
    /// loaded and checked first, after the directory is known to be creatable, so a bad input
    /// leaves no directory behind); prints the result when it finishes.
    static func start(directory: URL, maxSteps: Int?, _ makeKind: () throws -> any RunKind) throws {
        try RunStore.checkCreatable(at: directory)  // before the data is loaded
        installStopSignals(directory: directory)
        let started = Date()
        let kind = try makeKind()
        let outcome = try launcher.start(kind, directory: directory, maxSteps: maxSteps, progress: ProgressPrinter().report)
        try finish(outcome, directory: directory, started: started)
    }

    /// Runs a new CNN search in `directory`.
    static func start(_ c: SearchConfiguration, directory: URL, maxSteps: Int?) throws {
        try start(directory: directory, maxSteps: maxSteps) { try CNNSearch(configuration: c) }
    }

    /// Runs a new Penn Treebank search in `directory`.
    static func start(_ c: RecurrentSearchRunConfiguration, directory: URL, maxSteps: Int?) throws {
        try start(directory: directory, maxSteps: maxSteps) { try RecurrentSearch(configuration: c) }
    }

    /// Starts the run `makeKind` builds in `directory`, or continues it there when it was
    /// interrupted (RunLauncher's start-or-resume: a run of another configuration is refused).
    /// One run of an `experiment`, idempotent for schedulers that requeue it.
    static func startOrResume(directory: URL, _ makeKind: () throws -> any RunKind) throws {
        try refuseDiverged(directory)
        installStopSignals(directory: directory)
        let started = Date()
        let kind = try makeKind()  // loads and checks the data
        let outcome = try launcher.startOrResume(kind, directory: directory, maxSteps: nil, progress: ProgressPrinter().report)
        try finish(outcome, directory: directory, started: started)
    }

    /// Continues the run in `directory`, or forks its step `fromStep` into `into`. A run that had
    /// already finished is not an error: a requeued job has nothing left to do (exit 0).
    static func resume(directory: URL, fromStep: Int?, into: URL?, maxSteps: Int?, data: URL? = nil,
                       acceptChangedData: Bool = false) throws {
        if into == nil { try refuseDiverged(directory) }
        installStopSignals(directory: into ?? directory)
        let started = Date()
        let outcome: RunOutcome
        do {
            outcome = try launcher.resume(directory: directory, fromStep: fromStep, into: into,
                                          maxSteps: maxSteps, dataDirectory: data, acceptChangedData: acceptChangedData,
                                          progress: ProgressPrinter().report)
        } catch let TrainingError.finished(message) {
            StandardStreams.writeError("\(message)\n")
            return
        }
        try finish(outcome, directory: into ?? directory, started: started)
    }

    /// A run that diverged would diverge again at the same step (resume is bit-exact), so
    /// `resume` says so (exit 65) instead of repeating it; forking an earlier step is allowed.
    static func refuseDiverged(_ directory: URL) throws {
        guard let status = try? RunStore.open(at: directory, readOnly: true).readStatus(),
              status["state"] == "diverged" else { return }
        let step = status["step"] ?? "?", quantity = status["quantity"] ?? "a loss", value = status["value"] ?? "non-finite"
        throw TrainingError.diverged(
            "\(directory.path) diverged at step \(step) (\(quantity) is \(value)) and resuming would repeat it bit-exactly from "
            + "step \(status["newest_checkpoint"] ?? "?"); start a new run with other settings (e.g. a smaller --lr)")
    }

    /// Prints the result (stdout) or where the run stopped (stderr); a stop by signal throws so
    /// that the exit path returns 75.
    static func finish(_ outcome: RunOutcome, directory: URL, started: Date) throws {
        switch outcome {
        case let .finished(summary):
            // An evaluation's line also gives its wall time, summed over resumes (status.json).
            let evaluation = summary.hasPrefix("test_error=") || summary.hasPrefix("valid_ppl=")
            let recorded = (try? RunStore.open(at: directory, readOnly: true).readStatus())?["wall_seconds"].flatMap(Double.init)
            let wall = recorded ?? Date().timeIntervalSince(started)
            StandardStreams.writeLine(evaluation ? summary + String(format: " wall_s=%.1f", wall) : summary)
            StandardStreams.writeError("run finished; artifacts in \(directory.path)\n")
        case let .stopped(step):
            let stop = StoppedBySignal(step: step, directory: directory.path)
            if StopSignals.stopRequested { throw stop }
            StandardStreams.writeError("\(stop)\n")  // --max-steps: a clean stop, exit 0
        }
    }
}
