// Reads what exists of an experiment's runs, without changing them: each task's state (missing,
// running, interrupted, stopped, preempted, finished, failed, diverged, unreadable) and, for
// the cells whose every run is finished, the values the summary table aggregates. Runs are read
// through RunSummary (state, evaluation.json) and the run's history.

import Foundation
import RunStore

/// How one task's run stands.
public struct ExperimentRunReport: Equatable, Sendable {
    public var task: ExperimentTask
    /// `missing` (no run.json), `unreadable` (the run cannot be read), or RunSummary's state.
    public var state: String
    /// Why it is unreadable, or the error status.json records.
    public var detail: String?

    public var isFinished: Bool { state == "finished" }

    public init(task: ExperimentTask, state: String, detail: String? = nil) {
        self.task = task; self.state = state; self.detail = detail
    }
}

/// The values of one counted cell (all its runs finished).
public struct ExperimentCellValues: Equatable, Sendable {
    public var cell: ExperimentGrid.Cell
    /// Image cells: test error (%) from evaluation.json, else the search's final α-split error (%).
    public var errorPercent: Double?
    /// Penn Treebank cells: test perplexity from evaluation.json, else the search's final
    /// validation perplexity.
    public var perplexity: Double?
    public var parametersMillions: Double?
    /// Wall seconds the search computed (status.json `wall_seconds`), when recorded.
    public var searchSeconds: Double?
    /// α steps over the search (history rows with `alpha_step` 1).
    public var alphaSteps: Int

    public init(cell: ExperimentGrid.Cell, errorPercent: Double? = nil, perplexity: Double? = nil, parametersMillions: Double?,
                searchSeconds: Double?, alphaSteps: Int) {
        self.cell = cell; self.errorPercent = errorPercent; self.perplexity = perplexity; self.parametersMillions = parametersMillions
        self.searchSeconds = searchSeconds; self.alphaSteps = alphaSteps
    }
}

public struct ExperimentCollection: Sendable {
    public var reports: [ExperimentRunReport]
    public var values: [ExperimentCellValues]

    /// Reads every task of `grid` under `layout`.
    public init(grid: ExperimentGrid, layout: ExperimentLayout) {
        var reports: [ExperimentRunReport] = []
        var summaries: [Int: RunSummary] = [:]
        for task in grid.tasks {
            let directory = layout.directory(of: task)
            guard FileManager.default.fileExists(atPath: directory.appendingPathComponent("run.json").path) else {
                reports.append(ExperimentRunReport(task: task, state: "missing")); continue
            }
            do {
                let summary = try RunSummary(directory: directory)
                summaries[task.index] = summary
                reports.append(ExperimentRunReport(task: task, state: summary.state, detail: summary.status["error"]))
            } catch {
                reports.append(ExperimentRunReport(task: task, state: "unreadable", detail: "\(error)"))
            }
        }
        var values: [ExperimentCellValues] = []
        for search in grid.tasks where search.kind == .search {
            let evaluation = grid.tasks.first { $0.kind == .evaluation && $0.dependsOn == search.index }
            let cellTasks = [search] + (evaluation.map { [$0] } ?? [])
            guard cellTasks.allSatisfy({ reports[$0.index].isFinished }), let s = summaries[search.index] else { continue }
            do {
                values.append(try Self.values(search: s, evaluation: evaluation.flatMap { summaries[$0.index] },
                                              cell: search.cell))
            } catch {
                reports[search.index].state = "unreadable"
                reports[search.index].detail = "\(error)"
            }
        }
        self.reports = reports
        self.values = values
    }

    /// The tasks not counted in the table (anything but finished).
    public var notFinished: [ExperimentRunReport] { reports.filter { !$0.isFinished } }

    /// One cell's values from its finished search (and evaluation, when the grid evaluates).
    static func values(search: RunSummary, evaluation: RunSummary?, cell: ExperimentGrid.Cell) throws -> ExperimentCellValues {
        let store = try RunStore.open(at: URL(fileURLWithPath: search.directory), readOnly: true)
        defer { store.close() }
        let history = try store.history()
        let alphaSteps = history.filter { $0.step > 0 && $0.values["alpha_step"] == 1 }.count
        let seconds = search.status["wall_seconds"].flatMap(Double.init)
        if let evaluation {
            let file = evaluation.directory + "/evaluation.json"
            switch cell.dataset.metric {
            case .errorPercent:
                guard let result = evaluation.evaluation else { throw ExperimentError.unreadable(path: file, reason: "is missing or unreadable") }
                return ExperimentCellValues(cell: cell, errorPercent: result.testError, parametersMillions: result.parametersMillions,
                                            searchSeconds: seconds, alphaSteps: alphaSteps)
            case .perplexity:
                guard let result = evaluation.textEvaluation else { throw ExperimentError.unreadable(path: file, reason: "is missing or unreadable") }
                return ExperimentCellValues(cell: cell, perplexity: result.testPerplexity, parametersMillions: result.parametersMillions,
                                            searchSeconds: seconds, alphaSteps: alphaSteps)
            }
        }
        let lastEpoch = history.last(where: \.epochEnd)?.values
        switch cell.dataset.metric {
        case .errorPercent:
            guard let accuracy = lastEpoch?["valid_acc"], accuracy.isFinite else {
                throw ExperimentError.unreadable(path: search.directory, reason: "has no epoch end with an α-split accuracy (valid_acc)")
            }
            return ExperimentCellValues(cell: cell, errorPercent: (1 - accuracy) * 100, parametersMillions: nil,
                                        searchSeconds: seconds, alphaSteps: alphaSteps)
        case .perplexity:
            guard let perplexity = lastEpoch?["valid_ppl"], perplexity.isFinite else {
                throw ExperimentError.unreadable(path: search.directory, reason: "has no epoch end with a validation perplexity (valid_ppl)")
            }
            return ExperimentCellValues(cell: cell, perplexity: perplexity, parametersMillions: nil, searchSeconds: seconds, alphaSteps: alphaSteps)
        }
    }
}
