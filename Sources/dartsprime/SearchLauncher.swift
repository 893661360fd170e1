// The command-line tool's only calls into the search loop (`SearchSession.start/resume`), and
// how their outcome is printed: one small place to re-point when the loop changes.

import Foundation
import Search

enum SearchLauncher {
    /// Runs a new search in `directory`; prints the genotype when it finishes.
    static func start(_ c: SearchConfiguration, directory: URL, maxSteps: Int?) throws {
        StopSignals.install()
        let outcome = try SearchSession.start(c, directory: directory, maxSteps: maxSteps,
                                              progress: ProgressPrinter().report)
        try finish(outcome, directory: directory)
    }

    /// Continues the run in `directory`, or forks its step `fromStep` into `into`. A run that had
    /// already finished is not an error: a requeued job has nothing left to do (exit 0).
    static func resume(directory: URL, fromStep: Int?, into: URL?, maxSteps: Int?) throws {
        StopSignals.install()
        let outcome: SearchOutcome
        do {
            outcome = try SearchSession.resume(directory: directory, fromStep: fromStep, into: into,
                                               maxSteps: maxSteps, progress: ProgressPrinter().report)
        } catch let SearchError.finished(message) {
            FileHandle.standardError.write(Data("\(message)\n".utf8))
            return
        }
        try finish(outcome, directory: into ?? directory)
    }

    /// Prints the genotype (stdout) or where the run stopped (stderr); a stop by signal throws so
    /// that the exit path returns 75.
    private static func finish(_ outcome: SearchOutcome, directory: URL) throws {
        switch outcome {
        case let .finished(genotype):
            print(genotype)
            FileHandle.standardError.write(Data("search finished; artifacts in \(directory.path)\n".utf8))
        case let .stopped(step):
            let stop = StoppedBySignal(step: step, directory: directory.path)
            if StopSignals.stopRequested { throw stop }
            FileHandle.standardError.write(Data("\(stop)\n".utf8))  // --max-steps: a clean stop, exit 0
        }
    }
}
