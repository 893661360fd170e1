// What a ptb search stores: its state entries (each under one key, read back on resume) and
// each step's observations (checkpoint entries and history values that are never read back).
// Every key is listed in docs/FORMAT.md ("rnn-search state").

import Foundation
import DartsCore
import TextData
import RunStore
import Training

/// One recurrent search iteration's observations: the search's common record plus the text's own.
struct RecurrentStepRecord {
    var common = StepRecord()
    /// Temporal activation regularisation of the weight step.
    var tar: Double = .nan
    /// The train batch's first row and length, and the α batch's row (−1: no α step).
    var trainRow = -1
    var length = 0
    var alphaRow = -1
}

extension RecurrentSearch: ArchitectureSearchState {
    var modelTensors: [Parameter] { model.namedTensors }

    /// The α matrix's name in checkpoints (`model/weights`, the reference's) and history rows.
    public static let alphaCell = "recurrent"

    public var stateEntries: [StateEntry] {
        commonSearchEntries + [
            .json("crb", get: { [unowned self] in pruning }, set: { [unowned self] p in
                guard p.pruned.count == model.alpha.value.count else {
                    throw TrainingError.incompatibleCheckpoint("crb holds \(p.pruned.count) flags for an α of \(model.alpha.value.count)")
                }
                pruning = p
            }),
            .json("data/train_stream", get: { [unowned self] in trainStream.state }, set: { [unowned self] in
                trainStream = try TruncatedBPTTStream(data: trainStream.data, bptt: trainStream.bptt, state: $0)
            }),
            .random("random/masks", get: { [unowned self] in maskRandom }, set: { [unowned self] in maskRandom = $0 }),
            StateEntry("hidden", save: { [unowned self] w in
                w.tensor("train", trainHidden)
                w.tensor("alpha", alphaHidden)
            }, load: { [unowned self] r in
                trainHidden = try r.tensor("train", shape: trainHidden.shape)
                alphaHidden = try r.tensor("alpha", shape: alphaHidden.shape)
            }),
        ]
    }

    /// The step's observations: checkpoint entries, history row and progress.
    func output(_ record: RecurrentStepRecord) -> StepOutput {
        var out = StepOutput()
        let activated = model.activatedAlpha
        var w = out.observations
        w.tensor("alphas_activated/alphas_" + Self.alphaCell, activated)
        w.integer("data/train_row", record.trainRow)
        w.integer("data/train_length", record.length)
        w.integer("data/alpha_row", record.alphaRow)
        w.scalar("loss/tar", record.tar)
        record.common.writeScalars(&w, method: method)
        out.observations = w
        out.history = record.common.historyValues
        out.history["tar"] = record.tar
        out.history["valid_ppl"] = .nan
        out.historyArrays = ["alphas_" + Self.alphaCell: StoredArray(activated)]
        out.loss = record.common.trainLoss
        out.progressExtras = [("ppl", String(format: "%.1f", exp(record.common.trainLoss))),
                              ("α-steps", String(record.common.alphaStepsTotal))]
        out.mustBeFinite = record.common.mustBeFinite(activated: [activated])
        return out
    }

    /// Epoch end: the validation loss and perplexity and the genotype, recorded in the history,
    /// the checkpoint and `genotype_epoch<E>.txt`.
    func addEpochEnd(validationLoss: Double, genotype: String, to out: inout StepOutput) {
        let perplexity = exp(validationLoss)
        out.history["valid_loss"] = validationLoss
        out.history["valid_ppl"] = perplexity
        out.mustBeFinite.append(("validation loss", validationLoss))
        out.observations.scalar("loss/valid", validationLoss)
        out.observations.string("genotype", genotype)
        out.artifacts["genotype_epoch\(counters.epoch).txt"] = genotype + "\n"
        out.epochSummary = String(format: "valid loss %.4f ppl %.2f", validationLoss, perplexity)
        out.epochNote = "genotype: \(genotype)"
    }
}
