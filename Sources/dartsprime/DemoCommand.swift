// `dartsprime demo`: what `make run` shows — a short real search on Fashion-MNIST, then its
// figures in RUN/plots (as `dartsprime plot RUN` writes them).

import ArgumentParser
import Analysis
import Foundation
import RunStore
import Search
import Training

struct DemoCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the `demo` profile search (DARTS-PRIME on Fashion-MNIST) and show its result.",
        discussion: """
        The run directory: --run DIR (new or empty, as for `search`), else artifacts/runs/demo, or \
        demo-2, demo-3, … when that is taken. Nothing existing is ever replaced or deleted. The \
        run's figures go to RUN/plots (see `dartsprime plot`).
        """)

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
        // Never a folder this process did not create: an earlier demo stays, the next one is numbered.
        let directory = runDirectory.runDirectory.map { URL(fileURLWithPath: $0) }
            ?? Self.freshDirectory(base: URL(fileURLWithPath: "artifacts/runs/demo"))
        try RunStore.checkCreatable(at: directory)  // refused before anything is printed or loaded
        StandardStreams.writeError("demo: \(c.method) on Fashion-MNIST, C=\(c.initChannels) L=\(c.layers), \(c.epochs) epochs on \(c.subset ?? 0) images\n")
        try SearchLauncher.start(c, directory: directory, maxSteps: nil)
        let plots = directory.appendingPathComponent("plots")
        let result = try Plot.write(runs: [directory], to: plots, replace: false)
        PlotCommand.report(result.notes)
        StandardStreams.writeLine("plots: \(result.files.count) files in \(plots.path)")
    }

    /// `base` if it is free (missing or an empty folder), else the first free `base-2`, `base-3`, ….
    static func freshDirectory(base: URL) -> URL {
        func isFree(_ url: URL) -> Bool {
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir) else { return true }
            return isDir.boolValue && (try? FileManager.default.contentsOfDirectory(atPath: url.path))?.isEmpty == true
        }
        if isFree(base) { return base }
        var n = 2
        while !isFree(base.deletingLastPathComponent().appendingPathComponent("\(base.lastPathComponent)-\(n)")) { n += 1 }
        return base.deletingLastPathComponent().appendingPathComponent("\(base.lastPathComponent)-\(n)")
    }
}
