// The command-line tool's only calls into the trainer's run directories (start, resume, fork),
// and how their outcome is printed: one small place for every run kind.

import Foundation
import Evaluation
import Search
import Training

enum SearchLauncher {
    /// The run kinds this build can start and resume.
    static var launcher: RunLauncher {
        RunLauncher(kinds: [CNNSearch.self, CNNEvaluation.self], notice: { StandardError.write($0 + "\n") })
    }

    /// Stop signals for a run in `directory`: a second one exits at once (75) with this line.
    static func installStopSignals(directory: URL) {
        StopSignals.install(secondSignalLine:
            "stopped at once by a second signal; the newest committed step is intact; continue with: dartsprime resume \(directory.path)\n")
    }

    /// Runs a new search in `directory` (its data loaded and checked first, so a bad input
    /// leaves no directory behind); prints the genotype when it finishes.
    static func start(_ c: SearchConfiguration, directory: URL, maxSteps: Int?) throws {
        installStopSignals(directory: directory)
        let started = Date()
        let search = try CNNSearch(configuration: c)
        let outcome = try launcher.start(search, directory: directory, maxSteps: maxSteps,
                                         progress: ProgressPrinter().report)
        try finish(outcome, directory: directory, started: started)
    }

    /// Continues the run in `directory`, or forks its step `fromStep` into `into`. A run that had
    /// already finished is not an error: a requeued job has nothing left to do (exit 0).
    static func resume(directory: URL, fromStep: Int?, into: URL?, maxSteps: Int?) throws {
        installStopSignals(directory: into ?? directory)
        let started = Date()
        let outcome: RunOutcome
        do {
            outcome = try launcher.resume(directory: directory, fromStep: fromStep, into: into,
                                          maxSteps: maxSteps, progress: ProgressPrinter().report)
        } catch let TrainingError.finished(message) {
            StandardError.write("\(message)\n")
            return
        }
        try finish(outcome, directory: into ?? directory, started: started)
    }

    /// Prints the result (stdout) or where the run stopped (stderr); a stop by signal throws so
    /// that the exit path returns 75.
    static func finish(_ outcome: RunOutcome, directory: URL, started: Date) throws {
        switch outcome {
        case let .finished(summary):
            // An evaluation's line also gives this invocation's wall time.
            let evaluation = summary.hasPrefix("test_error=")
            print(evaluation ? summary + String(format: " wall_s=%.1f", Date().timeIntervalSince(started)) : summary)
            StandardError.write("run finished; artifacts in \(directory.path)\n")
        case let .stopped(step):
            let stop = StoppedBySignal(step: step, directory: directory.path)
            if StopSignals.stopRequested { throw stop }
            StandardError.write("\(stop)\n")  // --max-steps: a clean stop, exit 0
        }
    }
}
