// `dartsprime resume RUN`: continue a search bit-exactly, or fork one of its steps.

import ArgumentParser
import Foundation
import Search
import Training

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a search from its newest committed step, or fork an older step into a new run.",
        discussion: "Exit status 75 when stopped by SIGINT/SIGTERM (requeue and resume again).")

    @Argument(help: "Run directory.") var runDirectory: String
    @Option(name: .customLong("from-step"), help: "Fork from this stored step (needs --into).") var fromStep: Int?
    @Option(help: "New run directory for a fork; the original is left untouched.") var into: String?
    @Option(name: .customLong("max-steps"), help: "Stop cleanly after N more iterations.") var maxSteps: Int?

    func validate() throws {
        if fromStep != nil && into == nil {
            throw flagError("resume: --from-step needs --into NEWRUN (forking leaves the original run untouched)")
        }
    }

    func run() throws {
        StopSignals.install()
        let source = URL(fileURLWithPath: runDirectory)
        let target = into.map { URL(fileURLWithPath: $0) }
        let outcome: RunOutcome
        do {
            outcome = try RunKinds.launcher.resume(directory: source, fromStep: fromStep, into: target, maxSteps: maxSteps,
                                                   progress: ProgressPrinter().report)
        } catch let TrainingError.finished(message) {
            // Not an error: a requeued job whose search already ended has nothing left to do.
            FileHandle.standardError.write(Data("\(message)\n".utf8))
            return
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode.failure
        }
        try finish(outcome, directory: target ?? source)
    }
}
