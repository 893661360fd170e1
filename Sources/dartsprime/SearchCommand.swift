// `dartsprime search`: a new CNN architecture search, every step committed to a run directory.
// Its flags are the option groups of Options/, applied over the chosen profile.

import ArgumentParser
import Foundation
import Search
import Training

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Run a DARTS / DARTS-PRIME architecture search.",
        discussion: """
        Every setting of the search has a flag; flags override the profile. Progress goes to \
        stderr; the final genotype (DARTS syntax) to stdout and to the run directory. \
        SIGINT/SIGTERM/SIGHUP finish and commit the current step, then exit with status 75 so a \
        scheduler can requeue; `dartsprime resume RUN` continues bit-exactly.
        """)

    @OptionGroup var runDirectory: RunDirectoryOptions
    @OptionGroup var limit: StepLimitOptions
    @OptionGroup(title: "Profile") var profile: ProfileOptions
    @OptionGroup(title: "Method") var method: MethodOptions
    @OptionGroup(title: "Data") var data: DataOptions
    @OptionGroup(title: "Network") var network: NetworkOptions
    @OptionGroup(title: "Batches") var batch: BatchOptions
    @OptionGroup(title: "Optimisers") var optimizers: OptimizerOptions
    @OptionGroup(title: "Schedule") var schedule: ScheduleOptions
    @OptionGroup(title: "Regularisers") var regularizers: RegularizerOptions
    @OptionGroup(title: "Storage") var storage: StorageOptions
    @OptionGroup(title: "Text (--dataset ptb)") var text: TextOptions

    /// The profile's preset with every given flag applied.
    func makeConfiguration() -> SearchConfiguration {
        profile.base.overridden(by: [method, data, network, batch, optimizers, schedule, regularizers, storage])
    }

    func validate() throws {
        if data.isText { return try validateText() }
        if let flag = text.given.first { throw ValidationError("\(flag) is a text search setting; it needs --dataset ptb") }
        try makeConfiguration().validateAsFlags()
    }

    func run() throws {
        if data.isText {
            let c = makeTextConfiguration()
            let directory = runDirectory.directory(default: "artifacts/runs/\(c.method)-ptb-s\(c.seed)")
            return try SearchLauncher.start(c, directory: directory, maxSteps: limit.maxSteps)
        }
        let c = makeConfiguration()
        let directory = runDirectory.directory(default: "artifacts/runs/\(c.method)-\(c.dataset.rawValue)-s\(c.seed)")
        try SearchLauncher.start(c, directory: directory, maxSteps: limit.maxSteps)
    }
}
