// Errors of the training layer; each prints as one sentence.

public enum TrainingError: Error, CustomStringConvertible, Equatable {
    /// A setting a user can get wrong; the message names the flag.
    case invalidConfiguration(String)
    /// A checkpoint or run directory that this build cannot continue.
    case incompatibleCheckpoint(String)
    /// `resume` of a run that already did all its steps (not a failure: callers exit 0).
    case finished(String)
    /// A loss or gradient became non-finite: the step was not committed (exit 65).
    case diverged(String)

    /// A divergence stop: the trainer has already written status.json.
    public var isDivergence: Bool {
        if case .diverged = self { return true }
        return false
    }

    public var description: String {
        switch self {
        case let .invalidConfiguration(m): return "invalid configuration: \(m)"
        case let .incompatibleCheckpoint(m): return m
        case let .finished(m): return m
        case let .diverged(m): return m
        }
    }
}
