// The evaluation network of SPEC §6 (DARTS's `NetworkCIFAR`, ../shared/ref/torch_evalnet.py):
// stem, L genotype cells, the auxiliary head after cell ⌊2L/3⌋, global pooling, classifier.

import DartsCore
import DartsNN
import Architecture

/// A discovered architecture as a network trained from scratch.
///
/// Every weight and running statistic is a `Parameter` named as `NetworkCIFAR.state_dict()` names
/// it (`stem.0.weight`, `cells.{i}._ops.{k}.op.…`, `auxiliary_head.features.…`, `classifier.*`),
/// so a stored evaluation loads into that code with `strict=True` once the run kind adds
/// `<prefix>.num_batches_tracked` (an int64 per batch norm: `batchesTracked` under each of
/// `batchNormPrefixes`), which PyTorch keeps and this network only counts.
public final class EvaluationNetwork {
    public let configuration: EvaluationConfiguration
    /// Trainable weights in creation order (PyTorch's module order: stem, cells, auxiliary head,
    /// classifier), auxiliary head included.
    public let weights: [Parameter]
    /// Batch-norm running statistics in creation order.
    public let buffers: [Parameter]
    /// The `state_dict` prefix of every batch norm (`stem.1`, `cells.0.preprocess0.op.2`, …), in
    /// creation order.
    public let batchNormPrefixes: [String]
    /// Training-mode forward passes so far: PyTorch's `num_batches_tracked` of every batch norm,
    /// which all run in each training pass (the auxiliary head's too). The run kind stores and
    /// restores it; nothing here reads it (momentum is fixed, so it does not change the numerics).
    public var batchesTracked: Int = 0

    let stemConv: Conv2D
    let stemBN: BatchNorm
    let cells: [EvaluationCell]
    let auxiliaryHead: AuxiliaryHead?
    let classifier: Linear

    /// Builds the network, drawing every conv and linear weight from `rng` in creation order
    /// (PyTorch defaults, DartsNN's `Initializer`); batch norms start at γ = 1, β = 0, mean 0, var 1.
    public init(_ config: EvaluationConfiguration, rng: inout PhiloxRandom) {
        if let problem = config.problem { preconditionFailure("EvaluationNetwork: \(problem)") }
        configuration = config
        let registry = ParameterRegistry()
        let normal = config.genotype.cells.first { $0.type == "normal" }!
        let reduce = config.genotype.cells.first { $0.type == "reduce" }!
        let stemChannels = 3 * config.channels
        stemConv = Conv2D("stem.0", cin: config.inputChannels, cout: stemChannels, kernel: 3, padding: 1,
                          registry: registry, rng: &rng)
        stemBN = BatchNorm("stem.1", channels: stemChannels, affine: true, registry: registry)
        var cpp = stemChannels, cp = stemChannels, cc = config.channels
        var reductionPrevious = false
        var cells: [EvaluationCell] = []
        var auxiliaryChannels = 0
        for i in 0..<config.layers {
            let reduction = config.isReduction(cell: i)
            if reduction { cc *= 2 }
            let cell = EvaluationCell(index: i, gene: reduction ? reduce : normal, cpp: cpp, cp: cp, c: cc,
                                      reduction: reduction, reductionPrevious: reductionPrevious,
                                      registry: registry, rng: &rng)
            cells.append(cell)
            reductionPrevious = reduction
            cpp = cp
            cp = cell.multiplier * cc
            // NetworkCIFAR creates the head after all cells; its channel count is this cell's output.
            if i == config.auxiliaryCell { auxiliaryChannels = cp }
        }
        self.cells = cells
        auxiliaryHead = config.auxiliary
            ? AuxiliaryHead(channels: auxiliaryChannels, classes: config.classes, registry: registry, rng: &rng)
            : nil
        classifier = Linear("classifier", inFeatures: cp, outFeatures: config.classes, registry: registry, rng: &rng)
        weights = registry.weights
        buffers = registry.buffers
        let suffix = ".running_mean"
        batchNormPrefixes = buffers.map(\.name).filter { $0.hasSuffix(suffix) }.map { String($0.dropLast(suffix.count)) }
    }

    /// Every stored tensor by name: weights, then buffers.
    public var namedTensors: [Parameter] { weights + buffers }

    /// Trainable weights of the auxiliary head (a subset of `weights`).
    public var auxiliaryWeights: [Parameter] { weights.filter { $0.name.hasPrefix("auxiliary_head.") } }

    /// Number of trainable scalars; SPEC §6 reports the count without the auxiliary head (the
    /// head only trains the network and is dropped for testing), in millions (the caller's
    /// formatting).
    public func parameterCount(includingAuxiliary: Bool) -> Int {
        let all = weights.reduce(0) { $0 + $1.value.count }
        return includingAuxiliary ? all : all - auxiliaryWeights.reduce(0) { $0 + $1.value.count }
    }

    /// Logits (N × classes) of `input` (N × inputChannels × H × W), and in training mode the
    /// auxiliary head's logits (nil in evaluation mode or without the head).
    ///
    /// Drop path with probability `dropPath` applies in training mode only, to every cell op
    /// that is not an identity, its masks drawn from `rng` in the order DropPath.swift states;
    /// the run kind passes 0.2·epoch/E. A training-mode pass adds one to `batchesTracked`.
    public func forward(_ tape: Tape, input: Tensor, mode: ForwardMode, dropPath: Double,
                        rng: inout PhiloxRandom) -> (logits: Var, auxiliaryLogits: Var?) {
        precondition(dropPath >= 0 && dropPath < 1, "drop-path probability must lie in [0, 1), got \(dropPath)")
        if mode.training { batchesTracked += 1 }
        let x = tape.constant(input)
        let stem = stemBN(stemConv(x, tape, mode), tape, mode)
        var s0 = stem, s1 = stem
        var auxiliaryLogits: Var?
        for (i, cell) in cells.enumerated() {
            let out = cell(s0, s1, dropPath: dropPath, rng: &rng, tape, mode)
            s0 = s1
            s1 = out
            if i == configuration.auxiliaryCell, mode.training, let head = auxiliaryHead {
                auxiliaryLogits = head(s1, tape, mode)
            }
            // Memory only: drop this cell's values that no backward closure needs (as the supernet).
            tape.releaseForwardOnlyValues(keeping: [x, s0, s1] + (auxiliaryLogits.map { [$0] } ?? []))
        }
        return (classifier(tape.globalAvgPool(s1), tape, mode), auxiliaryLogits)
    }

    /// Evaluation-mode logits: running statistics, no drop path, no auxiliary head, no draws.
    public func evaluationLogits(_ tape: Tape, input: Tensor) -> Var {
        var unused = PhiloxRandom(seed: 0)
        return forward(tape, input: input, mode: .evaluation, dropPath: 0, rng: &unused).logits
    }
}
