// The candidate operations of the CNN and recurrent search spaces, in SPEC §1 and §7 order
// (the α column order of `SearchSpace.cnn` and `SearchSpace.recurrent`).

/// One candidate operation on a CNN edge (SPEC §1). `allCases` order is the column order of
/// every softmax α matrix; CRB drops `none` and keeps the other seven in the same order
/// (`SearchSpace.cnnWithoutNone`).
public enum CNNOperation: String, CaseIterable, Codable, Sendable {
    case none
    case max_pool_3x3
    case avg_pool_3x3
    case skip_connect
    case sep_conv_3x3
    case sep_conv_5x5
    case dil_conv_3x3
    case dil_conv_5x5
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
