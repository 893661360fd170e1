// The DARTS search supernet (SPEC §1): stem, L cells sharing two α matrices, classifier.

import DartsCore
import DartsNN
import Architecture

/// Shape of a supernet.
public struct SupernetConfiguration: Codable, Sendable, Equatable {
    public var channels: Int
    public var layers: Int
    public var classes: Int
    public var inputChannels: Int
    public var activation: ActivationKind

    public init(channels: Int, layers: Int, classes: Int, inputChannels: Int, activation: ActivationKind) {
        self.channels = channels; self.layers = layers; self.classes = classes
        self.inputChannels = inputChannels; self.activation = activation
    }

    /// The space of α's columns: the CNN space of SPEC §1, without `none` under CRB. Derived,
    /// not stored, because this supernet only builds CNN cells.
    public var space: SearchSpace { activation.columnSpace(of: .cnn) }

    /// Cell i is a reduction cell at ⌊L/3⌋ and ⌊2L/3⌋.
    public func isReduction(cell i: Int) -> Bool { i == layers / 3 || i == 2 * layers / 3 }
}

/// The supernet's parameters and forward pass.
public final class Supernet {
    public let configuration: SupernetConfiguration
    /// Trainable network weights, in fixed creation order (α excluded).
    public let weights: [Parameter]
    /// Batch-norm running statistics, in fixed creation order.
    public let buffers: [Parameter]
    public let alphasNormal: Parameter
    public let alphasReduce: Parameter

    let stemConv: Conv2D
    let stemBN: BatchNorm
    let cells: [SearchCell]
    let classifier: Linear

    /// Builds the network, drawing initial weights and then α from `rng` (PyTorch defaults).
    public init(_ config: SupernetConfiguration, rng: inout PhiloxRandom) {
        precondition(config.layers >= 3, "the supernet needs at least 3 layers, got \(config.layers)")
        precondition(config.channels >= 1, "the supernet needs at least 1 channel")
        configuration = config
        let registry = ParameterRegistry()
        let crb = config.activation == .crb
        let space = config.space
        let c = config.channels
        let stemChannels = 3 * c
        stemConv = Conv2D("stem.0", cin: config.inputChannels, cout: stemChannels, kernel: 3, padding: 1,
                          registry: registry, rng: &rng)
        stemBN = BatchNorm("stem.1", channels: stemChannels, affine: true, registry: registry)
        var cpp = stemChannels, cp = stemChannels, cc = c
        var reductionPrevious = false
        var cells: [SearchCell] = []
        for i in 0..<config.layers {
            let reduction = config.isReduction(cell: i)
            if reduction { cc *= 2 }
            cells.append(SearchCell(index: i, cpp: cpp, cp: cp, c: cc, reduction: reduction,
                                    reductionPrevious: reductionPrevious, space: space, crb: crb,
                                    registry: registry, rng: &rng))
            reductionPrevious = reduction
            cpp = cp
            cp = space.concat.count * cc
        }
        self.cells = cells
        classifier = Linear("classifier", inFeatures: cp, outFeatures: config.classes, registry: registry, rng: &rng)
        let edges = space.edgeCount, k = space.ops.count
        func initialAlpha(_ rng: inout PhiloxRandom) -> Tensor {
            crb ? Initializer.crbAlpha(edges: edges, ops: k, rng: &rng)
                : Initializer.alpha(edges: edges, ops: k, rng: &rng)
        }
        alphasNormal = Parameter(name: "alphas_normal", value: initialAlpha(&rng))
        alphasReduce = Parameter(name: "alphas_reduce", value: initialAlpha(&rng))
        weights = registry.weights
        buffers = registry.buffers
    }

    /// Every stored tensor by name: weights, buffers, α.
    public var namedTensors: [Parameter] { weights + buffers + [alphasNormal, alphasReduce] }

    /// act(α) on the tape: row softmax, or clamp(α, 0, 1) for CRB.
    func activate(_ alpha: Var, _ tape: Tape) -> Var {
        configuration.activation.activate(alpha, on: tape)
    }

    /// Logits (N × classes) of `input` (N × inputChannels × H × W).
    public func forward(_ tape: Tape, input: Tensor, mode: ForwardMode) -> Var {
        let crb = configuration.activation == .crb
        let x = tape.constant(input)
        let stem = stemBN(stemConv(x, tape, mode), tape, mode)
        let an = activate(tape.parameter(alphasNormal, requiresGrad: mode.alphasRequireGrad), tape)
        let ar = activate(tape.parameter(alphasReduce, requiresGrad: mode.alphasRequireGrad), tape)
        let anValues = tape.value(an).scalars
        let arValues = tape.value(ar).scalars
        var s0 = stem, s1 = stem
        for cell in cells {
            let out = cell.reduction
                ? cell(s0, s1, activated: ar, activatedValues: arValues, crb: crb, tape, mode)
                : cell(s0, s1, activated: an, activatedValues: anValues, crb: crb, tape, mode)
            s0 = s1
            s1 = out
            // Memory only: drop this cell's values that no backward closure needs (issue 6).
            tape.releaseForwardOnlyValues(keeping: [x, an, ar, s0, s1])
        }
        return classifier(tape.globalAvgPool(s1), tape, mode)
    }

    /// Per-edge per-op sum of squared gradients, averaged over the normal cells and over the
    /// reduction cells (SPEC §3), each edges × ops of the space (row-major), from the weights'
    /// current `grad`.
    public func edgeTraces() -> (normal: [Double], reduce: [Double]) {
        let space = configuration.space
        let k = space.ops.count
        var normal = [Double](repeating: 0, count: space.edgeCount * k)
        var reduce = normal
        var normalCount = 0, reduceCount = 0
        for cell in cells {
            if cell.reduction { reduceCount += 1 } else { normalCount += 1 }
            for (e, edge) in cell.edges.enumerated() {
                for (op, params) in edge.opParameters.enumerated() {
                    var s = 0.0
                    for p in params {
                        p.grad.withUnsafeBufferPointer { g in for v in g { s += Double(v) * Double(v) } }
                    }
                    if cell.reduction { reduce[e * k + op] += s } else { normal[e * k + op] += s }
                }
            }
        }
        if normalCount > 0 { normal = normal.map { $0 / Double(normalCount) } }
        if reduceCount > 0 { reduce = reduce.map { $0 / Double(reduceCount) } }
        return (normal, reduce)
    }
}
