// The supernet's two passes every α step, weight step, unrolled gradient and benchmark share:
// forward + cross-entropy + backward into the leaves a mode asks for, and an evaluation pass.

import DartsCore
import DartsNN
import ImageData

extension Supernet {
    /// Both α matrices, normal first (the order of every per-matrix list).
    public var alphas: [Parameter] { [alphasNormal, alphasReduce] }

    /// Zeroes the gradients of the leaves `mode` differentiates (weights and/or α), runs the
    /// forward pass and cross-entropy on `images`, and back-propagates into them. `afterForward`
    /// runs between the two passes (benchmarks time them apart).
    public func backpropagate(images: Tensor, labels: [Int], mode: ForwardMode,
                              afterForward: () -> Void = {}) -> (loss: Double, accuracy: Double) {
        if mode.weightsRequireGrad { for p in weights { p.zeroGrad() } }
        if mode.alphasRequireGrad { for p in alphas { p.zeroGrad() } }
        let tape = Tape()
        let logits = forward(tape, input: images, mode: mode)
        let loss = tape.crossEntropy(logits, labels: labels)
        let value = Double(tape.value(loss).scalar)
        let acc = topOneAccuracy(tape.value(logits), labels)
        afterForward()
        tape.backward(loss)
        return (value, acc)
    }

    public func backpropagate(_ batch: Batch, mode: ForwardMode) -> (loss: Double, accuracy: Double) {
        backpropagate(images: batch.images, labels: batch.labels, mode: mode)
    }

    /// Evaluation-mode loss and accuracy of one batch (running BN statistics, no gradients).
    public func evaluate(_ batch: Batch) -> (loss: Double, accuracy: Double) {
        let tape = Tape()
        let logits = forward(tape, input: batch.images, mode: .evaluation)
        let loss = tape.crossEntropy(logits, labels: batch.labels)
        return (Double(tape.value(loss).scalar), topOneAccuracy(tape.value(logits), batch.labels))
    }

    /// Σ over every network weight of its squared gradient, in parameter order (the FIMT of
    /// SPEC §3 when taken right after a weight step's backward pass).
    public func weightGradientSquaredSum() -> Double { squaredGradientSum(weights) }
}
