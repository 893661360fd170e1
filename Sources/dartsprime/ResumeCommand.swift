// `dartsprime resume RUN`: continue a search bit-exactly, or fork one of its steps.

import ArgumentParser
import Foundation

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Continue a run from its newest intact step, or fork a stored step into a new run.",
        discussion: """
        A damaged or missing newest checkpoint is moved aside (step-N.h5.damaged) and the run \
        continues from the newest intact step, saying so. A fork only reads the original (no lock: \
        read-only or running originals fork too). Exit status 0 also when the run had already \
        finished; 75 when stopped by SIGINT/SIGTERM/SIGHUP (requeue and resume again). The data files \
        must match the fingerprint recorded when the run was created (exit 1 naming the file otherwise).
        """)

    @Argument(help: "Run directory.") var runDirectory: String
    @Option(name: .customLong("from-step"), parsing: .unconditional, help: "Fork from this stored step (needs --into).") var fromStep: Int?
    @Option(help: "New run directory for a fork; the original is left untouched.") var into: String?
    @Option(help: "Folder the run's data moved to (recorded in the run's data_location.json for later resumes).") var data: String?
    @Flag(name: .customLong("accept-changed-data"),
          help: "Continue although data files differ from the run's fingerprint (recorded in data_fingerprint.json; the run is no longer bit-exact with its past).")
    var acceptChangedData = false
    @OptionGroup var limit: StepLimitOptions

    func validate() throws {
        if let s = fromStep, s < 0 { throw ValidationError("--from-step must be a step number ≥ 0, got \(s)") }
        if fromStep != nil && into == nil {
            throw ValidationError("--from-step needs --into NEWRUN (forking leaves the original run untouched)")
        }
    }

    func run() throws {
        try SearchLauncher.resume(directory: URL(fileURLWithPath: runDirectory), fromStep: fromStep,
                                  into: into.map { URL(fileURLWithPath: $0) }, maxSteps: limit.maxSteps,
                                  data: data.map { URL(fileURLWithPath: $0) }, acceptChangedData: acceptChangedData)
    }
}
