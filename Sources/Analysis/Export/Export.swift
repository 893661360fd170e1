// `dartsprime export RUN WHAT`: chooses the table for WHAT and writes it to a sink. `history`
// is the store's own wide export (RunStore/HistoryExport, FORMAT.md §8), sliced by `--steps`;
// the others are the tidy tables of this folder (FORMAT.md "Exports").

import RunStore
import Search

public enum ExportKind: String, CaseIterable, Sendable {
    case alphas, fimt, fimtTraces = "fimt-traces", history, genotypes
}

public enum Export {
    /// Writes `kind` of `store` as `format` to `sink`. `allSteps` applies to genotypes.
    public static func write(_ kind: ExportKind, of store: RunStore, as format: HistoryExportFormat,
                             steps: StepRange = .all, allSteps: Bool = false, to sink: ExportSink) throws {
        if kind == .history {
            try sink.write(HistoryExport.render(try SearchExportSource.rows(of: store, in: steps), as: format))
            return
        }
        try ExportRendering.write(try table(kind, of: store, steps: steps, allSteps: allSteps), as: format, to: sink)
    }

    /// The tidy table of a search export (not `history`, which keeps its wide layout).
    public static func table(_ kind: ExportKind, of store: RunStore, steps: StepRange = .all, allSteps: Bool = false) throws -> ExportTable {
        let source = try SearchExportSource(store: store, what: kind.rawValue, steps: steps)
        if kind == .fimtTraces && store.runKind == RecurrentSearch.kindName { throw ExportError.noEdgeTraces(run: store.url.path) }
        switch kind {
        case .alphas: return AlphaExport.table(source)
        case .fimt: return FIMTExport.table(source)
        case .fimtTraces: return FIMTExport.traces(source)
        case .genotypes: return GenotypeExport.table(source, allSteps: allSteps)
        case .history: preconditionFailure("history is rendered by HistoryExport")
        }
    }
}
