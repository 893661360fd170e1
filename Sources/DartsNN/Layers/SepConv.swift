// Separable convolution (SPEC §1): sep_conv_3x3 and sep_conv_5x5.

import DartsCore

/// (ReLU → depthwise k×k → 1×1 → BN) twice, the first depthwise conv with stride s, under
/// DARTS's `nn.Sequential` names: `prefix.op.{1,2}.weight`, `prefix.op.3.*`,
/// `prefix.op.{5,6}.weight`, `prefix.op.7.*` (indices 0 and 4 are the ReLUs).
public struct SepConv {
    public let depthwise1: Conv2D, pointwise1: Conv2D, bn1: BatchNorm
    public let depthwise2: Conv2D, pointwise2: Conv2D, bn2: BatchNorm

    /// Draws the four conv weights from `rng` in `op` index order.
    public init(_ prefix: String, channels c: Int, kernel k: Int, stride s: Int, padding p: Int, affine: Bool,
                registry: ParameterRegistry, rng: inout PhiloxRandom) {
        depthwise1 = Conv2D(prefix + ".op.1", cin: c, cout: c, kernel: k, stride: s, padding: p, groups: c,
                            registry: registry, rng: &rng)
        pointwise1 = Conv2D(prefix + ".op.2", cin: c, cout: c, kernel: 1, registry: registry, rng: &rng)
        bn1 = BatchNorm(prefix + ".op.3", channels: c, affine: affine, registry: registry)
        depthwise2 = Conv2D(prefix + ".op.5", cin: c, cout: c, kernel: k, stride: 1, padding: p, groups: c,
                            registry: registry, rng: &rng)
        pointwise2 = Conv2D(prefix + ".op.6", cin: c, cout: c, kernel: 1, registry: registry, rng: &rng)
        bn2 = BatchNorm(prefix + ".op.7", channels: c, affine: affine, registry: registry)
    }

    public func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        let h = bn1(depthwise1(reluOf: x, then: pointwise1, tape, mode), tape, mode)
        return bn2(depthwise2(reluOf: h, then: pointwise2, tape, mode), tape, mode)
    }
}
