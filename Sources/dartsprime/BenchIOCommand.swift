// `dartsprime bench store` and `bench data`: the checkpoint commit's share of a search step, and
// how fast batches are assembled (neither may become the bottleneck of a step).
import ArgumentParser
import Benchmarks
import Foundation
import Training
import ImageData
import Search

struct BenchStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Median checkpoint commit time of a real search state, and its share of a step.",
        discussion: "Default: C=4, L=5, batch 32, darts (the demo size); the network, batch and method flags are those of `search`.")

    @OptionGroup(title: "Network") var network: NetworkOptions
    @OptionGroup(title: "Batches") var batch: BatchOptions
    @OptionGroup(title: "Method (decides which optimizer state exists)") var method: MethodOptions
    @Option(parsing: .unconditional, help: "Timed commits.") var repetitions: Int = 9
    @Option(help: "Folder for the temporary run.") var directory: String = "artifacts"

    /// The benchmark's own default size with the given flags applied (50 epochs, as the paper's
    /// learning-rate schedule; the data settings are unused).
    var size: SearchConfiguration {
        var c = SearchConfiguration()
        c.initChannels = 4; c.layers = 5; c.batchSize = 32
        return c.overridden(by: [network, batch, method])
    }

    func validate() throws {
        try size.validateAsFlags(includingData: false)
        guard repetitions >= 1 else { throw ValidationError("bench store: --repetitions must be at least 1, got \(repetitions)") }
    }

    func run() throws {
        let c = size
        let r = try CheckpointBenchmark.run(configuration: c, repetitions: repetitions,
                                            directory: URL(fileURLWithPath: directory))
        let commit = Timings.median(r.commitMilliseconds)
        let step = Timings.median(r.stepSeconds)
        StandardStreams.writeLine(String(format: "bench store: C=%d L=%d batch=%d method=%@: %d tensors, %.1f MB", c.initChannels, c.layers,
                     c.batchSize, c.method, r.tensors, Double(r.bytes) / 1e6))
        StandardStreams.writeLine(String(format: "commit median %.1f ms (min %.1f), step median %.3f s: commit = %.1f %% of the step",
                     commit, r.commitMilliseconds.min() ?? .nan, step, 100 * commit / 1000 / step))
        StandardStreams.writeLine(String(format: "median_commit_ms=%.1f step_s=%.3f share_pct=%.2f", commit, step, 100 * commit / 1000 / step))
    }
}

struct BenchData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Images per second of batch assembly (crop, flip, normalise).",
        discussion: "Default batch: the paper's 64.")

    @OptionGroup(title: "Batches") var batch: BatchOptions
    @Option(parsing: .unconditional, help: "Batches per sample.") var batches: Int = 300

    var batchSize: Int { SearchConfiguration.preset(.paper).overridden(by: [batch]).batchSize }

    func validate() throws {
        try SearchConfiguration.preset(.paper).overridden(by: [batch]).validateAsFlags(includingData: false)
        guard batches >= 1 else { throw ValidationError("bench data: --batches must be at least 1, got \(batches)") }
    }

    func run() throws {
        for (name, augmentation) in [("crop+flip", AugmentationConfig()), ("none", AugmentationConfig.none)] {
            let samples = (0..<5).map { _ in
                ImageDataBenchmark.imagesPerSecond(kind: .cifar10, batchSize: batchSize, batches: batches, augmentation: augmentation)
            }
            StandardStreams.writeLine(String(format: "bench data: CIFAR-10 batch %d, augmentation %@: median %.0f images/s over 5 runs",
                         batchSize, name, Timings.median(samples)))
        }
    }
}
