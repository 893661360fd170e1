// `dartsprime bench eval`: wall time and peak RSS of one training iteration of the DARTS_V2
// evaluation network (auxiliary head, drop path 0.1, CE + 0.4·CE_aux, backward, clip, SGD) on
// synthetic data, as ../shared/ref/torch_eval_bench.py measures it. Last line:
// `median_s=… peak_rss_mb=…`.
import ArgumentParser
import DartsCore
import Benchmarks
import Evaluation
import Foundation
import Training

struct BenchEval: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval", abstract: "Median time and peak RSS of one evaluation-network training iteration.",
        discussion: "Default size: the paper's (C=36, L=20, batch 96); the network and batch flags are those of `evaluate`.")

    @OptionGroup(title: "Network") var network: NetworkOptions
    @OptionGroup(title: "Batches") var batch: BatchOptions

    @Option(parsing: .unconditional, help: "Timed iterations after one warm-up (the median is reported).")
    var iterations: Int = 3

    /// The paper's evaluation size with the given flags applied.
    var size: EvaluationRunConfiguration {
        var c = EvaluationRunConfiguration.preset(.paper)
        network.applySettings(to: &c)
        batch.applySettings(to: &c)
        return c
    }

    func validate() throws {
        let c = size
        try c.validateAsFlags(includingData: false)
        try BenchSizeChecks.batchAndIterations(c.batchSize, iterations, command: "bench eval")
    }

    func run() throws {
        let c = size
        StandardStreams.writeLine("bench eval: DARTS_V2 C=\(c.initChannels) L=\(c.layers) batch=\(c.batchSize) iterations=\(iterations)"
              + " threads=\(DartsCore.threadCount)")
        let result = EvaluationBenchmark.run(channels: c.initChannels, layers: c.layers, batchSize: c.batchSize,
                                        iterations: iterations)
        let r = result.timings
        for (name, secs) in r.phases {
            StandardStreams.writeLine(name.padding(toLength: 18, withPad: " ", startingAt: 0)
                  + String(format: "median %.3f s  min %.3f s", Timings.median(secs), secs.min() ?? .nan))
        }
        StandardStreams.writeLine(String(format: "parameters %d; cpu_s (user+sys, all threads) median %.3f", result.parameters,
                     Timings.median(r.iterationCPUSeconds)))
        StandardStreams.writeLine(String(format: "median_s=%.3f peak_rss_mb=%.0f", Timings.median(r.iterationSeconds),
                     r.peakRSSMegabytes))
    }
}
