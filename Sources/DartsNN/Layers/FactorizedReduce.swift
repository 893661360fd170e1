// FactorizedReduce (SPEC §1): halves the resolution with two offset stride-2 1×1 convolutions.

import DartsCore

/// ReLU, then `prefix.conv_1` on x and `prefix.conv_2` on x[:, :, 1:, 1:] (cin → cout/2 each,
/// 1×1, stride 2), concatenated on channels, then BN `prefix.bn` (DARTS's `FactorizedReduce`).
///
/// The offset second conv sees the pixels the first one skips, so no input pixel is dropped.
public struct FactorizedReduce {
    public let conv1: Conv2D
    public let conv2: Conv2D
    public let bn: BatchNorm

    /// Draws conv_1's weight, then conv_2's, from `rng`.
    public init(_ prefix: String, cin: Int, cout: Int, affine: Bool, registry: ParameterRegistry,
                rng: inout PhiloxRandom) {
        precondition(cout % 2 == 0, "FactorizedReduce needs an even output channel count, got \(cout)")
        conv1 = Conv2D(prefix + ".conv_1", cin: cin, cout: cout / 2, kernel: 1, stride: 2, registry: registry, rng: &rng)
        conv2 = Conv2D(prefix + ".conv_2", cin: cin, cout: cout / 2, kernel: 1, stride: 2, registry: registry, rng: &rng)
        bn = BatchNorm(prefix + ".bn", channels: cout, affine: affine, registry: registry)
    }

    public func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        let r = tape.relu(x)
        let a = conv1(r, tape, mode)
        let b = conv2(tape.spatialSlice(r, rowStart: 1, colStart: 1, step: 1), tape, mode)
        return bn(tape.concatChannels([a, b]), tape, mode)
    }
}
