// A fully connected layer with bias: the classifiers of both CNNs (SPEC §1, §6).

import DartsCore

/// `nn.Linear(inFeatures, outFeatures)` under `prefix`: `prefix.weight` (out, in) and
/// `prefix.bias` (out), applied as x Wᵀ + b to x (N, in).
public struct Linear {
    public let weight: Parameter
    public let bias: Parameter

    /// Draws the weight, then the bias, from `rng`: both U(−b, b) with b = 1/√in (PyTorch's
    /// defaults, in its order).
    public init(_ prefix: String, inFeatures: Int, outFeatures: Int, registry: ParameterRegistry,
                rng: inout PhiloxRandom) {
        weight = registry.weight(prefix + ".weight",
                                 Initializer.linearWeight(outFeatures: outFeatures, inFeatures: inFeatures, rng: &rng))
        bias = registry.weight(prefix + ".bias",
                               Initializer.linearBias(outFeatures: outFeatures, inFeatures: inFeatures, rng: &rng))
    }

    public var inFeatures: Int { weight.shape[1] }
    public var outFeatures: Int { weight.shape[0] }

    /// x (N, in) → (N, out).
    public func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        tape.linear(x, weight: tape.parameter(weight, requiresGrad: mode.weightsRequireGrad),
                    bias: tape.parameter(bias, requiresGrad: mode.weightsRequireGrad))
    }
}
