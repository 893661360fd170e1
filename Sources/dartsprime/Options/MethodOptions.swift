// `--method`, `--seed`: which row of the paper's tables is searched, and from which seed.

import ArgumentParser
import Search

/// The search method (schedule, regulariser, activation, split) and the random seed.
struct MethodOptions: ConfigurationOptions {
    @Option(help: "darts, cs10, fimt, pr, prime, prime+crb, darts+crb, fimt+crb, darts+admm, fimt+admm, fimt+admm+crb.")
    var method: String?
    @Option(parsing: .unconditional, help: "Random seed (the paper uses 101-104).")
    var seed: UInt64?

    func apply(to c: inout SearchConfiguration) {
        if let v = method { c.method = v }
        if let v = seed { c.seed = v }
    }
}
