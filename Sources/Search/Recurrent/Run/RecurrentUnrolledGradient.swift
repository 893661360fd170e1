// `--second-order` for the ptb search: DARTS's rnn/architect.py unrolled α gradient, a thin user of
// the shared mechanism (Loop/UnrolledGradient.swift) that adds what the text search does its own
// way: NLL alone (no TAR), the gradients clipped as `_clip` does, the carried hidden states, one
// mask draw per pass.

import DartsCore
import DartsNN
import TextData

/// DARTS rnn/architect.py's unrolled α gradient for `model`:
/// ∇α L_val(w′, α) − η·c·∇²α,w L_train(w, α)·v, where
/// - g = ∇w L_train(w) from `trainHidden`, clipped to total norm `clip` (clipGradientNorm, as
///   architect.py's `_clip`), c = min(1, clip/(‖g‖ + 1e−6)) the factor that clipping applied
///   (architect.py returns clip/(‖g‖ + 1e−6) unbounded; here it is the factor w′ really used);
/// - w′ = w − η(g + wd·w) (the ptb search's SGD has no momentum);
/// - v = ∇w′ L_val from `validHidden`, clipped to `clip` too; the Hessian-vector product by
///   central differences at w ± εv, ε = 0.01/‖v‖, from `trainHidden` again.
/// Every loss is the NLL alone (architect.py's `_loss`). The four passes (train at w, valid at
/// w′, train at w + εv, train at w − εv) each call `masks` once, in that order, and run in
/// training mode; the three train passes update the batch-norm running statistics, the valid
/// pass at w′ does not (architect.py runs it on a copy of the model that is then dropped).
/// Leaves the gradient in α's `grad`, the weights exactly as they were with a zero `grad`, and
/// returns the valid pass at w′ (its NLL and next hidden state).
public func unrolledArchitectureGradient(model: RecurrentSearchModel, train: SequenceBatch, trainHidden: Tensor,
                                         valid: SequenceBatch, validHidden: Tensor, weightDecay: Float, clip: Float,
                                         learningRate eta: Float, masks: () -> RecurrentMasks) -> RecurrentPassResult {
    precondition(train.columns == valid.columns,
                 "unrolled gradient: train batch of \(train.columns) columns, valid batch of \(valid.columns)")
    let b = train.columns
    let both = ForwardMode(training: true, weightsRequireGrad: true, alphasRequireGrad: true)
    return unrolledArchitectureGradient(
        weights: model.weights, alphas: [model.alpha], statistics: model.buffers, momentumBuffers: [:], momentum: 0,
        weightDecay: weightDecay, learningRate: eta,
        trainWeightGradients: {
            _ = model.backpropagate(input: train.inputs, target: train.targets, batchSize: b, hidden: trainHidden,
                                    masks: masks(), mode: .weightStep, tarCoefficient: 0)
            return clipReturningCoefficient(model.weights, clip: clip)
        },
        validGradients: {
            let r = model.backpropagate(input: valid.inputs, target: valid.targets, batchSize: b, hidden: validHidden,
                                        masks: masks(), mode: both, tarCoefficient: 0)
            clipGradientNorm(model.weights, maxNorm: clip)
            return r
        },
        trainAlphaGradients: {
            _ = model.backpropagate(input: train.inputs, target: train.targets, batchSize: b, hidden: trainHidden,
                                    masks: masks(), mode: .alphaStep, tarCoefficient: 0)
        })
}

/// Clips the gradients of `weights` to total norm `clip` (`clipGradientNorm`) and returns the
/// factor that applied: min(1, clip/(‖g‖ + 1e−6)), ‖g‖ accumulated in Double as clipping does.
func clipReturningCoefficient(_ weights: [Parameter], clip: Float) -> Float {
    let norm = squaredGradientSum(weights).squareRoot()
    clipGradientNorm(weights, maxNorm: clip)
    return Float(min(1, Double(clip) / (norm + 1e-6)))
}
