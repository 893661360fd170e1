// `dartsprime demo`: what `make run` shows — a short real search on Fashion-MNIST.

import ArgumentParser
import Foundation
import ImageData
import Search
import Training

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the `demo` profile search (DARTS-PRIME on Fashion-MNIST) and show its result.")

    @Option(name: .customLong("run"), help: "Run directory (replaced if it holds an earlier demo).") var runDirectory: String = "artifacts/runs/demo"
    @Option(help: "Method.") var method: String = "prime"

    func run() throws {
        var c = SearchConfiguration.preset(.demo)
        c.dataset = .fashionMNIST
        c.method = method
        let directory = URL(fileURLWithPath: runDirectory)
        // A previous demo is replaced: the demo is a show-case, not an experiment.
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("status.json").path) {
            try? FileManager.default.removeItem(at: directory)
        }
        StopSignals.install()
        FileHandle.standardError.write(Data("demo: \(c.method) on Fashion-MNIST, C=\(c.initChannels) L=\(c.layers), \(c.epochs) epochs on \(c.subset ?? 0) images\n".utf8))
        let outcome = try runReportingErrors {
            try RunKinds.launcher.start(try CNNSearch(configuration: c), directory: directory, maxSteps: nil,
                                        progress: ProgressPrinter().report)
        }
        try finish(outcome, directory: directory)
    }
}
