// `--run` and `--max-steps`: where a new search writes and how far one invocation goes. Not part
// of the stored configuration (a run is resumed from its directory, for as many steps as asked).

import ArgumentParser
import Foundation

/// The run directory of a command that creates one.
struct RunDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("run"), help: "Run directory (default: artifacts/runs/<method>-<dataset>-s<seed>; demo: artifacts/runs/demo).")
    var runDirectory: String?

    /// The given directory, else `fallback`.
    func directory(default fallback: String) -> URL { URL(fileURLWithPath: runDirectory ?? fallback) }
}

/// Stops one invocation early, as if interrupted (exit 0; `resume` continues).
struct StepLimitOptions: ParsableArguments {
    @Option(name: .customLong("max-steps"), parsing: .unconditional, help: "Stop cleanly after N more iterations.")
    var maxSteps: Int?

    func validate() throws {
        if let n = maxSteps, n < 0 { throw ValidationError("--max-steps must be at least 0, got \(n)") }
    }
}
