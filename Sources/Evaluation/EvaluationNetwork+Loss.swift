// The evaluation network's training loss (SPEC §6: CE + 0.4·CE_aux) and the passes a training
// step and a test pass make with it.

import DartsCore
import DartsNN

extension EvaluationNetwork {
    /// Mean cross-entropy of `logits`, plus `auxiliaryWeight` times that of `auxiliaryLogits`
    /// when there are any (training mode with the head); SPEC §6's weight is 0.4.
    public static func loss(_ tape: Tape, logits: Var, auxiliaryLogits: Var?, labels: [Int],
                            auxiliaryWeight: Float = 0.4) -> Var {
        let main = tape.crossEntropy(logits, labels: labels)
        guard let auxiliaryLogits else { return main }
        return tape.add(main, tape.scale(tape.crossEntropy(auxiliaryLogits, labels: labels), by: auxiliaryWeight))
    }

    /// One training pass: zeroes the weight gradients, runs the training-mode forward with drop
    /// path `dropPath` (masks from `rng`) and the auxiliary head, and back-propagates
    /// CE + `auxiliaryWeight`·CE_aux into every weight. Returns that loss and the main logits'
    /// top-1 accuracy. `afterForward` runs between the two passes (benchmarks time them apart).
    public func backpropagate(images: Tensor, labels: [Int], dropPath: Double, rng: inout PhiloxRandom,
                              auxiliaryWeight: Float = 0.4,
                              afterForward: () -> Void = {}) -> (loss: Double, accuracy: Double) {
        for p in weights { p.zeroGrad() }
        let tape = Tape()
        let out = forward(tape, input: images, mode: .weightStep, dropPath: dropPath, rng: &rng)
        let loss = Self.loss(tape, logits: out.logits, auxiliaryLogits: out.auxiliaryLogits, labels: labels,
                             auxiliaryWeight: auxiliaryWeight)
        let value = Double(tape.value(loss).scalar)
        let accuracy = topOneAccuracy(tape.value(out.logits), labels)
        afterForward()
        tape.backward(loss)
        return (value, accuracy)
    }

    /// Evaluation-mode cross-entropy and top-1 accuracy of one batch (running statistics, no
    /// auxiliary head, no gradients).
    public func evaluate(images: Tensor, labels: [Int]) -> (loss: Double, accuracy: Double) {
        let tape = Tape(recording: false)
        let logits = evaluationLogits(tape, input: images)
        let loss = tape.crossEntropy(logits, labels: labels)
        return (Double(tape.value(loss).scalar), topOneAccuracy(tape.value(logits), labels))
    }
}
