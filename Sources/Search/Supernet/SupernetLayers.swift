// Building blocks of the DARTS search supernet (SPEC §1), each holding its Parameters under
// their PyTorch `state_dict` names and knowing how to run itself on a Tape.

import DartsCore

/// How one forward pass treats gradients and batch-norm statistics.
public struct ForwardMode: Sendable {
    /// Batch statistics (and running-statistics updates) when true; running statistics when false.
    public var training: Bool
    /// Whether network weights are gradient leaves.
    public var weightsRequireGrad: Bool
    /// Whether α is a gradient leaf.
    public var alphasRequireGrad: Bool

    public init(training: Bool, weightsRequireGrad: Bool, alphasRequireGrad: Bool) {
        self.training = training
        self.weightsRequireGrad = weightsRequireGrad
        self.alphasRequireGrad = alphasRequireGrad
    }

    /// Weight step: gradients for the weights only.
    public static let weightStep = ForwardMode(training: true, weightsRequireGrad: true, alphasRequireGrad: false)
    /// First-order α step: gradients for α only (BN still in training mode, as the reference).
    public static let alphaStep = ForwardMode(training: true, weightsRequireGrad: false, alphasRequireGrad: true)
    /// Evaluation: running statistics, no gradients.
    public static let evaluation = ForwardMode(training: false, weightsRequireGrad: false, alphasRequireGrad: false)
}

/// Registers parameters in creation order, which is the model's fixed, deterministic order.
final class ParameterRegistry {
    private(set) var weights: [Parameter] = []
    private(set) var buffers: [Parameter] = []
    /// Stack of the op currently being built, so its parameters can be attributed to it (FIMT).
    var currentOwner: [Parameter]? = nil

    func weight(_ name: String, _ value: Tensor) -> Parameter {
        let p = Parameter(name: name, value: value)
        weights.append(p)
        currentOwner?.append(p)
        return p
    }

    func buffer(_ name: String, _ value: Tensor) -> Parameter {
        let p = Parameter(name: name, value: value)
        buffers.append(p)
        return p
    }
}

/// Batch norm with running statistics and optional affine parameters.
struct BatchNormLayer {
    let runningMean: Parameter
    let runningVar: Parameter
    let gamma: Parameter?
    let beta: Parameter?

    init(_ prefix: String, channels c: Int, affine: Bool, registry: ParameterRegistry) {
        if affine {
            gamma = registry.weight(prefix + ".weight", Tensor(shape: [c], repeating: 1))
            beta = registry.weight(prefix + ".bias", Tensor(shape: [c], repeating: 0))
        } else {
            gamma = nil
            beta = nil
        }
        runningMean = registry.buffer(prefix + ".running_mean", Tensor(shape: [c], repeating: 0))
        runningVar = registry.buffer(prefix + ".running_var", Tensor(shape: [c], repeating: 1))
    }

    func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        let g = gamma.map { tape.parameter($0, requiresGrad: mode.weightsRequireGrad) }
        let b = beta.map { tape.parameter($0, requiresGrad: mode.weightsRequireGrad) }
        return tape.batchNorm(x, runningMean: runningMean, runningVar: runningVar, weight: g, bias: b,
                              training: mode.training)
    }
}

/// A bias-free convolution weight with its geometry.
struct ConvLayer {
    let weight: Parameter
    let stride: Int, padding: Int, dilation: Int, groups: Int

    init(_ name: String, cin: Int, cout: Int, kernel: Int, stride: Int = 1, padding: Int = 0,
         dilation: Int = 1, groups: Int = 1, registry: ParameterRegistry, init initialiser: WeightInitialiser) {
        let shape = [cout, cin / groups, kernel, kernel]
        weight = registry.weight(name, initialiser.uniformFanIn(shape: shape, fanIn: (cin / groups) * kernel * kernel))
        self.stride = stride; self.padding = padding; self.dilation = dilation; self.groups = groups
    }

    func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        tape.conv2d(x, weight: tape.parameter(weight, requiresGrad: mode.weightsRequireGrad),
                    stride: stride, padding: padding, dilation: dilation, groups: groups)
    }
}

/// ReLU → conv 1×1 → BN(affine=false): `prefix.op.1.weight`, `prefix.op.2.*`.
struct ReLUConvBN {
    let conv: ConvLayer
    let bn: BatchNormLayer

