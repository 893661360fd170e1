// The wall time a run has computed over all its invocations, kept in status.json as `wall_s`
// (seconds, one decimal): each invocation adds its own time to what the previous status
// recorded. An invocation killed without writing its status (SIGKILL) loses its own share.

import Foundation

struct WallTime {
    /// Seconds recorded by earlier invocations.
    let earlier: Double
    let started = Date()

    init(earlier status: [String: String]?) {
        earlier = status?["wall_s"].flatMap(Double.init) ?? 0
    }

    /// What earlier invocations computed (the status of a run just starting).
    var earlierFields: [String: String] { ["wall_s": Self.format(earlier)] }
    /// Earlier invocations plus this one so far.
    var fields: [String: String] { ["wall_s": Self.format(earlier + Date().timeIntervalSince(started))] }

    static func format(_ seconds: Double) -> String { String(format: "%.1f", seconds) }
}
