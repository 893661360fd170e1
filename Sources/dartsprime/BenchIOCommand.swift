// `dartsprime bench store` and `bench data`: the checkpoint commit's share of a search step, and
// how fast batches are assembled (neither may become the bottleneck of a step).
import ArgumentParser
import Benchmarks
import Foundation
import ImageData
import Search

struct BenchStore: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store", abstract: "Median checkpoint commit time of a real search state, and its share of a step.")

    @Option(help: "Initial channels C.") var initChannels: Int = 4
    @Option(help: "Cells L.") var layers: Int = 5
    @Option(help: "Batch size.") var batchSize: Int = 32
    @Option(help: "Method (decides which optimizer state exists).") var method: String = "darts"
    @Option(help: "Timed commits.") var repetitions: Int = 9
    @Option(help: "Folder for the temporary run.") var directory: String = "artifacts"

    func run() throws {
        var c = SearchConfiguration()
        c.initChannels = initChannels; c.layers = layers; c.batchSize = batchSize; c.method = method
        let r = try CheckpointBenchmark.run(configuration: c, repetitions: repetitions,
                                            directory: URL(fileURLWithPath: directory))
        let commit = Timings.median(r.commitMilliseconds)
        let step = Timings.median(r.stepSeconds)
        print(String(format: "bench store: C=%d L=%d batch=%d method=%@: %d tensors, %.1f MB", initChannels, layers,
                     batchSize, method, r.tensors, Double(r.bytes) / 1e6))
        print(String(format: "commit median %.1f ms (min %.1f), step median %.3f s: commit = %.1f %% of the step",
                     commit, r.commitMilliseconds.min() ?? .nan, step, 100 * commit / 1000 / step))
        print(String(format: "median_commit_ms=%.1f step_s=%.3f share_pct=%.2f", commit, step, 100 * commit / 1000 / step))
    }
}

struct BenchData: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data", abstract: "Images per second of batch assembly (crop, flip, normalise).")

    @Option(help: "Batch size.") var batchSize: Int = 64
    @Option(help: "Batches per sample.") var batches: Int = 300

    func run() throws {
        for (name, augmentation) in [("crop+flip", AugmentationConfig()), ("none", AugmentationConfig.none)] {
            let samples = (0..<5).map { _ in
                ImageDataBenchmark.imagesPerSecond(kind: .cifar10, batchSize: batchSize, batches: batches, augmentation: augmentation)
            }
            print(String(format: "bench data: CIFAR-10 batch %d, augmentation %@: median %.0f images/s over 5 runs",
                         batchSize, name, Timings.median(samples)))
        }
    }
}
