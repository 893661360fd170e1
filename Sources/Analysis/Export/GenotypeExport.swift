// `export RUN genotypes`: the genotype Replay derives (the projection of SPEC §4 on the
// history's activated α) at every epoch end, or at every step with `allSteps`. `changed` is
// computed over the whole run before `--steps` slices it: relative to the previous epoch end
// (the first epoch end: 0), or with `allSteps` to the previous step (step 0: 0).

public enum GenotypeExport {
    public static let columns = ["step", "epoch", "epoch_end", "changed", "genotype"]

    public static func table(_ source: SearchExportSource, allSteps: Bool) -> ExportTable {
        ExportTable(columns: columns) { emit in
            let every = try source.replay.allSteps()
            let rows = allSteps ? every : Replay.epochEnds(of: every)
            for r in rows where source.range.contains(r.step) {
                try emit([.integer(r.step), .integer(r.epoch), .integer(r.epochEnd ? 1 : 0), .integer(r.changed ? 1 : 0),
                          .text(r.genotype.description)])
            }
        }
    }
}
