// A checkpoint belongs to one run: it stores the configuration and the identity (SHA-256 of
// run.json) of the run it was written for. One whose run.json says otherwise — run.json edited
// after the run started, or the checkpoint copied in from another run — is refused when loaded,
// naming the differing fields, rather than continued with settings its state was not computed
// with. Checkpoints written before they carried the identity are checked on the configuration.
import Foundation

extension RunStore {
    /// Why the checkpoint in `file`, written for `configurationJSON` and `runIdentity` (nil:
    /// none recorded), does not belong to this run; nil when it does.
    func bindingProblem(configurationJSON stored: String, runIdentity storedIdentity: String?, file: URL) -> StoreError? {
        let manifest = url.appendingPathComponent(RunManifest.fileName).path
        if stored != configurationJSON {
            let fields = FieldDifferences.ofJSON(stored, configurationJSON)
            let reason = fields.isEmpty ? "the configuration text differs"
                : "configuration fields differ, checkpoint → run.json: " + fields.map(\.description).joined(separator: "; ")
            return .runMismatch(manifest: manifest, checkpoint: file.path, reason: reason)
        }
        if let id = storedIdentity, !id.isEmpty, id != runIdentity {
            return .runMismatch(manifest: manifest, checkpoint: file.path,
                                reason: "same configuration, but run.json's SHA-256 \(runIdentity.prefix(12))… is not the \(id.prefix(12))… the checkpoint was written for: its retention, environment or run kind differ")
        }
        return nil
    }

    /// `bindingProblem` for checkpoint contents read from `file`.
    func bindingProblem(_ contents: CheckpointFile.Contents, file: URL) -> StoreError? {
        bindingProblem(configurationJSON: contents.configurationJSON, runIdentity: contents.runIdentity, file: file)
    }
}
