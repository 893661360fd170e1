// Package-only handles on one search step for the Benchmarks module's checkpoint benchmark.
//
// Why these exist in the library at all: `bench store` times a step and the commit of that
// step's real state separately, which needs the loop's step, checkpoint and history row one by
// one; the public `run(store:)` only offers them fused. They are `package`, not `public`, so no
// client outside this repository sees them; re-point them when the loop is replaced.

import RunStore

extension SearchRunner {
    /// One iteration without committing it (the timed part of a benchmark step).
    package func benchmarkIterate() throws -> StepRecord { try iterate() }

    /// The checkpoint `run(store:)` would commit after `record`.
    package func benchmarkCheckpoint(_ record: StepRecord) throws -> Checkpoint { try checkpoint(record) }

    /// The history row `run(store:)` would commit after `record`.
    package func benchmarkHistoryRow(_ record: StepRecord) -> HistoryRow { historyRow(record) }
}
