// `export RUN fimt`: the per-step FIMT scalars of the history (F, its moving average F̄, the
// threshold τ after the step's decision, whether an α step was taken, α steps so far), and
// `export RUN fimt-traces`: the per-edge per-op traces Σ(∂L/∂w)² the checkpoints hold
// (fimt/edge_trace_<cell>), in the long layout of the α table, for the steps retention kept.

import RunStore

public enum FIMTExport {
    public static let columns = ["step", "epoch", "epoch_end", "F", "Fbar", "tau", "alpha_step", "alpha_steps_total"]
    public static let traceColumns = ["step", "epoch", "cell", "edge", "from", "to", "op", "trace"]

    public static func table(_ source: SearchExportSource) -> ExportTable {
        ExportTable(columns: columns) { emit in
            for row in source.rows {
                let v = row.values
                try emit([.integer(row.step), SearchExportSource.epoch(row), .integer(row.epochEnd ? 1 : 0),
                          .number(v["F"]), .number(v["Fbar"]), .number(v["tau"]),
                          .wholeNumber(v["alpha_step"]), .wholeNumber(v["alpha_steps_total"])])
            }
        }
    }

    public static func traces(_ source: SearchExportSource) -> ExportTable {
        let space = source.space
        let edges = space.cellEdges
        return ExportTable(columns: traceColumns) { emit in
            for row in source.rows {
                guard let checkpoint = try source.checkpoint(row.step) else { continue }
                let epoch = SearchExportSource.epoch(row)
                for cell in space.cellTypes {
                    guard let a = try source.matrix("fimt/edge_trace_" + cell, in: checkpoint), case let .float64(v) = a.data else { continue }
                    for e in edges {
                        for (o, op) in space.ops.enumerated() {
                            try emit([.integer(row.step), epoch, .text(cell), .integer(e.edge), .integer(e.from), .integer(e.to),
                                      .text(op), .double(v[e.edge * space.ops.count + o])])
                        }
                    }
                }
            }
        }
    }
}