    init(_ prefix: String, cin: Int, cout: Int, affine: Bool, registry: ParameterRegistry, init ini: WeightInitialiser) {
        conv = ConvLayer(prefix + ".op.1.weight", cin: cin, cout: cout, kernel: 1, registry: registry, init: ini)
        bn = BatchNormLayer(prefix + ".op.2", channels: cout, affine: affine, registry: registry)
    }

    func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        bn(conv(tape.relu(x), tape, mode), tape, mode)
    }
}

/// ReLU, then two stride-2 1×1 convs on x and x[:, :, 1:, 1:], concatenated, then BN.
struct FactorizedReduce {
    let conv1: ConvLayer
    let conv2: ConvLayer
    let bn: BatchNormLayer

    init(_ prefix: String, cin: Int, cout: Int, affine: Bool, registry: ParameterRegistry, init ini: WeightInitialiser) {
        precondition(cout % 2 == 0, "FactorizedReduce needs an even output channel count, got \(cout)")
        conv1 = ConvLayer(prefix + ".conv_1.weight", cin: cin, cout: cout / 2, kernel: 1, stride: 2, registry: registry, init: ini)
        conv2 = ConvLayer(prefix + ".conv_2.weight", cin: cin, cout: cout / 2, kernel: 1, stride: 2, registry: registry, init: ini)
        bn = BatchNormLayer(prefix + ".bn", channels: cout, affine: affine, registry: registry)
    }

    func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        let r = tape.relu(x)
        let a = conv1(r, tape, mode)
        let b = conv2(tape.spatialSlice(r, rowStart: 1, colStart: 1, step: 1), tape, mode)
        return bn(tape.concatChannels([a, b]), tape, mode)
    }
}

/// Separable conv: (ReLU → depthwise k×k → 1×1 → BN) twice, the first with stride s.
struct SepConv {
    let dw1: ConvLayer, pw1: ConvLayer, bn1: BatchNormLayer
    let dw2: ConvLayer, pw2: ConvLayer, bn2: BatchNormLayer

    init(_ prefix: String, channels c: Int, kernel k: Int, stride s: Int, padding p: Int, affine: Bool,
         registry: ParameterRegistry, init ini: WeightInitialiser) {
        dw1 = ConvLayer(prefix + ".op.1.weight", cin: c, cout: c, kernel: k, stride: s, padding: p, groups: c, registry: registry, init: ini)
        pw1 = ConvLayer(prefix + ".op.2.weight", cin: c, cout: c, kernel: 1, registry: registry, init: ini)
        bn1 = BatchNormLayer(prefix + ".op.3", channels: c, affine: affine, registry: registry)
        dw2 = ConvLayer(prefix + ".op.5.weight", cin: c, cout: c, kernel: k, stride: 1, padding: p, groups: c, registry: registry, init: ini)
        pw2 = ConvLayer(prefix + ".op.6.weight", cin: c, cout: c, kernel: 1, registry: registry, init: ini)
        bn2 = BatchNormLayer(prefix + ".op.7", channels: c, affine: affine, registry: registry)
    }

    func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        let h = bn1(pw1(dw1(tape.relu(x), tape, mode), tape, mode), tape, mode)
        return bn2(pw2(dw2(tape.relu(h), tape, mode), tape, mode), tape, mode)
    }
}

/// Dilated conv: ReLU → depthwise k×k dilation 2 → 1×1 → BN.
struct DilConv {
    let dw: ConvLayer, pw: ConvLayer, bn: BatchNormLayer

    init(_ prefix: String, channels c: Int, kernel k: Int, stride s: Int, padding p: Int, dilation d: Int,
         affine: Bool, registry: ParameterRegistry, init ini: WeightInitialiser) {
        dw = ConvLayer(prefix + ".op.1.weight", cin: c, cout: c, kernel: k, stride: s, padding: p, dilation: d, groups: c, registry: registry, init: ini)
        pw = ConvLayer(prefix + ".op.2.weight", cin: c, cout: c, kernel: 1, registry: registry, init: ini)
        bn = BatchNormLayer(prefix + ".op.3", channels: c, affine: affine, registry: registry)
    }

    func callAsFunction(_ x: Var, _ tape: Tape, _ mode: ForwardMode) -> Var {
        bn(pw(dw(tape.relu(x), tape, mode), tape, mode), tape, mode)
    }
}
