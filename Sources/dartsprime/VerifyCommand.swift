// `dartsprime verify RUN`: re-hash every stored tensor and check history against checkpoints.
import ArgumentParser
import Foundation
import Training
import RunStore

struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash every stored tensor of a run and report the first problem (exit 1 on any).")

    @Argument(help: "The run directory.") var runDirectory: String

    func run() throws {
        let store = try RunStore.open(at: URL(fileURLWithPath: runDirectory), readOnly: true)
        let report = try store.verify()
        if let problem = report.firstProblem {
            throw RuntimeFailure("\(problem)" + (report.problems.count > 1 ? " (\(report.problems.count - 1) more problems)" : ""))
        }
        StandardStreams.writeLine("ok: \(report.checkpointsChecked) checkpoints, \(report.tensorsChecked) tensors and \(report.historyRows) history rows verified in \(store.url.path)")
    }
}
