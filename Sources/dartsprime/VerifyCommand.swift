// `dartsprime verify RUN`: re-hash every stored tensor and check history against checkpoints.
import ArgumentParser
import Foundation
import Training
import RunStore
import Training

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash every stored tensor of a run and report every problem, one line each (exit 1 on any).")

    @Argument(help: "The run directory.") var runDirectory: String

    func run() throws {
        let store = try RunStore.open(at: URL(fileURLWithPath: runDirectory), readOnly: true)
        let report = try store.verify()
        for note in report.notes { StandardStreams.writeLine("note: \(note)") }
        // One line per problem (each names its file); the last goes through the exit path.
        if let last = report.problems.last {
            for problem in report.problems.dropLast() { StandardStreams.writeError("error: \(problem)\n") }
            throw RuntimeFailure("\(last)")
        }
        StandardStreams.writeLine("ok: \(report.checkpointsChecked) checkpoints, \(report.tensorsChecked) tensors and \(report.historyRows) history rows verified in \(store.url.path)")
    }
}
