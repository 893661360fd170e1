// ReLU → conv → BN (SPEC §1): the cells' preprocessing of their inputs.

import DartsCore

/// DARTS's `ReLUConvBN(cin, cout, kernel, stride, padding, affine)` under `prefix`: the
/// `nn.Sequential` names `prefix.op.1.weight` (conv) and `prefix.op.2.*` (BN); the ReLU at
/// index 0 has no parameters.
public struct ReLUConvBN {
    public let conv: Conv2D
    public let bn: BatchNorm

    /// Draws the conv weight from `rng`. The cells use kernel 1, stride 1, padding 0.
    public init(_ prefix: String, cin: Int, cout: Int, kernel: Int = 1, stride: Int = 1, padding: Int = 0,
                affine: Bool, registry: ParameterRegistry, rng: inout PhiloxRandom) {
        conv = Conv2D(prefix + ".op.1", cin: cin, cout: cout, kernel: kernel, stride: stride, padding: padding,
                      registry: registry, rng: &rng)
        bn = BatchNorm(prefix + ".op.2", channels: cout, affine: affine, registry: registry)
    }

    public func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        bn(conv(tape.relu(x), tape, mode), tape, mode)
    }
}
