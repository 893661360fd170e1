// What `experiment` prints about its grid: the task list (for a scheduler's job array) and the
// summary table, written to DIR/summary.md and DIR/summary.csv (replaced atomically) and printed
// (followed on stdout by Slurm's view of submitted tasks: ExperimentSlurmStatus.swift).

import Foundation
import Analysis
import Training

enum ExperimentReport {
    /// One line per task (`index kind dataset method seed run depends_on`, tab-separated, run
    /// directories absolute), or the list as JSON.
    static func printTasks(_ grid: ExperimentGrid, layout: ExperimentLayout, format: ReportFormat) throws {
        var entries = grid.tasks.map(ExperimentManifest.TaskEntry.init)
        for i in entries.indices { entries[i].run = layout.root.appendingPathComponent(entries[i].run).path }
        switch format {
        case .json: try ReportOutput.printJSON(entries)
        case .text:
            for e in entries {
                StandardStreams.writeLine([String(e.index), e.kind.rawValue, e.dataset, e.method, String(e.seed), e.run,
                                           e.dependsOn.map(String.init) ?? "-"].joined(separator: "\t"))
            }
        }
    }

    /// Reads what exists, writes the summary files and prints the Markdown table on stdout,
    /// then, when the grid was submitted to Slurm, how Slurm sees its tasks (`slurm`).
    @discardableResult
    static func summarise(_ grid: ExperimentGrid, layout: ExperimentLayout,
                          slurm: ExperimentSlurmStatus? = nil) throws -> ExperimentCollection {
        let collection = ExperimentCollection(grid: grid, layout: layout)
        let table = ExperimentTable(collection, grid: grid)
        for (url, text) in [(layout.summaryMarkdown, table.markdown), (layout.summaryCSV, table.csv)] {
            let sink = try AtomicFileSink(url: url, replace: true)
            try sink.write(text)
            try sink.commit()
        }
        StandardStreams.writeLine(table.markdown.trimmingCharacters(in: .newlines))
        for line in (slurm ?? ExperimentSlurmStatus.query(layout))?.lines(collection, layout: layout) ?? [] {
            StandardStreams.writeLine(line)
        }
        StandardStreams.writeError("summary written to \(layout.summaryMarkdown.path) and \(layout.summaryCSV.path)\n")
        return collection
    }
}
