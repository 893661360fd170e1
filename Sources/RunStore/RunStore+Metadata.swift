// What a checkpoint file says about the process that wrote it: its configuration and environment
// (FORMAT.md §3 `/meta`), for audits comparing them with run.json and with the auditing process.
import Foundation

extension RunStore {
    public func checkpointMetadata(step: Int) throws -> (configurationJSON: String, environment: [String: String]) {
        guard storedSteps.contains(step) else { throw StoreError.missingStep(run: url.path, step: step) }
        let contents = try CheckpointFile.read(checkpointURL(step))
        return (contents.configurationJSON, contents.environment)
    }
}
