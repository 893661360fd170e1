// Hidden `dartsprime store-torture RUN`: commits deterministic steps in a loop so the crash
// test can SIGKILL it mid-write and inspect what survived.
import ArgumentParser
import Benchmarks
import Foundation

struct StoreTortureCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "store-torture", abstract: "Test helper: commit steps until killed.", shouldDisplay: false)

    @Argument var runDirectory: String
    @Option var maxSteps: Int = .max
    /// Negative control for the crash test: write files in place, non-atomically.
    @Flag var nonAtomic = false

    func run() throws {
        try StoreTortureWorkload.run(at: URL(fileURLWithPath: runDirectory), maxSteps: maxSteps, nonAtomic: nonAtomic)
    }
}
