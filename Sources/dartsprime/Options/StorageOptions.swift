// `--keep-last`, `--keep-every`: which full states the run directory keeps (docs/FORMAT.md).

import ArgumentParser
import Search

/// Retention of full checkpoints (every step's history row is always kept).
struct StorageOptions: ConfigurationOptions {
    @Option(name: .customLong("keep-last"), parsing: .unconditional, help: "Full states kept besides epoch ends and every N-th (3).")
    var keepLast: Int?
    @Option(name: .customLong("keep-every"), parsing: .unconditional, help: "Keep the full state of every N-th step (50; 0: none).")
    var keepEvery: Int?

    func apply(to c: inout SearchConfiguration) { applySettings(to: &c) }

    /// Writes the given flags into any configuration with these fields (search or evaluation).
    func applySettings<C: StorageSettings>(to c: inout C) {
        if let v = keepLast { c.keepLast = v }
        if let v = keepEvery { c.keepEvery = v }
    }
}
