// One kept checkpoint read for analysis, problems and all (CheckpointFileReport): audits check a
// step's own digests before re-executing from it, and compare the configuration and
// environment it was written with against run.json and the auditing process.
import Foundation

extension RunStore {
    /// The report of step `step`'s checkpoint file (read-only; never throws for damage).
    public func checkpointReport(step: Int) throws -> CheckpointFileReport {
        guard storedSteps.contains(step) else { throw StoreError.missingStep(run: url.path, step: step) }
        return CheckpointFileReport(inspecting: checkpointURL(step))
    }
}
