// The exit statuses of dartsprime (README.md, "Exit status") and the errors that choose them.

/// What the process returns; schedulers and scripts branch on these.
enum ExitStatus: Int32, Sendable {
    /// Done, also `resume` of a run that had already finished.
    case success = 0
    /// A runtime error: a bad or missing file, a corrupt or incompatible checkpoint, a failed write.
    case failure = 1
    /// Bad flags or usage (EX_USAGE, as ArgumentParser's own parse errors).
    case usage = 64
    /// The run diverged: a loss or gradient became non-finite (EX_DATAERR). The step was not
    /// committed; the newest checkpoint is the last finite step and status.json says `diverged`.
    case diverged = 65
    /// Stopped by SIGINT/SIGTERM after committing its step (EX_TEMPFAIL): requeue and `resume`.
    case stopped = 75
}

/// A runtime failure the command found itself, e.g. a problem `verify` reports (exit 1).
struct RuntimeFailure: Error, CustomStringConvertible {
    var description: String
    init(_ message: String) { description = message }
}

/// A search stopped by a signal after committing `step` (exit 75). Not an error: the line says
/// how to continue.
struct StoppedBySignal: Error, CustomStringConvertible {
    var step: Int
    var directory: String
    var description: String { "stopped after step \(step); continue with: dartsprime resume \(directory)" }
}
