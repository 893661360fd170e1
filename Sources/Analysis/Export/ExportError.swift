// Why an export could not be made, as one sentence naming the run, flag or file.

public enum ExportError: Error, CustomStringConvertible, Equatable {
    /// alphas, fimt, genotypes of an evaluation run.
    case evaluationRun(run: String, what: String)
    /// A run kind that has no α (neither a search nor an evaluation).
    case notASearch(run: String, kind: String, what: String)
    /// fimt-traces of a Penn Treebank search: its cell's ops have no weights of their own.
    case noEdgeTraces(run: String)
    case noStepsInRange(run: String, range: String, first: Int?, last: Int?)
    case missingHistoryArray(run: String, step: Int, name: String)
    case checkpointShape(file: String, key: String, shape: [Int], expected: [Int])
    case outputExists(path: String)
    case outputIsDirectory(path: String)
    case outputInsideRun(path: String, run: String)
    case cannotWrite(path: String, reason: String)
    /// Standard output failed; the exit path reports why.
    case outputLost

    public var description: String {
        switch self {
        case let .evaluationRun(run, what):
            return "\(run) is an evaluation run: it has no α, FIMT or genotype search history, so `export \(what)` does not apply (export history does)"
        case let .notASearch(run, kind, what):
            return "\(run) holds a \(kind) run; `export \(what)` reads searches (cnn-search, rnn-search)"
        case let .noEdgeTraces(run):
            return "\(run) is a Penn Treebank search: its cell's ops (tanh, relu, sigmoid, identity) have no weights of their own and node i's W_i serves every input edge, so it records no per-edge FIMT traces (export fimt has its F per step)"
        case let .noStepsInRange(run, range, first, last):
            let held = first.flatMap { f in last.map { "steps \(f)…\($0)" } } ?? "no steps"
            return "--steps \(range) selects no step of \(run) (its history has \(held))"
        case let .missingHistoryArray(run, step, name):
            return "\(run): the history row of step \(step) has no \(name) of the search space's shape"
        case let .checkpointShape(file, key, shape, expected):
            return "\(file): \(key) has shape \(shape), the run's search space needs \(expected)"
        case let .outputExists(path):
            return "--out \(path) already exists (add --force to replace it)"
        case let .outputIsDirectory(path):
            return "--out \(path) is a directory; name the file to write"
        case let .outputInsideRun(path, run):
            return "--out \(path) lies inside the run directory \(run); write exports outside it"
        case let .cannotWrite(path, reason):
            return "cannot write \(path): \(reason)"
        case .outputLost:
            return "standard output was lost"
        }
    }
}
