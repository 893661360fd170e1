// The candidate operations of the CNN and recurrent search spaces, in SPEC §1 and §7 order
// (the α column order of `SearchSpace.cnn` and `SearchSpace.recurrent`).

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

/// One candidate activation on a recurrent edge (SPEC §7): `s + σ(c)⊙(f(h) − s)` with f one of
/// these; `none` contributes nothing.
public enum RecurrentOperation: String, CaseIterable, Codable, Sendable {
    case none
    case tanh
    case relu
    case sigmoid
    case identity
}
