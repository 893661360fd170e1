// Batch norm as a layer (SPEC §1): running statistics always, γ and β only when affine.

import DartsCore

/// Batch norm over the channels of (N, C, H, W) or (N, C), PyTorch's `BatchNorm2d`/`1d` under
/// `prefix`: `prefix.weight`, `prefix.bias` (affine only, weights) and `prefix.running_mean`,
/// `prefix.running_var` (buffers).
///
/// The search network's BNs inside cells are affine=false, the evaluation network's affine=true;
/// both keep running statistics, updated in place by every training-mode pass (the α step's too).
public struct BatchNorm {
    public let runningMean: Parameter
    public let runningVar: Parameter
    /// γ, nil when affine=false.
    public let weight: Parameter?
    /// β, nil when affine=false.
    public let bias: Parameter?

    /// Registers γ = 1, β = 0 (affine only), running mean 0 and running var 1 (PyTorch defaults).
    public init(_ prefix: String, channels c: Int, affine: Bool, registry: ParameterRegistry) {
        let initial = Initializer.batchNorm(channels: c)
        if affine {
            weight = registry.weight(prefix + ".weight", initial.weight)
            bias = registry.weight(prefix + ".bias", initial.bias)
        } else {
            weight = nil
            bias = nil
        }
        runningMean = registry.buffer(prefix + ".running_mean", initial.runningMean)
        runningVar = registry.buffer(prefix + ".running_var", initial.runningVar)
    }

    public var affine: Bool { weight != nil }

    public func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        let g = weight.map { tape.parameter($0, requiresGrad: mode.weightsRequireGrad) }
        let b = bias.map { tape.parameter($0, requiresGrad: mode.weightsRequireGrad) }
        return tape.batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: g, bias: b,
                              training: mode.training)
    }
}
