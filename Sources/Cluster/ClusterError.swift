// The one error of the Cluster module: a setting a job script cannot be written with, naming
// the flag (or path) and the problem in one sentence, as the command line prints it.

public enum ClusterError: Error, Equatable, CustomStringConvertible {
    /// `flag` is the command-line flag (`--time`) or the path whose value is refused.
    case invalidSetting(flag: String, reason: String)

    public var description: String {
        switch self {
        case let .invalidSetting(flag, reason): return "\(flag): \(reason)"
        }
    }
}
