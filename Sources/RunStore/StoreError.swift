// Errors of the run store: each prints as one sentence naming the file and the problem.

public enum StoreError: Error, CustomStringConvertible, Equatable, Sendable {
    case missingRun(path: String)
    case runExists(path: String)
    /// `create` over a folder that already holds a run (its run.json).
    case existingRun(path: String)
    case notOurs(file: String, reason: String)
    case newerFormat(file: String, found: Int64, supported: Int64)
    case unreadable(file: String, reason: String)
    case digestMismatch(file: String, key: String)
    case missingStep(run: String, step: Int)
    case stepNotAfterLatest(run: String, step: Int, latest: Int)
    case invalidKey(key: String, reason: String)
    case invalidName(name: String)
    case locked(path: String)
    case io(file: String, reason: String)
    case historyMismatch(file: String, reason: String)
    /// A checkpoint written for another run.json than the run's (run.json edited, or the
    /// checkpoint copied in from another run): `reason` names the differing fields.
    case runMismatch(manifest: String, checkpoint: String, reason: String)
    /// History rows that neither a segment nor a kept checkpoint holds (`reason` says which and
    /// how the run can still be continued).
    case historyLost(file: String, reason: String)

    public var description: String {
        switch self {
        case .missingRun(let p): "\(p): no run directory here (missing run.json)."
        case .runExists(let p): "\(p): a run directory must be new or empty, and this one is not."
        case .existingRun(let p): "\(p): already holds a run; continue it with `dartsprime resume \(p)` or choose a new folder."
        case .notOurs(let f, let r): "\(f): not a dartsprime store file (\(r))."
        case .newerFormat(let f, let found, let s):
            "\(f): written by a newer dartsprime (format version \(found), this build reads up to \(s))."
        case .unreadable(let f, let r): "\(f): truncated or corrupt (\(r))."
        case .digestMismatch(let f, let k): "\(f): SHA-256 digest mismatch for '\(k)'; the stored data is corrupt."
        case .missingStep(let r, let s): "\(r): step \(s) has no full state on disk (pruned or never committed)."
        case .stepNotAfterLatest(let r, let s, let l): "\(r): cannot commit step \(s), the latest committed step is \(l)."
        case .invalidKey(let k, let r): "invalid store key '\(k)': \(r)."
        case .invalidName(let n): "invalid artifact name '\(n)': it must be a plain file name not used by the store."
        case .locked(let p): "\(p): another process holds this run open for writing."
        case .io(let f, let r): "\(f): \(r)."
        case .historyMismatch(let f, let r): "\(f): history does not match the checkpoints (\(r))."
        case .runMismatch(let m, let c, let r):
            "\(m) does not match \(c) (\(r)); run.json was edited or the checkpoint was copied from another run."
        case .historyLost(let f, let r): "\(f): \(r)."
        }
    }
}
