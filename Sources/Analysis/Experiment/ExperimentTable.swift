// The experiment's summary in the shape of the paper's Tables 1 and 2: per dataset and method,
// the mean ± sample standard deviation (n − 1) over the counted seeds of the error (images) or
// the perplexity (Penn Treebank), parameters, search time and α steps; as Markdown
// (DIR/summary.md, one table per figure) and CSV (DIR/summary.csv), columns in docs/FORMAT.md §12.

import Foundation

public struct ExperimentTable: Equatable, Sendable {
    public struct Row: Equatable, Sendable {
        public var dataset: String
        public var method: String
        /// What the row reports: an error (%) for an image dataset, a perplexity for text.
        public var metric: ExperimentMetric
        /// `evaluation` (test figure of the evaluated cells) or `search` (final α-split error,
        /// or validation perplexity).
        public var errorSource: String
        public var error: SampleStatistics?
        public var perplexity: SampleStatistics?
        public var parametersMillions: SampleStatistics?
        public var searchSeconds: SampleStatistics?
        public var alphaSteps: SampleStatistics?
        /// The seeds whose runs are all finished, and counted.
        public var seeds: [UInt64]
    }

    public var rows: [Row]
    /// Runs not counted: missing, running, interrupted, failed, …
    public var notCounted: [ExperimentRunReport]

    /// One row per (dataset, method) of `grid`, in grid order, over the cells in `values`.
    public init(grid: ExperimentGrid, values: [ExperimentCellValues], notCounted: [ExperimentRunReport]) {
        rows = grid.datasets.flatMap { dataset in
            grid.methods.map { method in
                let cells = values.filter { $0.cell.dataset == dataset && $0.cell.method == method }
                return Row(dataset: dataset.rawValue, method: method, metric: dataset.metric,
                           errorSource: grid.evaluate ? "evaluation" : "search",
                           error: SampleStatistics.of(cells.compactMap(\.errorPercent)),
                           perplexity: SampleStatistics.of(cells.compactMap(\.perplexity)),
                           parametersMillions: SampleStatistics.of(cells.compactMap(\.parametersMillions)),
                           searchSeconds: SampleStatistics.of(cells.compactMap(\.searchSeconds)),
                           alphaSteps: SampleStatistics.of(cells.map { Double($0.alphaSteps) }),
                           seeds: cells.map(\.cell.seed))
            }
        }
        self.notCounted = notCounted
    }

    public init(_ collection: ExperimentCollection, grid: ExperimentGrid) {
        self.init(grid: grid, values: collection.values, notCounted: collection.notFinished)
    }

    public static let csvHeader = "dataset,method,error_source,error_percent_mean,error_percent_std,params_m_mean,params_m_std,"
        + "search_seconds_mean,search_seconds_std,alpha_steps_mean,alpha_steps_std,seeds_counted,seeds,perplexity_mean,perplexity_std"

    /// Full-precision numbers (empty where unknown, std empty below two seeds).
    public var csv: String {
        func pair(_ s: SampleStatistics?) -> String {
            guard let s else { return "," }
            return "\(s.mean),\(s.standardDeviation.map { "\($0)" } ?? "")"
        }
        let lines = rows.map { r in
            [r.dataset, r.method, r.errorSource, pair(r.error), pair(r.parametersMillions), pair(r.searchSeconds),
             pair(r.alphaSteps), String(r.seeds.count), r.seeds.map(String.init).joined(separator: " "), pair(r.perplexity)]
                .joined(separator: ",")
        }
        return ([Self.csvHeader] + lines).joined(separator: "\n") + "\n"
    }

    /// One table per figure (Table 1's error for the image rows, Table 2's perplexity for the
    /// Penn Treebank rows), then the note and the runs not counted.
    public var markdown: String {
        let evaluated = rows.first?.errorSource == "evaluation"
        var out = ""
        for metric in [ExperimentMetric.errorPercent, .perplexity] {
            let group = rows.filter { $0.metric == metric }
            guard !group.isEmpty else { continue }
            let title = switch (metric, evaluated) {
            case (.errorPercent, true): "test error (%)"
            case (.errorPercent, false): "α-split error (%) (search, not evaluated)"
            case (.perplexity, true): "test perplexity"
            case (.perplexity, false): "validation perplexity (search, not evaluated)"
            }
            if !out.isEmpty { out += "\n" }
            out += "| dataset | method | \(title) | params (M) | search time (s) | α steps | seeds |\n"
            out += "|---|---|---|---|---|---|---|\n"
            for r in group {
                let figure = metric == .errorPercent ? r.error : r.perplexity
                out += "| \(r.dataset) | \(r.method) | \(Self.cell(figure, "%.2f")) | \(Self.cell(r.parametersMillions, "%.3f")) | "
                    + "\(Self.cell(r.searchSeconds, "%.1f")) | \(Self.cell(r.alphaSteps, "%.1f")) | \(r.seeds.count) |\n"
            }
        }
        out += "\nmean ± sample standard deviation (n − 1) over the seeds counted; — where unknown or fewer than two seeds.\n"
        if notCounted.isEmpty {
            out += "\nEvery run of the grid is finished.\n"
        } else {
            out += "\nNot counted (\(notCounted.count)):\n\n"
            for r in notCounted {
                out += "- \(r.task.path): \(r.state)\(r.detail.map { " (\(Self.oneLine($0)))" } ?? "")\n"
            }
        }
        return out
    }

    static func cell(_ s: SampleStatistics?, _ format: String) -> String {
        guard let s else { return "—" }
        return String(format: format, s.mean) + " ± " + (s.standardDeviation.map { String(format: format, $0) } ?? "—")
    }

    static func oneLine(_ s: String) -> String { s.split(whereSeparator: \.isNewline).joined(separator: " ") }
}
