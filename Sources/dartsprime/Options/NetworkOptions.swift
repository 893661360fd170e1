// `--init-channels`, `--layers`: the supernet's size, shared by `search` and the benchmarks.

import ArgumentParser
import Search

/// Initial channels C and cells L of the supernet.
struct NetworkOptions: ConfigurationOptions {
    @Option(name: .customLong("init-channels"), parsing: .unconditional, help: "Initial channels C.")
    var initChannels: Int?
    @Option(parsing: .unconditional, help: "Number of cells L.")
    var layers: Int?

    func apply(to c: inout SearchConfiguration) { applySettings(to: &c) }

    /// Writes the given flags into any configuration with these fields (search or evaluation).
    func applySettings<C: NetworkSizeSettings>(to c: inout C) {
        if let v = initChannels { c.initChannels = v }
        if let v = layers { c.layers = v }
    }
}
