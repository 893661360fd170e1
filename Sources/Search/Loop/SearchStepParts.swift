// What every search run kind (CNN, recurrent) does the same way within a step: the α step's
// regulariser and Adam update, the weight step's FIMT, clipping and SGD update, and the step's
// common observations (scalars, history values, the quantities that must stay finite).

import DartsCore
import DartsNN
import Architecture
import RunStore
import Training

extension RegularizerState {
    /// Adds R's gradient to each α's gradient and returns R(α) (the α loss is CE/NLL + R).
    func addGradient(to alphas: [Parameter], activation: ActivationKind, space: SearchSpace,
                     clockOverEpochs: Double) -> Double {
        let reg = evaluate(alphas: alphas.map(\.value), activation: activation, space: space, clockOverEpochs: clockOverEpochs)
        for (alpha, gradient) in zip(alphas, reg.gradients) { alpha.addToGradient(gradient) }
        return reg.value
    }
}

/// The end of every weight step once its gradients are in: the FIMT goes to the schedule, the
/// gradients are clipped to `clip` (total norm) and SGD steps. Returns the norm before clipping.
func finishWeightStep(_ weights: [Parameter], fimt: Double, schedule: inout ArchitectureSchedule, sgd: SGD,
                      clip: Double) -> Double {
    schedule.recordFIMT(fimt)
    let norm = Double(clipGradientNorm(weights, maxNorm: Float(clip)))
    sgd.step(weights)
    return norm
}

extension StepRecord {
    /// The scalar observations every search writes (FIMT, losses, regulariser, α steps, method).
    func writeScalars(_ w: inout StateWriter, method: MethodSpec) {
        w.scalar("fimt/F", fimt)
        w.scalar("fimt/Fbar", fimtAverage)
        w.scalar("fimt/tau", threshold)
        w.scalar("loss/train", trainLoss)
        w.scalar("loss/alpha", alphaLoss)
        w.scalar("regularizer", regularizer)
        w.integer("alpha_steps", alphaStepsTotal)
        w.integer("fimt/alpha_step", alphaStep ? 1 : 0)
        w.string("method", method.name)
    }

    /// The history values every search records (validation: NaN until an epoch end sets them).
    var historyValues: [String: Double] {
        [
            "lr": learningRate,
            "train_loss": trainLoss,
            "train_acc": trainAccuracy,
            "alpha_loss": alphaLoss,
            "alpha_acc": alphaAccuracy,
            "valid_loss": .nan,
            "valid_acc": .nan,
            "F": fimt,
            "Fbar": fimtAverage,
            "tau": threshold,
            "alpha_step": alphaStep ? 1 : 0,
            "alpha_steps_total": Double(alphaStepsTotal),
            "regularizer": regularizer,
            "grad_norm": gradientNorm,
        ]
    }

    /// The quantities that stop the run when not finite (a NaN would otherwise run on to a
    /// degenerate genotype), with `activated`, the activated α of every cell type.
    func mustBeFinite(activated: [Tensor]) -> [(name: String, value: Double)] {
        var out: [(name: String, value: Double)] = [("training loss", trainLoss), ("weight gradient norm", gradientNorm),
                                                    ("FIMT", fimt)]
        if alphaStep { out.append(("architecture loss", alphaLoss)) }
        out.append(("activated α", activated.reduce(0) { s, t in t.scalars.reduce(s) { $0 + Double($1) } }))
        return out
    }
}
