// `dartsprime search`: a new CNN architecture search, every step committed to a run directory.

import ArgumentParser
import Foundation
import ImageData
import Search
import Training

extension DatasetKind: ExpressibleByArgument {}
extension SearchProfile: ExpressibleByArgument {}

struct SearchCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "search",
        abstract: "Run a DARTS / DARTS-PRIME architecture search.",
        discussion: """
        Progress goes to stderr; the final genotype (DARTS syntax) to stdout and to the run
        directory. SIGINT/SIGTERM finish and commit the current step, then exit with status 75
        so a scheduler can requeue; `dartsprime resume RUN` continues bit-exactly.
        """)

    @Option(help: "Preset: paper (SPEC defaults), cpu (~1 h on 2 cores), demo (minutes), tiny (seconds).")
    var profile: SearchProfile = .paper
    @Option(help: "Dataset: cifar10, cifar100, fashion-mnist.") var dataset: DatasetKind?
    @Option(help: "Folder holding the dataset files (default: the dataset's usual place).") var data: String?
    @Option(help: "darts, cs10, fimt, pr, prime, prime+crb, darts+crb, fimt+crb, darts+admm, fimt+admm, fimt+admm+crb.")
    var method: String?
    @Option(help: "Random seed (the paper uses 101-104).") var seed: UInt64?
    @Option(help: "Search epochs.") var epochs: Int?
    @Option(name: .customLong("init-channels"), help: "Initial channels C.") var initChannels: Int?
    @Option(help: "Number of cells L.") var layers: Int?
    @Option(name: .customLong("batch-size"), help: "Batch size of both splits.") var batchSize: Int?
    @Option(help: "Use only the first N training images.") var subset: Int?
    @Flag(name: .customLong("no-augment"), help: "Turn off crop and flip.") var noAugment = false
    @Option(name: .customLong("max-steps"), help: "Stop cleanly after N iterations, as if interrupted.") var maxSteps: Int?
    @Option(name: .customLong("run"), help: "Run directory (default: artifacts/runs/<method>-<dataset>-s<seed>).") var runDirectory: String?
    @Flag(name: .customLong("second-order"), help: "DARTS unrolled (second-order) architecture gradient.") var secondOrder = false
    @Option(name: .customLong("lr"), help: "Weight learning rate (0.025).") var learningRate: Double?
    @Option(name: .customLong("lr-min"), help: "Final cosine learning rate (0.001).") var learningRateMin: Double?
    @Option(name: .customLong("momentum"), help: "SGD momentum (0.9).") var momentum: Double?
    @Option(name: .customLong("weight-decay"), help: "SGD weight decay (3e-4).") var weightDecay: Double?
    @Option(name: .customLong("grad-clip"), help: "Total-norm gradient clip (5).") var gradClip: Double?
    @Option(name: .customLong("arch-lr"), help: "Adam learning rate for α (3e-4).") var archLearningRate: Double?
    @Option(name: .customLong("arch-weight-decay"), help: "Adam L2 weight decay for α (1e-3; 0 with CRB).") var archWeightDecay: Double?
    @Option(name: .customLong("step-ratio"), help: "Expected weight steps per α step r (10).") var stepRatio: Int?
    @Option(name: .customLong("tau0"), help: "FIMT initial threshold τ0 (1.0).") var tau0: Double?
    @Option(name: .customLong("gamma-inc"), help: "FIMT threshold increase factor (1.05).") var gammaInc: Double?
    @Option(name: .customLong("fimt-beta"), help: "FIMT moving-average weight β (0.2).") var fimtBeta: Double?
    @Option(name: .customLong("train-fraction"), help: "Override the train/α split fraction p.") var trainFraction: Double?
    @Option(help: "Proximity / ADMM ρ (0.1).") var rho: Double?
    @Option(name: .customLong("admm-freq"), help: "α steps between ADMM updates (10).") var admmFrequency: Int?
    @Option(name: .customLong("admm-discount"), help: "ADMM dual discount γ (1.0).") var admmDiscount: Double?
    @Option(name: .customLong("keep-last"), help: "Full states kept besides epoch ends and every N-th.") var keepLast: Int?
    @Option(name: .customLong("keep-every"), help: "Keep the full state of every N-th step (0: none).") var keepEvery: Int?

    func makeConfiguration() -> SearchConfiguration {
        var c = SearchConfiguration.preset(profile)
        if let v = dataset { c.dataset = v }
        if let v = data { c.dataDirectory = v }
        if let v = method { c.method = v }
        if let v = seed { c.seed = v }
        if let v = epochs { c.epochs = v }
        if let v = initChannels { c.initChannels = v }
        if let v = layers { c.layers = v }
        if let v = batchSize { c.batchSize = v }
        if let v = subset { c.subset = v }
        if noAugment { c.augment = false }
        if secondOrder { c.secondOrder = true }
        if let v = learningRate { c.learningRate = v }
        if let v = learningRateMin { c.learningRateMin = v }
        if let v = momentum { c.momentum = v }
        if let v = weightDecay { c.weightDecay = v }
        if let v = gradClip { c.gradientClip = v }
        if let v = archLearningRate { c.archLearningRate = v }
        if let v = archWeightDecay { c.archWeightDecay = v }
        if let v = stepRatio { c.stepRatio = v }
        if let v = tau0 { c.fimtTau0 = v }
        if let v = gammaInc { c.fimtGammaIncrease = v }
        if let v = fimtBeta { c.fimtBeta = v }
        if let v = trainFraction { c.trainFraction = v }
        if let v = rho { c.rho = v }
        if let v = admmFrequency { c.admmFrequency = v }
        if let v = admmDiscount { c.admmDiscount = v }
        if let v = keepLast { c.keepLast = v }
        if let v = keepEvery { c.keepEvery = v }
        return c
    }

    func run() throws {
        let c = makeConfiguration()
        let directory = URL(fileURLWithPath: runDirectory ?? "artifacts/runs/\(c.method)-\(c.dataset.rawValue)-s\(c.seed)")
        StopSignals.install()
        let outcome = try runReportingErrors {
            try RunKinds.launcher.start(try CNNSearch(configuration: c), directory: directory, maxSteps: maxSteps,
                                        progress: ProgressPrinter().report)
        }
        try finish(outcome, directory: directory)
    }
}

/// The run kinds this build can start and resume.
enum RunKinds {
    static var launcher: RunLauncher { RunLauncher(kinds: [CNNSearch.self]) }
}

/// Prints the outcome and exits with the documented status.
func finish(_ outcome: RunOutcome, directory: URL) throws {
    switch outcome {
    case let .finished(summary):
        print(summary)
        FileHandle.standardError.write(Data("run finished; artifacts in \(directory.path)\n".utf8))
    case let .stopped(step):
        FileHandle.standardError.write(Data("stopped after step \(step); continue with: dartsprime resume \(directory.path)\n".utf8))
        if StopSignals.stopRequested { throw ExitCode(StopSignals.preemptedExitStatus) }
    }
}

/// A bad flag value: one line on stderr (no usage block) and exit status 64 (EX_USAGE), the
/// status ArgumentParser gives its own parse errors.
func flagError(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("error: \(message)\n".utf8))
    return ExitCode.validationFailure
}

/// Runs `body`; a failure becomes one line on stderr and exit status 1.
func runReportingErrors<T>(_ body: () throws -> T) throws -> T {
    do { return try body() } catch let e as ExitCode { throw e } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode.failure
    }
}
