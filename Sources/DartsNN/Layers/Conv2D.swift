// A bias-free 2-D convolution as a layer: every convolution of the DARTS networks (SPEC §1).

import DartsCore

/// `nn.Conv2d(cin, cout, kernel, stride, padding, dilation, groups, bias=False)` under `prefix`:
/// one weight `prefix.weight` of shape (cout, cin/groups, k, k).
///
/// No DARTS convolution has a bias (a batch norm always follows), so there is none to register.
public struct Conv2D {
    public let weight: Parameter
    public let stride: Int, padding: Int, dilation: Int, groups: Int

    /// Draws the weight from `rng`: U(−b, b), b = 1/√((cin/groups)·k²) (PyTorch's default).
    public init(_ prefix: String, cin: Int, cout: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
                dilation: Int = 1, groups: Int = 1, registry: ParameterRegistry, rng: inout PhiloxRandom) {
        precondition(groups >= 1 && cin % groups == 0 && cout % groups == 0,
                     "Conv2D \(prefix): \(cin) → \(cout) channels do not split into \(groups) groups")
        weight = registry.weight(prefix + ".weight",
                                 Initializer.convWeight(shape: [cout, cin / groups, kernel, kernel], rng: &rng))
        self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups
    }

    public func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        tape.conv2d(x, weight: tape.parameter(weight, requiresGrad: mode.weightsRequireGrad),
                    stride: stride, padding: padding, dilation: dilation, groups: groups)
    }

    /// self(relu(x)) for a depthwise conv, relu fused into the conv (`Tape.conv2d`'s `reluInput`):
    /// the same values, without the two passes of a separate relu.
    public func callAsFunction(reluOf x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        tape.conv2d(x, weight: tape.parameter(weight, requiresGrad: mode.weightsRequireGrad),
                    stride: stride, padding: padding, dilation: dilation, groups: groups, reluInput: true)
    }

    /// pointwise(self(relu(x))) for a depthwise `self` and a 1×1 `pointwise`, as one tape node
    /// (`Tape.separableConv2d`, run image by image): the values and gradients of the two convs in turn.
    public func callAsFunction(reluOf x: Var, then pointwise: Conv2D, _ tape: Tape, _ mode: ForwardMode) -> Var {
        precondition(pointwise.stride == 1 && pointwise.padding == 0 && pointwise.dilation == 1 && pointwise.groups == 1,
                     "Conv2D: the conv after a depthwise one must be a plain 1×1 conv")
        let depthwiseWeight = tape.parameter(weight, requiresGrad: mode.weightsRequireGrad)
        let pointwiseWeight = tape.parameter(pointwise.weight, requiresGrad: mode.weightsRequireGrad)
        return tape.separableConv2d(x, depthwiseWeight: depthwiseWeight, pointwiseWeight: pointwiseWeight,
                                    stride: stride, padding: padding, dilation: dilation, reluInput: true)
    }
}
