// Dilated separable convolution (SPEC §1): dil_conv_3x3 and dil_conv_5x5.

import DartsCore

/// ReLU → depthwise k×k (stride s, dilation d) → 1×1 → BN, under DARTS's `nn.Sequential` names:
/// `prefix.op.{1,2}.weight`, `prefix.op.3.*` (index 0 is the ReLU).
public struct DilConv {
    public let depthwise: Conv2D, pointwise: Conv2D, bn: BatchNorm

    /// Draws the depthwise weight, then the pointwise one, from `rng`.
    public init(_ prefix: String, channels c: Int, kernel k: Int, stride s: Int, padding p: Int, dilation d: Int,
                affine: Bool, registry: ParameterRegistry, rng: inout PhiloxRandom) {
        depthwise = Conv2D(prefix + ".op.1", cin: c, cout: c, kernel: k, stride: s, padding: p, dilation: d, groups: c,
                           registry: registry, rng: &rng)
        pointwise = Conv2D(prefix + ".op.2", cin: c, cout: c, kernel: 1, registry: registry, rng: &rng)
        bn = BatchNorm(prefix + ".op.3", channels: c, affine: affine, registry: registry)
    }

    public func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        bn(depthwise(reluOf: x, then: pointwise, tape, mode), tape, mode)
    }
}
