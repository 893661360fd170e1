// `dartsprime bench rnn`: wall time, token throughput and peak RSS of one first-order recurrent
// search iteration (α step + weight step) on random tokens, as ../shared/ref/torch_rnn_bench.py
// measures it. Last line: `median_s=… tokens_per_s=… peak_rss_mb=…`.
import ArgumentParser
import Benchmarks
import DartsCore
import Foundation
import Training

struct BenchRNN: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rnn", abstract: "Median time and peak RSS of one recurrent search iteration (build with -c release).",
        discussion: "Default size: the paper's (vocabulary 10 000, nhid 300, batch 256, bptt 35). tokens_per_s counts the weight step's batch·bptt training tokens, as the reference does.")

    @Option(parsing: .unconditional, help: "Vocabulary size (ntoken), as torch_rnn_bench.py's NTOKEN.")
    var tokens: Int = 10_000
    @Option(parsing: .unconditional, help: "Hidden and embedding size (nhid = ninp).")
    var hidden: Int = 300
    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Sequences per batch.")
    var batchSize: Int = 256
    @Option(parsing: .unconditional, help: "Tokens per sequence.")
    var bptt: Int = 35
    @Option(parsing: .unconditional, help: "Timed iterations after one warm-up (the median is reported).")
    var iterations: Int = 3

    func validate() throws {
        try SettingChecks.atLeast("--tokens", tokens, 2)
        try SettingChecks.atLeast("--hidden", hidden, 1)
        try SettingChecks.atLeast("--bptt", bptt, 2)
        try BenchSizeChecks.batchAndIterations(batchSize, iterations, command: "bench rnn")
    }

    func run() throws {
        StandardStreams.writeLine("bench rnn: V=\(tokens) nhid=\(hidden) batch=\(batchSize) bptt=\(bptt) iterations=\(iterations)"
              + " threads=\(DartsCore.threadCount)")
        let r = RecurrentStepBenchmark.run(tokens: tokens, hidden: hidden, batchSize: batchSize, bptt: bptt, iterations: iterations)
        for (name, secs) in r.phases {
            StandardStreams.writeLine(name.padding(toLength: 18, withPad: " ", startingAt: 0)
                  + String(format: "median %.3f s  min %.3f s", Timings.median(secs), secs.min() ?? .nan))
        }
        StandardStreams.writeLine(String(format: "cpu_s (user+sys, all threads) median %.3f", Timings.median(r.iterationCPUSeconds)))
        let median = Timings.median(r.iterationSeconds)
        StandardStreams.writeLine(String(format: "median_s=%.3f tokens_per_s=%.0f peak_rss_mb=%.0f", median,
                                         Double(batchSize * bptt) / median, r.peakRSSMegabytes))
    }
}
