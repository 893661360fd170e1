// `dartsprime demo`: what `make run` shows — a short real search on Fashion-MNIST.

import ArgumentParser
import Foundation
import Search
import Training

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the `demo` profile search (DARTS-PRIME on Fashion-MNIST) and show its result.",
        discussion: "The run directory (default artifacts/runs/demo) is replaced if it holds an earlier demo.")

    @OptionGroup var runDirectory: RunDirectoryOptions
    @OptionGroup(title: "Method") var method: MethodOptions

    /// The demo profile on Fashion-MNIST with DARTS-PRIME, then the given flags.
    func makeConfiguration() -> SearchConfiguration {
        var c = SearchConfiguration.preset(.demo)
        c.dataset = .fashionMNIST
        c.method = "prime"
        return c.overridden(by: [method])
    }

    func validate() throws {
        try makeConfiguration().validateAsFlags()
    }

    func run() throws {
        let c = makeConfiguration()
        let directory = runDirectory.directory(default: "artifacts/runs/demo")
        // A previous demo is replaced: the demo is a show-case, not an experiment.
        if FileManager.default.fileExists(atPath: directory.appendingPathComponent("status.json").path) {
            try? FileManager.default.removeItem(at: directory)
        }
        FileHandle.standardError.write(Data("demo: \(c.method) on Fashion-MNIST, C=\(c.initChannels) L=\(c.layers), \(c.epochs) epochs on \(c.subset ?? 0) images\n".utf8))
        try SearchLauncher.start(c, directory: directory, maxSteps: nil)
    }
}
