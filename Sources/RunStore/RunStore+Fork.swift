// Forking: a new run that starts from one stored step of this run, carrying the history up to
// it, so a resumed branch never rewrites the original run. It only reads this run (a read-only
// open needs no lock), so an archived read-only run or one being written forks as well.
import Foundation

extension RunStore {
    /// New run at `url` holding this run's config, history rows up to `step` and that checkpoint,
    /// plus `files` (name → text, e.g. the data records). The checkpoint must belong to this
    /// run.json; with history rows lost before `step`, the fork's history starts after the last lost one.
    public func fork(step: Int, into target: URL, files: [String: String] = [:]) throws -> RunStore {
        guard storedSteps.contains(step) else { throw StoreError.missingStep(run: url.path, step: step) }
        let contents = try CheckpointFile.read(checkpointURL(step))
        if let problem = bindingProblem(contents, file: checkpointURL(step)) { throw problem }
        let rows = try contiguousRows(before: step)
        let fork = try RunStore.create(at: target, configurationJSON: configurationJSON,
                                       environment: environment, retention: retention, runKind: runKind, files: files)
        fork.historyFirstStep = rows.first?.step ?? step
        try fork.writeCheckpoint(contents.checkpoint, row: contents.row,
                                 tensorDigests: contents.checkpoint.arrays.mapValues(StateDigest.tensor))
        for row in rows + [contents.row] { try fork.appendHistory(row) }
        return fork
    }
}

extension RunStore {
    /// Whether `target` is `directory` or lies inside it, comparing real paths (symbolic links
    /// resolved as far as the path exists), so a fork cannot be written into its own source.
    public static func isInside(_ target: URL, _ directory: URL) -> Bool {
        let t = realComponents(target), d = realComponents(directory)
        return t.count >= d.count && Array(t.prefix(d.count)) == d
    }

    /// The path's components with its longest existing prefix resolved by realpath(3).
    static func realComponents(_ url: URL) -> [String] {
        var existing = url.standardizedFileURL
        var rest: [String] = []
        while !FileManager.default.fileExists(atPath: existing.path) && existing.pathComponents.count > 1 {
            rest.insert(existing.lastPathComponent, at: 0)
            existing.deleteLastPathComponent()
        }
        let resolved = realpath(existing.path, nil).map { p -> String in
            defer { free(p) }
            return String(cString: p)
        } ?? existing.path
        return URL(fileURLWithPath: resolved).pathComponents + rest
    }
}
