// `dartsprime bench step`: wall time and peak RSS of one first-order search iteration (α step
// on a validation batch, weight step on a training batch) on synthetic data, as PyTorch's
// ../shared/ref/torch_step_bench.py measures it. Last line: `median_s=… peak_rss_mb=…`.
import ArgumentParser
import Benchmarks
import DartsCore
import Foundation
import Training
import Search

struct BenchStep: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "step", abstract: "Median time and peak RSS of one search iteration (build with -c release).",
        discussion: "Default size: the paper's (C=16, L=8, batch 64); the network and batch flags are those of `search`.")

    @OptionGroup(title: "Network") var network: NetworkOptions
    @OptionGroup(title: "Batches") var batch: BatchOptions

    @Option(parsing: .unconditional, help: "Timed iterations after one warm-up (the median is reported).")
    var iterations: Int = 5

    @Flag(help: "Time the weight step alone (no α step), as FIMT schedules mostly run.")
    var weightOnly = false

    /// The paper's size with the given flags applied.
    var size: SearchConfiguration { SearchConfiguration.preset(.paper).overridden(by: [network, batch]) }

    func validate() throws {
        let c = size
        try c.validateAsFlags(includingData: false)
        try BenchSizeChecks.evenChannels(c.initChannels, command: "bench step")
        try BenchSizeChecks.batchAndIterations(c.batchSize, iterations, command: "bench step")
    }

    func run() throws {
        let c = size
        StandardStreams.writeLine("bench step: C=\(c.initChannels) L=\(c.layers) batch=\(c.batchSize) iterations=\(iterations)"
              + (weightOnly ? " weight-only" : "") + " threads=\(DartsCore.threadCount)")
        let r = StepBenchmark.run(channels: c.initChannels, layers: c.layers, batchSize: c.batchSize,
                                  iterations: iterations, weightOnly: weightOnly)
        for (name, secs) in r.phases {
            StandardStreams.writeLine(name.padding(toLength: 18, withPad: " ", startingAt: 0)
                  + String(format: "median %.3f s  min %.3f s", Timings.median(secs), secs.min() ?? .nan))
        }
        StandardStreams.writeLine(String(format: "cpu_s (user+sys, all threads) median %.3f", Timings.median(r.iterationCPUSeconds))
              + "; load average at end " + loadAverage())
        StandardStreams.writeLine(String(format: "median_s=%.3f peak_rss_mb=%.0f", Timings.median(r.iterationSeconds),
                     r.peakRSSMegabytes))
    }
}

/// The 1-minute load average (/proc/loadavg): on a shared machine, context for the wall times.
private func loadAverage() -> String {
    guard let t = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "?" }
    return String(t.split(separator: " ").first ?? "?")
}
