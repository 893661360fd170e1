// `--batch-size`: images per training and α batch, shared by `search` and the benchmarks.
//
// Apart from the schedule group because the benchmarks time one batch and nothing else of a
// schedule; the evaluation batch size, which only a search has, is in ScheduleOptions.

import ArgumentParser
import Search

/// The batch size of both splits.
struct BatchOptions: ConfigurationOptions {
    @Option(name: .customLong("batch-size"), parsing: .unconditional, help: "Batch size of both splits.")
    var batchSize: Int?

    func apply(to c: inout SearchConfiguration) { applySettings(to: &c) }

    /// Writes the given flags into any configuration with these fields (search or evaluation).
    func applySettings<C: BatchSettings>(to c: inout C) {
        if let v = batchSize { c.batchSize = v }
    }
}
