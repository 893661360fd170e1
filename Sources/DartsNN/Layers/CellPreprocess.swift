// The preprocessing of a cell's inputs (SPEC §1, §6), the same in both networks but for affine.

import DartsCore

/// What a cell applies to an input before its nodes see it: FactorizedReduce for the
/// cell-two-back input when the previous cell halved the resolution (so both inputs meet at
/// the same size), ReLUConvBN otherwise. `preprocess0` and `preprocess1` in DARTS's names.
public enum CellPreprocess {
    case reluConvBN(ReLUConvBN)
    case factorizedReduce(FactorizedReduce)

    /// Builds `prefix` (e.g. `cells.3.preprocess0`) from cin to cout channels, drawing from `rng`.
    public init(_ prefix: String, cin: Int, cout: Int, afterReduction: Bool, affine: Bool,
                registry: ParameterRegistry, rng: inout PhiloxRandom) {
        self = afterReduction
            ? .factorizedReduce(FactorizedReduce(prefix, cin: cin, cout: cout, affine: affine, registry: registry, rng: &rng))
            : .reluConvBN(ReLUConvBN(prefix, cin: cin, cout: cout, affine: affine, registry: registry, rng: &rng))
    }

    public func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        switch self {
        case let .reluConvBN(op): return op(x, tape, mode)
        case let .factorizedReduce(op): return op(x, tape, mode)
        }
    }
}
