// The recurrent model's passes for the search's α step, weight step and evaluation: forward,
// NLL + TAR, and backward into the leaves a mode asks for (as Supernet+Gradients does).

import DartsCore
import DartsNN

/// The numbers of one training pass.
public struct RecurrentPassResult: Sendable {
    /// nll + tarCoefficient·tar, the differentiated loss.
    public let loss: Double
    /// Mean negative log-likelihood of the targets.
    public let nll: Double
    /// Temporal activation regularisation, mean((h_{t+1} − h_t)²) over the cell outputs before
    /// the output dropout; 0 for a one-step sequence.
    public let tar: Double
    /// The next batch's hidden state (B, hiddenSize), without gradient.
    public let hidden: Tensor
}

extension RecurrentSearchModel {
    /// The loss nodes of a forward pass: NLL of `target` (T·B ids, time-major), TAR, and
    /// nll + tarCoefficient·tar.
    public func loss(_ f: RecurrentForward, target: [Int], tarCoefficient: Float,
                     _ tape: Tape) -> (loss: Var, nll: Var, tar: Var?) {
        precondition(target.count == f.steps * f.batchSize,
                     "recurrent loss: \(target.count) targets for \(f.steps)·\(f.batchSize) positions")
        let nll = tape.crossEntropy(f.logits, labels: target)
        guard f.steps > 1 else { return (nll, nll, nil) }
        let rows = f.steps * f.batchSize
        let step = tape.sub(tape.sliceRows(f.outputs, f.batchSize..<rows), tape.sliceRows(f.outputs, 0..<(rows - f.batchSize)))
        let tar = tape.mean(tape.mul(step, step))
        return (tape.add(nll, tape.scale(tar, by: tarCoefficient)), nll, tar)
    }

    /// Zeroes the gradients of the leaves `mode` differentiates (weights and/or α), runs the
    /// forward pass and loss, and back-propagates into them: `.weightStep` fills every weight's
    /// `grad` (then `weightGradientSquaredSum()` is the FIMT), `.alphaStep` fills `alpha.grad`.
    /// The search's α step passes tarCoefficient 0 (NLL alone, as DARTS's).
    public func backpropagate(input: [Int], target: [Int], batchSize: Int, hidden: Tensor, masks: RecurrentMasks,
                              mode: ForwardMode, tarCoefficient: Float = 1e-3) -> RecurrentPassResult {
        if mode.weightsRequireGrad { for p in weights { p.zeroGrad() } }
        if mode.alphasRequireGrad { alpha.zeroGrad() }
        let tape = Tape()
        let f = forward(tape, input: input, batchSize: batchSize, hidden: hidden, masks: masks, mode: mode)
        let (loss, nll, tar) = self.loss(f, target: target, tarCoefficient: tarCoefficient, tape)
        let result = RecurrentPassResult(loss: Double(tape.value(loss).scalar), nll: Double(tape.value(nll).scalar),
                                         tar: tar.map { Double(tape.value($0).scalar) } ?? 0, hidden: f.hidden)
        if mode.weightsRequireGrad || mode.alphasRequireGrad { tape.backward(loss) }
        return result
    }

    /// Evaluation pass (no dropout, no gradients): mean NLL of `target` and the next hidden
    /// state. Batch norm uses the running statistics, or with `batchStatistics` each use's own
    /// (training mode, which also updates the running statistics: the caller restores them).
    public func evaluate(input: [Int], target: [Int], batchSize: Int, hidden: Tensor,
                         batchStatistics: Bool = false) -> (nll: Double, hidden: Tensor) {
        let tape = Tape(recording: false)
        let (d, h) = (configuration.inputSize, configuration.hiddenSize)
        let mode = batchStatistics ? ForwardMode(training: true, weightsRequireGrad: false, alphasRequireGrad: false) : .evaluation
        let f = forward(tape, input: input, batchSize: batchSize, hidden: hidden,
                        masks: .none(batchSize: batchSize, inputSize: d, hiddenSize: h), mode: mode)
        return (Double(tape.value(tape.crossEntropy(f.logits, labels: target)).scalar), f.hidden)
    }

    /// The FIMT of SPEC §3 right after a weight step's backward: Σ over every weight (the tied
    /// embedding once, not α) of its squared gradient.
    public func weightGradientSquaredSum() -> Double { squaredGradientSum(weights) }

    /// A zero hidden state for `batchSize` sequences (the start of an epoch).
    public func initialHidden(batchSize: Int) -> Tensor { Tensor(shape: [batchSize, configuration.hiddenSize]) }
}
