// Forking: a new run that starts from one stored step of this run, carrying the history up to
// it, so a resumed branch never rewrites the original run.
import Foundation

extension RunStore {
    /// New run at `url` holding this run's config, history rows up to `step` and that checkpoint.
    public func fork(step: Int, into target: URL) throws -> RunStore {
        guard storedSteps.contains(step) else { throw StoreError.missingStep(run: url.path, step: step) }
        let contents = try CheckpointFile.read(checkpointURL(step))
        let rows = try history().filter { $0.step < step }
        let fork = try RunStore.create(at: target, configurationJSON: configurationJSON,
                                       environment: environment, retention: retention, runKind: runKind)
        try fork.writeCheckpoint(contents.checkpoint, row: contents.row,
                                 tensorDigests: contents.checkpoint.arrays.mapValues(StateDigest.tensor))
        for row in rows + [contents.row] { try fork.appendHistory(row) }
        return fork
    }
}
