// A token embedding as a layer: the text model's encoder (SPEC §7, `nn.Embedding`).

import DartsCore

/// `nn.Embedding(vocabulary, dimension)` under `prefix`: one weight `prefix.weight` of shape
/// (vocabulary, dimension), looked up row by row; its gradient is scatter-added (a token that
/// occurs twice gets both rows' gradients).
public struct Embedding {
    public let weight: Parameter

    /// Draws the table from `rng`: U(−range, range), row-major; DARTS's text model uses 0.04
    /// (its `initrange`), not PyTorch's N(0, 1) default.
    public init(_ prefix: String, vocabulary: Int, dimension: Int, range: Float = 0.04,
                registry: ParameterRegistry, rng: inout PhiloxRandom) {
        weight = registry.weight(prefix + ".weight",
                                 Initializer.embedding(vocabulary: vocabulary, dimension: dimension,
                                                       range: range, rng: &rng))
    }

    public var vocabulary: Int { weight.shape[0] }
    public var dimension: Int { weight.shape[1] }

    /// The rows of `tokens`, shaped `shape + [dimension]` (e.g. (T, B) tokens → (T, B, D));
    /// without `shape`, (tokens.count, D).
    public func callAsFunction(_ tokens: [Int], shape: [Int]? = nil, _ tape: Tape, _ mode: ForwardMode) -> Var {
        let rows = tape.embedding(tape.parameter(weight, requiresGrad: mode.weightsRequireGrad), indices: tokens)
        guard let shape else { return rows }
        precondition(shape.reduce(1, *) == tokens.count,
                     "Embedding: shape \(shape) does not hold \(tokens.count) tokens")
        return tape.reshape(rows, shape + [dimension])
    }
}
