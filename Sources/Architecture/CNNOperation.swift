// The candidate operations of the CNN search space, in SPEC §1 order (the α column order).

/// One candidate operation on an edge. `allCases` order is the column order of every softmax α
/// matrix; CRB drops `none` and keeps the remaining seven in the same order.
public enum CNNOperation: String, CaseIterable, Codable, Sendable {
    case none
    case max_pool_3x3
    case avg_pool_3x3
    case skip_connect
    case sep_conv_3x3
    case sep_conv_5x5
    case dil_conv_3x3
    case dil_conv_5x5

    /// Column names for softmax α (8 ops, `none` first).
    public static let softmaxOps: [CNNOperation] = allCases
    /// Column names for CRB α (7 ops, no `none`).
    public static let crbOps: [CNNOperation] = allCases.filter { $0 != .none }

    /// The op names of an α matrix's columns, as strings, for projection.
    public static func names(crb: Bool) -> [String] {
        (crb ? crbOps : softmaxOps).map(\.rawValue)
    }
}
