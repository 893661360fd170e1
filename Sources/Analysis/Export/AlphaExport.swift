// `export RUN alphas`: one row per (step, cell, edge, op). `weight` is act(α), in every history
// row; `alpha` is raw α, which only checkpoints hold (model/alphas_<cell>), so it is empty for
// steps retention deleted. Raw α cannot be recovered from the weights: softmax drops a
// per-edge constant (log weights give α only up to it), and CRB's clamp forgets α outside [0, 1].

import RunStore

public enum AlphaExport {
    public static let columns = ["step", "epoch", "cell", "edge", "from", "to", "op", "alpha", "weight"]

    public static func table(_ source: SearchExportSource) -> ExportTable {
        let space = source.space
        let edges = space.cellEdges
        return ExportTable(columns: columns) { emit in
            for row in source.rows {
                let checkpoint = try source.checkpoint(row.step)
                let epoch = SearchExportSource.epoch(row)
                for cell in space.cellTypes {
                    let weights = try source.weights(cell, in: row)
                    var raw: [Float]?
                    if let checkpoint, let a = try source.matrix("model/" + source.replay.checkpointAlphaKey(cell), in: checkpoint), case let .float32(v) = a.data {
                        raw = v
                    }
                    for e in edges {
                        for (o, op) in space.ops.enumerated() {
                            let i = e.edge * space.ops.count + o
                            try emit([.integer(row.step), epoch, .text(cell), .integer(e.edge), .integer(e.from), .integer(e.to),
                                  .text(op), raw.map { .float($0[i]) } ?? .empty, .float(weights[i])])
                        }
                    }
                }
            }
        }
    }
}
