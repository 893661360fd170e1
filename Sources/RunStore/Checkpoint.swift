// What one committed search step hands the store: its full state, its history row, and the
// policy deciding which full states stay on disk.

/// One committed step's full state. Keys are slash paths, e.g. "model/stem.0.weight",
/// "model/alphas_normal", "optimizer/sgd/momentum/<name>", "fimt/edge_trace_normal"
/// (docs/SEARCH_STATE.md lists a search's). Scalars (counters, clock, τ, lr ...) go in `scalars`
/// (Double) or `integers` (Int64), strings in `strings`.
public struct Checkpoint: Sendable, Equatable {
    public var step: Int
    public var arrays: [String: StoredArray]
    public var scalars: [String: Double]
    public var integers: [String: Int64]
    public var strings: [String: String]

    public init(step: Int, arrays: [String: StoredArray] = [:], scalars: [String: Double] = [:],
                integers: [String: Int64] = [:], strings: [String: String] = [:]) {
        self.step = step; self.arrays = arrays; self.scalars = scalars; self.integers = integers; self.strings = strings
    }

    /// Bitwise equality (NaN scalars equal themselves), so "resumes bit-exactly" is checkable.
    public static func == (a: Checkpoint, b: Checkpoint) -> Bool {
        a.step == b.step && a.arrays == b.arrays && a.integers == b.integers && a.strings == b.strings
            && a.scalars.mapValues(\.bitPattern) == b.scalars.mapValues(\.bitPattern)
    }
}

/// One row of the never-pruned per-step history.
public struct HistoryRow: Sendable, Equatable {
    public var step: Int
    /// epoch, losses, accuracies, F, Fbar, tau, alpha_step (0/1), lr, reg ...
    public var values: [String: Double]
    /// e.g. activated alphas; fixed shape per run.
    public var arrays: [String: StoredArray]
    /// Whole-state digest of the step's checkpoint; filled by the store on commit.
    public var stateDigest: String
    /// Whether the step ended an epoch (the store fills it from `commit(_:history:epochEnd:)`).
    public var epochEnd: Bool
    /// SHA-256 over the row itself (`StateDigest.row`), filled by the store on commit and
    /// checked by `verify`; empty for rows written before row digests existed. Derived, so not
    /// part of `==`.
    public var rowDigest: String = ""

    public init(step: Int, values: [String: Double] = [:], arrays: [String: StoredArray] = [:],
                stateDigest: String = "", epochEnd: Bool = false) {
        self.step = step; self.values = values; self.arrays = arrays; self.stateDigest = stateDigest; self.epochEnd = epochEnd
    }

    public static func == (a: HistoryRow, b: HistoryRow) -> Bool {
        a.step == b.step && a.arrays == b.arrays && a.stateDigest == b.stateDigest && a.epochEnd == b.epochEnd
            && a.values.mapValues(\.bitPattern) == b.values.mapValues(\.bitPattern)
    }
}

/// Which full states survive pruning. History rows are never pruned.
public struct RetentionPolicy: Codable, Sendable, Equatable {
    /// The newest `keepLast` full states are always kept (at least 1: the resume point).
    public var keepLast: Int
    /// Keep every step that ended an epoch.
    public var keepEpochEnds: Bool
    /// Keep every step divisible by this; 0 keeps none this way.
    public var everyNth: Int

    public init(keepLast: Int = 3, keepEpochEnds: Bool = true, everyNth: Int = 50) {
        self.keepLast = max(1, keepLast); self.keepEpochEnds = keepEpochEnds; self.everyNth = max(0, everyNth)
    }

    /// The steps to keep among `stored` (ascending), given which of them ended an epoch.
    public func kept(stored: [Int], epochEnds: Set<Int>) -> Set<Int> {
        var keep = Set(stored.suffix(max(1, keepLast)))
        for s in stored {
            if keepEpochEnds && epochEnds.contains(s) { keep.insert(s) }
            if everyNth > 0 && s % everyNth == 0 { keep.insert(s) }
        }
        return keep
    }
}
