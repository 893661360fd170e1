// `dartsprime export RUN history --format csv|json`: the per-step history as text on stdout.
import ArgumentParser
import Foundation
import RunStore
import Training

extension HistoryExportFormat: ExpressibleByArgument {}

struct ExportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export",
        abstract: "Print a run's per-step history (one row per step, with a state_digest column).")

    enum What: String, CaseIterable, ExpressibleByArgument { case history }

    @Argument(help: "The run directory.") var runDirectory: String
    @Argument(help: "What to export: history.") var what: What
    @Option(help: "Output format: csv or json.") var format: HistoryExportFormat = .csv

    func run() throws {
        let store = try RunStore.open(at: URL(fileURLWithPath: runDirectory), readOnly: true)
        let text = HistoryExport.render(try store.history(), as: format)
        StandardStreams.write(text)
    }
}
